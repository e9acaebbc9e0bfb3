"""A small client of Restora's HTTP API (``/api/v1``), on the standard library alone.

    from restora.client import Client
    client = Client("http://127.0.0.1:5000", token="rst_...")
    job = client.submit("old.jpg", "adjust", rotate="left")
    job = client.wait(job, progress=lambda fraction: print(f"{fraction:.0%}"))
    saved = client.result(job, "restored.png")  # restored.jpg when the tool had to fit a file size limit
    for view in job["views"]:  # side pictures some tools give, such as the background tool's mask
        client.view(job, view["name"], f"restored.{view['name']}.png")
    client.delete(job)

``wait`` follows the job's Server-Sent Events and falls back to polling when the stream is refused or
breaks. Every error answer becomes :class:`ApiError` with the server's stable ``code``.
"""

from __future__ import annotations

import json
import mimetypes
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.error import HTTPError, URLError
from urllib.parse import quote
from urllib.request import Request, urlopen

FINISHED = ("done", "failed")
# The suffixes each picture type the server sends may carry; the first is the one given to a path without one.
SUFFIXES = {"image/png": (".png",), "image/jpeg": (".jpg", ".jpeg")}


class ApiError(RuntimeError):
    """An error answer of the server: its HTTP status, stable ``code`` and ``detail`` for a person."""

    def __init__(self, status: int, code: str, detail: str, retry_after: float | None = None) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status, self.code, self.detail, self.retry_after = status, code, detail, retry_after


def _job_id(job: dict | str) -> str:
    return job if isinstance(job, str) else job["id"]


def _parts(fields: dict[str, str], files: dict[str, Path]) -> tuple[list[bytes | Path], str]:
    """A multipart body as pieces: bytes, and a Path where a file's bytes go; and its content type."""
    boundary = uuid.uuid4().hex
    pieces: list[bytes | Path] = []
    for name, value in fields.items():
        pieces.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, path in files.items():
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        pieces.append((f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{path.name}"\r\n'
                       f"Content-Type: {kind}\r\n\r\n").encode())
        pieces += [path, b"\r\n"]
    pieces.append(f"--{boundary}--\r\n".encode())
    return pieces, f"multipart/form-data; boundary={boundary}"


def _form(path: str | Path, tool: str, params: dict[str, Any]) -> tuple[dict[str, str], dict[str, Path]]:
    """(text fields, file parts) of a job: the photo, and each parameter given as a Path, are files."""
    files = {"photo": Path(path)}
    fields = {"tool": tool}
    for name, value in params.items():
        if isinstance(value, Path):
            files[name] = value
        elif isinstance(value, bool):
            fields[name] = "true" if value else "false"
        else:
            fields[name] = str(value)
    return fields, files


