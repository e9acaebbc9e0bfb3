"""The window as a client of a remote Restora server (``restora gui --server URL``).

The tool list and every parameter come from the server's ``GET /api/v1/tools``; a run uploads the
current picture through :mod:`restora.client`, follows the job's Server-Sent Events for the progress bar
(polling when the server refuses a stream), downloads the result and deletes the job on the server (the
window holds the result; the server's quota is not spent on copies nobody asked to keep). Cancel deletes
the job, which stops it on the server. Pictures the form holds (a second photo, painted hints) are sent
as PNG file parts. The photo goes as the file it was opened from when nothing changed it, else as a PNG, else
(over the server's ``max_upload_bytes``, from ``GET /api/v1/limits``) as a JPEG at quality 95, which the
window mentions; one that fits none of them is refused before anything is sent (:mod:`restora.gui.upload`).

:class:`RemoteTool` has what the window's form and Run need from a tool (name, texts, ``params``,
``validate``); :class:`RemoteEngine` has the tool process's ``run``/``close``, so the window itself does
not change between local and remote. This module imports no Qt except in :func:`ask_token`.
"""

from __future__ import annotations

import queue
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.error import URLError

from PIL import Image

from restora.client import ApiError, Client
from restora.gui.engine import Cancelled, ProblemRaised
from restora.gui.errors import Problem
from restora.gui.upload import FALLBACK_JPEG_QUALITY, upload_candidates
from restora.imaging.io import SOURCE_JPEG_KEY
from restora.i18n import N_, size_text, with_plain_suffix_again
from restora.tools.base import InvalidParams, Param

# "weights" the server never lists (a path sent by a client must not choose what the server loads); every
# other kind travels: pictures (image, painted hints) as file parts, the rest as text fields.
UNSENDABLE_KINDS = ("weights",)
POLL = 0.05  # seconds between looks at Cancel while the server works
WAIT_SECONDS = 3600.0  # a job still running after an hour on the server is reported, not waited on for ever
TOO_LARGE = N_("This server takes uploads of up to {0} (its max_upload_bytes); the photo needs {1} even as {2}, "
               "with the tool's other pictures. Nothing was sent. Make the photo smaller (fewer pixels), or ask the "
               "server's owner for a higher limit.")
COMPRESSED = N_("The photo was sent compressed (JPEG, quality {}): as a PNG it is over the server's upload limit of {}.")


