"""Settings: one frozen dataclass, read once from RESTORA_* variables and an optional TOML file.

Precedence, lowest first: the defaults below, the TOML file named by ``RESTORA_CONFIG`` (or passed
to :func:`load_settings`), then ``RESTORA_<FIELD>`` environment variables. An unknown key in the
TOML file or an unknown ``RESTORA_*`` variable is an error, so a typo never silently does nothing.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Mapping


PRECISIONS = ("auto", "float32", "bfloat16")


class ConfigError(ValueError):
    """A setting is unknown or has a value of the wrong kind."""


# Variables that are read by the program but are not Settings fields; RESTORA_TEST_* belong to
# the test suite (which database to use, and so on).
_NON_FIELD_VARIABLES = {"RESTORA_CONFIG", "RESTORA_TOKEN"}  # RESTORA_TOKEN: `restora gui --server`
_NON_FIELD_PREFIX = "RESTORA_TEST_"


@dataclass(frozen=True)
class Settings:
    # Where uploads, results, the SQLite database and the mail outbox live.
    data_dir: Path = Path("instance")
    # Where official checkpoints a user owns (latest_net_G.pth, u2net.pth, ...) are looked for.
    models_dir: Path = Path.home() / ".restora" / "models"
    # Image limits, checked from the header before any pixel is decoded.
    max_pixels: int = 40_000_000
    max_side: int = 12_000
    # Largest upload the web site accepts, in bytes.
    max_upload_bytes: int = 50 * 1024 * 1024
    # SQLAlchemy URL; empty means SQLite in data_dir.
    database_url: str = ""
    # "thread" (embedded default) or "celery".
    executor: str = "thread"
    thread_workers: int = 1
    broker_url: str = "redis://127.0.0.1:6379/0"
    # Flask-Limiter storage; "memory://" on a single machine, a redis:// URL when scaled out.
    ratelimit_storage_uri: str = "memory://"
    # Reverse proxies in front of the web site that set X-Forwarded-For/-Proto (0: none). The client IP
    # (rate limits) and HTTPS (Secure cookies) are taken from that many hops of those headers.
    proxy_hops: int = 0
    # The site's address as people reach it ("https://photos.example.org"), for links in mail (the
    # password-reset link). Never taken from a request's Host header, which a sender controls; empty: the
    # mail carries the code alone.
    public_url: str = ""
    # Empty means a random key stored in data_dir on first start.
    secret_key: str = ""
    # Requests per client IP on the account forms (POST only) and on "send the code again", in
    # Flask-Limiter's syntax; the per-account login counter is separate (in the users table).
    auth_rate_limit: str = "10/minute;100/hour"
    mail_rate_limit: str = "5/minute;30/hour"
    # Requests per API token (or per client IP without one) on /api/v1, in Flask-Limiter's syntax.
    api_rate_limit: str = "300/minute"
    # Live-progress streams (/api/v1/jobs/<id>/events) one server process keeps open at once. Each holds
    # one of gunicorn's threads (`restora serve --threads`, default 4), so keep it below that; past it a
    # stream is refused with 503 and the page falls back to polling.
    max_event_streams: int = 2
    # Seconds one stream stays open before the server ends it (the browser reconnects by itself).
    event_stream_seconds: float = 120.0
    # Pictures one person may have waiting (queued or running) at once; one more is refused with a 429.
    max_waiting_jobs: int = 5
    # Queued jobs on the whole site past which new uploads are refused with a 503 and Retry-After.
    max_queued_jobs: int = 100
    # Seconds a worker that stopped answering keeps a job before another worker may take it over.
    job_lease_seconds: float = 60.0
    # Per-person quota: pictures kept (one job each) and bytes stored (uploads and results).
    max_jobs_per_user: int = 200
    max_bytes_per_user: int = 1024**3
    # "modern" (8-128 characters, common passwords refused) or "classic" (6-18, letter+digit+special).
    password_policy: str = "modern"
    # Outgoing mail; an empty host writes messages to data_dir/outbox instead.
    mail_host: str = ""
    mail_port: int = 25
    mail_username: str = ""
    mail_password: str = ""
    mail_use_tls: bool = False
    mail_sender: str = "Restora <restora@localhost>"
    # Torch threads for inference in one process; 0 means torch's default.
    torch_threads: int = 0
    # Arithmetic of the nets at inference: "auto" (bfloat16 on CPUs that compute it natively, AVX512-BF16
    # or AMX, where it halves the time at no measured loss; float32 elsewhere), "float32" or "bfloat16".
    inference_precision: str = "auto"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "restora.sqlite3"

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path.resolve()}"

    def replace(self, **changes: object) -> "Settings":
        return dataclasses.replace(self, **changes)


def _coerce(name: str, kind: type, raw: object) -> object:
    """Turn a TOML value or an environment string into the field's type."""
    try:
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if kind is int:
            if isinstance(raw, bool):
                raise ValueError(raw)
            return int(raw)
        if kind is float:
            if isinstance(raw, bool):
                raise ValueError(raw)
            return float(raw)
        if kind is Path:
            return Path(str(raw)).expanduser()
        return str(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name!r} must be {kind.__name__}, got {raw!r}") from None


