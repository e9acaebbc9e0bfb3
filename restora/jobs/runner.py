"""Run one claimed job: load the stored upload, run the tool, write the result and its views, finish only with
the lease.

Errors are sorted into two kinds. Deterministic ones (a picture that cannot be decoded, parameters a
tool refuses, a ``ValueError`` from the tool) would fail the same way every time, so the job fails at
once with the message. Anything else (out of memory, a busy database, a full disk) may pass, so the
attempt is requeued with backoff until the attempts run out.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from sqlalchemy.orm import sessionmaker

from restora.config import Settings
from restora.imaging.io import ImageLimits, InvalidImage, load_image
from restora.jobs.files import RESULT_TYPES, encode_png, encode_result, write_atomically
from restora.jobs.models import DONE
from restora.jobs.queue import Claim, LeaseLost, fail_job, finish_job, heartbeat
from restora.tools import TOOLS, InvalidParams, ToolOutput, run_with_views
from restora.weights import WeightsError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunnerConfig:
    """How jobs run: the Settings the site or worker was started with (and the tools receive), plus the
    backoff, which only the tests shorten."""

    settings: Settings
    # First backoff after a transient error; doubles with each attempt.
    retry_base_seconds: float = 2.0

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    @property
    def limits(self) -> ImageLimits:
        return ImageLimits.from_settings(self.settings)

    @property
    def lease_seconds(self) -> float:
        return self.settings.job_lease_seconds

    @property
    def heartbeat_seconds(self) -> float:
        # Three beats per lease survive one slow database write; at least once a second so the progress
        # bar moves (one small UPDATE per running job per second).
        return min(self.lease_seconds / 3.0, 1.0)


class LeaseKeeper:
    """Extends the lease from a side thread while the tool runs, and carries its progress to the database."""

    def __init__(self, sessions: sessionmaker, claim: Claim, config: RunnerConfig) -> None:
        self._sessions, self._claim, self._config = sessions, claim, config
        self._progress: float | None = None
        self._stop = threading.Event()
        self.lost = False
        self._thread = threading.Thread(target=self._beat, name=f"lease-{claim.job_id[:8]}", daemon=True)

    def __enter__(self) -> "LeaseKeeper":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def report(self, fraction: float) -> None:
        """The tool's progress callback; raising here is how a tool learns it lost its job."""
        if self.lost:
            raise LeaseLost(f"job {self._claim.job_id} was taken over")
        self._progress = fraction

    def _beat(self) -> None:
        while not self._stop.wait(self._config.heartbeat_seconds):
            try:
                heartbeat(self._sessions, self._claim, self._config.lease_seconds, self._progress)
            except LeaseLost:
                self.lost = True
                return
            except Exception:  # a busy or briefly unreachable database: try again at the next beat
                log.warning("heartbeat for job %s failed; retrying", self._claim.job_id, exc_info=True)


def result_relative_path(claim: Claim, suffix: str = ".png") -> str:
    """Per attempt, so a zombie from an older attempt can never overwrite the winner's file; ``suffix`` is the
    stored format's (``.jpg`` for a result that must fit a file size, jobs.files.encode_result)."""
    return f"results/{claim.user_id}/{claim.job_id}-a{claim.attempt}{suffix}"


def view_relative_path(claim: Claim, name: str) -> str:
    """A view beside its result, under the same attempt's name (so the same fencing and clean-up hold)."""
    return f"results/{claim.user_id}/{claim.job_id}-a{claim.attempt}.{name}.png"


def write_result(data_dir: Path, claim: Claim, image: Image.Image) -> Path:
    """The result under its per-attempt name, written atomically (``.part`` then rename)."""
    data, suffix = encode_result(image)
    return write_atomically(data_dir / result_relative_path(claim, suffix), data)


def write_output(data_dir: Path, claim: Claim, output: ToolOutput) -> list[Path]:
    """The result, then each view, atomically; all the files written (the result first), or none when one
    write fails."""
    written: list[Path] = []
    try:
        written.append(write_result(data_dir, claim, output.image))
        for name, view in output.views.items():
            written.append(write_atomically(data_dir / view_relative_path(claim, name), encode_png(view)))
    except BaseException:
        remove_files(written)
        raise
    return written