class Client:
    """The API of one server, as one token's user."""

    def __init__(self, server: str, token: str, timeout: float = 60.0) -> None:
        self.base = server.rstrip("/") + "/api/v1"
        self.token, self.timeout = token, timeout

    def _open(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None,
              timeout: float | None = None):
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        request = Request(self.base + path, data=body, method=method, headers=headers)
        try:
            return urlopen(request, timeout=timeout or self.timeout)  # noqa: S310 (the caller's own server)
        except HTTPError as error:
            raise self._error(error) from None

    @staticmethod
    def _error(error: HTTPError) -> ApiError:
        try:
            problem = json.loads(error.read() or b"{}")
        except ValueError:
            problem = {}
        finally:
            error.close()
        retry = error.headers.get("Retry-After")
        return ApiError(error.code, problem.get("code", "http_error"), problem.get("detail", str(error)),
                        float(retry) if retry and retry.isdigit() else None)

    def _json(self, method: str, path: str, **kwargs) -> Any:
        with self._open(method, path, **kwargs) as response:
            return json.loads(response.read() or b"null")

    def tools(self) -> list[dict]:
        """Every tool on the server with its parameters (name, kind, default, choices, limits)."""
        return self._json("GET", "/tools")["tools"]

    def limits(self) -> dict:
        """What this user may send and keep (``max_upload_bytes``, pixel caps, quota) and what they use now."""
        return self._json("GET", "/limits")

    def jobs(self) -> list[dict]:
        return self._json("GET", "/jobs")["jobs"]

    def job(self, job: dict | str) -> dict:
        return self._json("GET", f"/jobs/{_job_id(job)}")

    def submit(self, path: str | Path, tool: str, **params: Any) -> dict:
        """Upload ``path`` to run ``tool`` with ``params``; a parameter given as a Path is sent as a file."""
        pieces, content_type = _parts(*_form(path, tool, params))
        body = b"".join(piece.read_bytes() if isinstance(piece, Path) else piece for piece in pieces)
        return self._json("POST", "/jobs", body=body, content_type=content_type)

    @staticmethod
    def upload_size(path: str | Path, tool: str, **params: Any) -> int:
        """The bytes ``submit`` would send for the same arguments: what the server's ``max_upload_bytes`` (see
        :meth:`limits`) counts."""
        pieces, _ = _parts(*_form(path, tool, params))
        return sum(piece.stat().st_size if isinstance(piece, Path) else len(piece) for piece in pieces)

    def events(self, job: dict | str, timeout: float | None = None) -> Iterator[tuple[str, dict]]:
        """(event, job) pairs of the job's live stream, until the server ends it."""
        with self._open("GET", f"/jobs/{_job_id(job)}/events", timeout=timeout) as response:
            event, data = "message", []
            for raw in response:
                line = raw.decode("utf-8").rstrip("\r\n")
                if not line:
                    if data:
                        yield event, json.loads("\n".join(data))
                    event, data = "message", []
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())

    def wait(self, job: dict | str, progress: Callable[[float], None] | None = None, timeout: float = 600.0,
             poll_seconds: float = 0.5) -> dict:
        """The job once it is done or failed, reporting progress on the way (events, else polling).

        :raises TimeoutError: when it is still running after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                for event, current in self.events(job, timeout=max(1.0, deadline - time.monotonic())):
                    if progress is not None:
                        progress(float(current.get("progress", 0.0)))
                    if event in ("done", "failed"):
                        return current
                    if event == "gone":
                        raise ApiError(404, "not_found", "the job was deleted")
            except ApiError as error:
                if error.status != 503:  # 503: too many streams open; poll instead
                    raise
                return self._poll(job, progress, deadline, poll_seconds)
            except (URLError, OSError, ValueError):
                return self._poll(job, progress, deadline, poll_seconds)
            # The server ended a long stream; look once, then follow a new one.
            current = self.job(job)
            if current["status"] in FINISHED:
                return current
        raise TimeoutError(f"job {_job_id(job)} did not finish in {timeout:g} s")

    def _poll(self, job, progress, deadline: float, poll_seconds: float) -> dict:
        while time.monotonic() < deadline:
            current = self.job(job)
            if progress is not None:
                progress(float(current.get("progress", 0.0)))
            if current["status"] in FINISHED:
                return current
            time.sleep(poll_seconds)
        raise TimeoutError(f"job {_job_id(job)} did not finish in time")

    def result(self, job: dict | str, path: str | Path) -> Path:
        """Save the result picture to ``path``, as the server stored it: PNG, or JPEG where the tool had to fit a
        file size limit (then a ``.png`` path is written as ``.jpg``). Returns the path written.

        :raises FileExistsError: when that ``.jpg`` already exists (it may be the photo sent); nothing is written.
        """
        return self._save(f"/jobs/{_job_id(job)}/result", path)

    def view(self, job: dict | str, name: str, path: str | Path) -> Path:
        """Save one side picture of a done job (a name from its ``views``, such as ``mask``) to ``path`` (PNG);
        returns the path written."""
        return self._save(f"/jobs/{_job_id(job)}/views/{quote(name, safe='')}", path)

    def _save(self, api_path: str, path: str | Path) -> Path:
        target = Path(path)
        with self._open("GET", api_path) as response:
            suffixes = SUFFIXES.get(response.headers.get_content_type(), ())
            # Read whole even when refused below: a download cut short is a broken write for the server (Werkzeug's
            # left the result file it was sending open).
            data = response.read()
        if suffixes and target.suffix.lower() not in suffixes:
            renamed = target.with_suffix(suffixes[0])  # the name says the format the bytes are in
            if renamed.exists():  # not the file asked for: it may be the very photo sent (cat.jpg for cat.png)
                raise FileExistsError(f"{renamed} exists; the result is {suffixes[0][1:].upper()}, not what "
                                      f"{target.name} says: name the path {renamed.name} to replace it")
            target = renamed
        target.write_bytes(data)
        return target

    def delete(self, job: dict | str) -> None:
        self._open("DELETE", f"/jobs/{_job_id(job)}").close()