class RemoteTool:
    """A tool of the server, rebuilt from its ``/api/v1/tools`` description."""

    translations: dict = {}  # the server's texts arrive in English; the catalogue translates known ones

    def __init__(self, described: Mapping[str, Any]) -> None:
        self.name = str(described["name"])
        self.title = str(described.get("title") or self.name)
        self.description = str(described.get("description") or "")
        self.params = tuple(_param(p) for p in described.get("params", ()) if p.get("kind") not in UNSENDABLE_KINDS)

    def validate(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """What to send for the form's raw values: checked here the way the server checks them, so a mistake
        is shown at once; a picture stays a picture (it travels as a file), the rest as its text form.

        :raises InvalidParams: with a message for the user.
        """
        unknown = sorted(set(raw) - {p.name for p in self.params})
        if unknown:
            raise InvalidParams(f"{self.name} has no parameter {unknown[0]!r}")
        send: dict[str, Any] = {}
        for param in self.params:
            value = param.coerce(raw.get(param.name))
            if value is None:
                continue  # the server's default
            if param.kind == "box":
                value = ",".join(str(int(part)) for part in value)
            send[param.name] = value
        return send


def _param(described: Mapping[str, Any]) -> Param:
    def number(key: str) -> float | None:
        value = described.get(key)
        return None if value is None else float(value)

    kind = str(described["kind"])
    default = described.get("default")
    if kind == "box" and isinstance(default, list):
        default = tuple(default)
    return Param(
        name=str(described["name"]), kind=kind, default=default, label=str(described.get("label") or ""),
        help=str(described.get("help") or ""), choices=tuple(described.get("choices") or ()),
        # an ID size's "(295×413 px)" arrives joined to its label: split, so the catalogue finds the label
        choice_labels=tuple(with_plain_suffix_again(str(label)) for label in described.get("choice_labels") or ()),
        minimum=number("minimum"), maximum=number("maximum"), required=bool(described.get("required")), units=str(described.get("units") or ""),
        advanced=bool(described.get("advanced")),
    )


def remote_tools(client: Client) -> dict[str, RemoteTool]:
    """Every tool of the server, by name, in the server's order.

    :raises ApiError: for a refused token (401) or another error answer; URLError when unreachable.
    """
    return {tool.name: tool for tool in (RemoteTool(item) for item in client.tools())}


class RemoteEngine:
    """Runs tools on the server; the same ``run`` and ``close`` as :class:`restora.gui.engine.ToolProcess`."""

    def __init__(self, client: Client) -> None:
        self.client = client
        # The server's max_upload_bytes, asked once: it is the server's setting, not the user's usage, and a
        # GET per run would spend the API rate limit (a batch) on the same answer. Unknown until the first run.
        self._limit: tuple[int | None] | None = None

    def run(self, tool: Any, image: Image.Image, params: dict, settings: Any,
            progress: Callable[[float], None], notice: Callable[..., None] | None = None) -> tuple[Image.Image, bytes]:
        """(the result, its raw bytes); ``progress`` may raise :class:`Cancelled`, which deletes the job;
        ``notice(words, *values)`` hears that the photo had to be sent compressed.

        :raises ProblemRaised: when the photo is too large to send, the server refuses the job, the job fails,
            or the server is unreachable.
        """
        try:
            with tempfile.TemporaryDirectory(prefix="restora-remote-") as folder:
                return self._run(Path(folder), tool.name, image, params, progress, notice or (lambda *_: None))
        except ApiError as error:
            raise ProblemRaised(_refused(error)) from None
        except (URLError, ConnectionError, TimeoutError) as error:
            reason = getattr(error, "reason", error)
            raise ProblemRaised(Problem(N_("The server cannot be reached"),
                                        f"{self.client.base}: {reason}", "crash")) from None

    def _run(self, folder: Path, tool: str, image: Image.Image, params: dict, progress: Callable[[float], None],
             notice: Callable[..., None]) -> tuple[Image.Image, bytes]:
        send = {}
        for name, value in params.items():
            if isinstance(value, Image.Image):  # a picture (a second photo, painted hints) is a file part
                path = folder / f"{name}.png"
                value.save(path)
                value = path
            send[name] = value
        progress(0.0)
        photo = self._photo_file(folder, image, tool, send, notice)
        job = self.client.submit(photo, tool, **send)
        try:  # the job is deleted whatever happens (cancelled, failed, or its download broke): no quota is left used
            finished = self._follow(job, progress)
            if finished["status"] != "done":
                raise ProblemRaised(Problem(N_("The tool failed"), finished.get("error") or "The job failed.", "bug"))
            saved = self.client.result(finished, folder / "result.png")  # .jpg when the tool had to fit a file size
        finally:
            self._delete(job)
        with Image.open(saved) as opened:
            result = opened.convert("RGBA" if "A" in opened.getbands() else "RGB")
            if opened.format == "JPEG":  # Save writes the server's file as it is: it meets the size limit asked
                result.info = {SOURCE_JPEG_KEY: saved.read_bytes()}
        progress(1.0)
        return result, result.tobytes()

    def _photo_file(self, folder: Path, image: Image.Image, tool: str, send: dict,
                    notice: Callable[..., None]) -> Path:
        """The first of the photo's candidate files whose whole request fits the server's upload limit.

        :raises ProblemRaised: naming the limit, when none fits.
        """
        limit = self._upload_limit()
        smallest: tuple[int, str] | None = None
        for candidate in upload_candidates(image, folder):
            size = self.client.upload_size(candidate.path, tool, **send)
            if limit is None or size <= limit:
                if candidate.compressed:
                    notice(COMPRESSED, FALLBACK_JPEG_QUALITY, size_text(limit))
                return candidate.path
            if smallest is None or size < smallest[0]:
                smallest = (size, candidate.what)
        raise ProblemRaised(Problem(N_("The photo is too large for the server"), TOO_LARGE, "params",
                                    (size_text(limit), size_text(smallest[0]), smallest[1])))

    def _upload_limit(self) -> int | None:
        """The server's ``max_upload_bytes``, asked on the first run only; None from a server that does not say
        (it answers 413 if need be)."""
        if self._limit is None:
            self._limit = (self._ask_upload_limit(),)
        return self._limit[0]

    def _ask_upload_limit(self) -> int | None:
        try:
            return int(self.client.limits()["max_upload_bytes"])
        except ApiError as error:
            if error.status == 404:
                return None
            raise
        except (KeyError, TypeError, ValueError):
            return None

    def _follow(self, job: dict, progress: Callable[[float], None]) -> dict:
        """The finished job; the client's wait (events, else polling) runs on a thread of its own so a Cancel
        is seen within :data:`POLL` seconds even while the stream is quiet."""
        news: queue.SimpleQueue = queue.SimpleQueue()

        def wait() -> None:
            try:
                news.put(("finished", self.client.wait(job, progress=lambda f: news.put(("progress", f)),
                                                       timeout=WAIT_SECONDS)))
            except BaseException as error:  # handed to the run's thread, which raises it
                news.put(("error", error))

        threading.Thread(target=wait, name="restora-remote-wait", daemon=True).start()
        fraction = 0.0
        while True:
            try:
                kind, value = news.get(timeout=POLL)
            except queue.Empty:
                progress(fraction)  # where Cancel is noticed
                continue
            if kind == "progress":
                fraction = value
                progress(fraction)
            elif kind == "finished":
                return value
            else:
                raise value

    def _delete(self, job: dict) -> None:
        try:
            self.client.delete(job)
        except (ApiError, URLError, OSError):
            pass  # already gone, or the server went away: nothing more to tidy from here

    def close(self, wait: float = 0) -> None:
        """Nothing to stop: no process of ours runs the tools."""


def _refused(error: ApiError) -> Problem:
    if error.status == 401:
        return Problem(N_("The server refused the token"), error.detail, "params")
    if error.status in (429, 503):
        retry = f" (try again in {error.retry_after:g} s)" if error.retry_after else ""
        return Problem(N_("The server is busy"), error.detail + retry, "crash")
    if error.status in (400, 413, 415, 422):
        return Problem(N_("The tool cannot run"), error.detail, "params")
    return Problem(N_("The tool failed"), f"{error.detail} ({error.status} {error.code})", "bug")


def connect(server: str, token: str | None, ask: Callable[[str], str | None] | None = None,
            tries: int = 3) -> tuple[Client, dict[str, RemoteTool]]:
    """A client of ``server`` and its tools. Without a token, or with one the server refuses, ``ask``
    (given the reason) is asked for one, up to ``tries`` times.

    :raises ConnectionError: for an unreachable server, no token given, or every token refused.
    """
    reason = ""
    for _ in range(tries):
        if not token:
            token = ask(reason) if ask is not None else None
            if not token:
                raise ConnectionError(reason or f"no token for {server}: give --token or set RESTORA_TOKEN")
        client = Client(server, token.strip())
        try:
            return client, remote_tools(client)
        except ApiError as error:
            if error.status != 401:
                raise ConnectionError(f"{server} answered {error.status} {error.code}: {error.detail}") from None
            reason, token = f"{server} refused the token: {error.detail}", None
        except (URLError, OSError, ValueError) as error:
            raise ConnectionError(f"{server} cannot be reached: {getattr(error, 'reason', error)}") from None
    raise ConnectionError(reason)


def ask_token(server: str, language: str = "en") -> Callable[[str], str | None]:
    """A dialog asking for a personal access token (hidden as typed); None when the user cancels."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    from restora.gui.texts import text

    def ask(reason: str) -> str | None:
        prompt = text(N_("A personal access token for {} (account settings on the site):"), language).format(server)
        if reason:
            prompt = f"{reason}\n\n{prompt}"
        token, accepted = QInputDialog.getText(None, text(N_("Connect to a server"), language), prompt,
                                               QLineEdit.EchoMode.Password)
        return token if accepted and token.strip() else None

    return ask