def _field_types() -> dict[str, type]:
    kinds = {"bool": bool, "int": int, "float": float, "str": str, "Path": Path}
    return {f.name: kinds[f.type] for f in fields(Settings)}


def load_settings(
    toml_path: Path | None = None, environ: Mapping[str, str] | None = None, **overrides: object
) -> Settings:
    """Read settings from a TOML file, RESTORA_* variables and explicit overrides (highest wins).

    :raises ConfigError: on an unknown key or a value of the wrong kind.
    """
    environ = os.environ if environ is None else environ
    types = _field_types()
    values: dict[str, object] = {}

    toml_path = toml_path or (Path(environ["RESTORA_CONFIG"]) if environ.get("RESTORA_CONFIG") else None)
    if toml_path is not None:
        try:
            table = tomllib.loads(Path(toml_path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read config file {toml_path}: {exc}") from None
        for key, raw in table.items():
            if key not in types:
                raise ConfigError(f"unknown setting {key!r} in {toml_path}")
            values[key] = _coerce(key, types[key], raw)

    for variable, raw in environ.items():
        if not variable.startswith("RESTORA_") or variable in _NON_FIELD_VARIABLES:
            continue
        if variable.startswith(_NON_FIELD_PREFIX):
            continue
        key = variable.removeprefix("RESTORA_").lower()
        if key not in types:
            raise ConfigError(f"unknown environment variable {variable}")
        values[key] = _coerce(key, types[key], raw)

    for key, raw in overrides.items():
        if key not in types:
            raise ConfigError(f"unknown setting {key!r}")
        values[key] = _coerce(key, types[key], raw)

    settings = Settings(**values)
    if settings.executor not in {"thread", "celery"}:
        raise ConfigError(f"executor must be 'thread' or 'celery', got {settings.executor!r}")
    if settings.inference_precision not in PRECISIONS:
        raise ConfigError(
            f"inference_precision must be one of {', '.join(PRECISIONS)}, got {settings.inference_precision!r}"
        )
    if settings.password_policy not in {"modern", "classic"}:
        raise ConfigError(f"password_policy must be 'modern' or 'classic', got {settings.password_policy!r}")
    for name in ("max_waiting_jobs", "max_queued_jobs", "max_jobs_per_user", "max_bytes_per_user"):
        if getattr(settings, name) < 1:
            raise ConfigError(f"{name} must be at least 1, got {getattr(settings, name)}")
    if settings.job_lease_seconds < 0.5:  # heartbeats come three times a lease; shorter is all writes
        raise ConfigError(f"job_lease_seconds must be at least 0.5, got {settings.job_lease_seconds}")
    return settings