def remove_files(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def remove_partials(data_dir: Path, claim: Claim) -> None:
    """Drop half-written files that a killed earlier attempt of this job left behind."""
    for leftover in (data_dir / "results" / str(claim.user_id)).glob(f"{claim.job_id}-a*.part"):
        leftover.unlink(missing_ok=True)


def remove_other_attempts(data_dir: Path, claim: Claim) -> None:
    """After winning: drop files (results and views) of earlier attempts that died between writing and
    recording (J4)."""
    # Every file of this attempt starts so: <job>-a<attempt>.png|.jpg and its views, <job>-a<attempt>.<view>.png
    # ("-a1." is no prefix of "-a12.").
    mine = f"{claim.job_id}-a{claim.attempt}."
    for suffix in RESULT_TYPES:
        for other in (data_dir / "results" / str(claim.user_id)).glob(f"{claim.job_id}-a*{suffix}"):
            if not other.name.startswith(mine):
                other.unlink(missing_ok=True)


def _load_inputs(claim: Claim, config: RunnerConfig) -> tuple[Image.Image, dict]:
    tool = TOOLS.get(claim.tool)
    if tool is None:
        raise InvalidParams(f"the tool {claim.tool!r} is not available on this server")
    image = load_image(config.data_dir / claim.input_path, config.limits)
    raw = dict(claim.params)
    # The tool's other pictures (a background, a reference, painted hints) under their parameters' names;
    # validate refuses a name the tool does not take.
    for name, path in claim.inputs.items():
        raw[name] = load_image(config.data_dir / path, config.limits)
    return image, tool.validate(raw)


def describe_error(claim: Claim, exc: BaseException) -> tuple[str, bool]:
    """(message for the user, whether another attempt could succeed)."""
    if isinstance(exc, InvalidImage):
        return f"the picture could not be read: {exc}", False
    if isinstance(exc, InvalidParams):
        return str(exc), False
    if isinstance(exc, WeightsError):  # missing or unreadable weights stay missing until someone installs them
        return f"the {claim.tool} model is not available on this server: {exc}", False
    if isinstance(exc, TypeError):  # a tool called with arguments it does not take: a bug, not bad luck
        return f"{claim.tool} could not be run with these settings ({exc})", False
    if isinstance(exc, ValueError):
        return f"{claim.tool} could not process this picture: {exc}", False
    if isinstance(exc, MemoryError) or "out of memory" in str(exc).lower():
        return "the machine ran out of memory while processing this picture", True
    return f"a temporary problem stopped the job ({type(exc).__name__})", True


def run_claimed_job(sessions: sessionmaker, claim: Claim, config: RunnerConfig) -> str | None:
    """Run one attempt to its end; returns the job's new status, or None if the attempt was fenced off."""
    remove_partials(config.data_dir, claim)
    written: list[Path] = []
    with LeaseKeeper(sessions, claim, config) as keeper:
        try:
            image, params = _load_inputs(claim, config)
            output = run_with_views(TOOLS[claim.tool], image, progress=keeper.report, settings=config.settings, **params)
            written = write_output(config.data_dir, claim, output)
        except LeaseLost:
            log.info("job %s attempt %d lost its lease; stopping", claim.job_id, claim.attempt)
            return None
        except Exception as exc:  # every failure ends as a recorded state, never as a dead thread
            message, transient = describe_error(claim, exc)
            log.warning("job %s attempt %d failed: %s", claim.job_id, claim.attempt, exc, exc_info=transient)
            return fail_job(
                sessions, claim, message, retry=transient, retry_base_seconds=config.retry_base_seconds
            )
    views = {name: view_relative_path(claim, name) for name in output.views}
    result_path = written[0].relative_to(config.data_dir).as_posix()
    if not keeper.lost and finish_job(sessions, claim, result_path, views):
        remove_other_attempts(config.data_dir, claim)
        return DONE
    # Fenced off: another attempt owns the job now. Our files have our attempt's name; remove them.
    remove_files(written)
    log.info("job %s attempt %d was fenced off; discarded its result", claim.job_id, claim.attempt)
    return None
