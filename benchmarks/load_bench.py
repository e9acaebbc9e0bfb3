"""Load: 50 people at once register, make an API token, upload photos and download the results, against
``restora serve`` (gunicorn) with a Celery ``restora worker`` on the real MariaDB and Redis.

Everything runs on 127.0.0.1 and is bounded: a fixed number of people and uploads, 30 s per request,
``DEADLINE_S`` for the whole run. Registration goes through the pages with the code read from the
site's outbox (no mail server: the embedded default). The site's queue cap is set below the number of
uploads sent at once, so the run also shows what happens past the caps: 429/503 with Retry-After (the
client waits that long, at most ``MAX_RETRY_WAIT_S``, and tries again), never a hang.

Reported: upload request p50/p95 (ms), jobs finished per second, the counts of 429, 503 and 5xx
answers, whether every 429/503 carried Retry-After, and jobs failed or unfinished.
MariaDB at 127.0.0.1:3306 (root, no password) and Redis at 127.0.0.1:6379 must be running.
"""

from __future__ import annotations

import email
import email.policy
import http.cookiejar
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import HTTPCookieProcessor, Request, build_opener

from benchmarks.common import photo, stop_processes

USERS = 50
UPLOADS_PER_USER = 2
DEADLINE_S = 300.0
REQUEST_TIMEOUT_S = 30.0
MAX_RETRY_WAIT_S = 3.0
SERVER_THREADS = 8
WORKER_CONCURRENCY = 2
MAX_QUEUED_JOBS = 30  # below USERS x UPLOADS_PER_USER sent at once: the 503 path is exercised
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
TOKEN = re.compile(r'<code id="new-token">([^<]+)</code>')
CODE = re.compile(r"\b(\d{6})\b")
REPO = Path(__file__).resolve().parents[1]


@dataclass
class Tally:
    """Counts and timings shared by the simulated people (one lock; a few hundred updates in all)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: dict[int, int] = field(default_factory=dict)
    upload_ms: list[float] = field(default_factory=list)
    missing_retry_after: int = 0
    finished: int = 0
    failed: int = 0
    unfinished: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, status: int, retry_after: str | None) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status in (429, 503) and not retry_after:
                self.missing_retry_after += 1


class Person:
    """One browser (a cookie jar) that later also uses the API with its token."""

    def __init__(self, base: str, outbox: Path, tally: Tally, number: int) -> None:
        self.base, self.outbox, self.tally = base, outbox, tally
        self.name = f"load{number:03d}_{uuid.uuid4().hex[:4]}"
        self.address = f"{self.name}@example.org"
        self.opener = build_opener(HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""

    def call(self, method: str, path: str, data: bytes | None = None, headers: dict | None = None,
             retry: bool = False) -> tuple[int, bytes, dict]:
        """One request; with ``retry``, a 429/503 waits its Retry-After (capped) and goes again."""
        while True:
            request = Request(self.base + path, data=data, method=method, headers=headers or {})
            try:
                with self.opener.open(request, timeout=REQUEST_TIMEOUT_S) as response:
                    status, body, answer_headers = response.status, response.read(), dict(response.headers)
            except HTTPError as error:
                status, body, answer_headers = error.code, error.read(), dict(error.headers)
                error.close()
            self.tally.count(status, answer_headers.get("Retry-After"))
            if retry and status in (429, 503):
                time.sleep(min(MAX_RETRY_WAIT_S, float(answer_headers.get("Retry-After") or 1)))
                continue
            return status, body, answer_headers

    def form(self, path: str, fields: dict, page: str | None = None) -> int:
        _status, html, _headers = self.call("GET", page or path)
        token = CSRF.search(html.decode()).group(1)
        body = urllib.parse.urlencode({**fields, "csrf_token": token}).encode()
        status, html, _headers = self.call("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
        self.last_html = html.decode(errors="replace")
        return status

    def code_from_outbox(self) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for path in sorted(self.outbox.glob("*.eml")):
                try:
                    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                except Exception:  # still being written
                    continue
                if message["To"] == self.address:
                    return CODE.search(message.get_content()).group(1)
            time.sleep(0.2)
        raise RuntimeError(f"no code mailed to {self.address}")

    def register_and_make_token(self) -> None:
        self.form("/register", {"username": self.name, "email": self.address, "password": PASSWORD,
                                "confirm": PASSWORD})
        self.form("/verify", {"code": self.code_from_outbox()})
        assert self.form(f"/{self.name}/settings/tokens", {"name": "load"}, page=f"/{self.name}/settings") == 201
        self.token = TOKEN.search(self.last_html).group(1)

    def upload_and_download(self, jpeg: bytes) -> None:
        boundary = uuid.uuid4().hex
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="tool"\r\n\r\nadjust\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="rotate"\r\n\r\nleft\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\n'
                f"Content-Type: image/jpeg\r\n\r\n").encode() + jpeg + f"\r\n--{boundary}--\r\n".encode()
        auth = {"Authorization": f"Bearer {self.token}"}
        while True:  # timed per attempt: a refused upload (429/503) is not an upload that took long
            started = time.perf_counter()
            status, answer, headers = self.call("POST", "/api/v1/jobs", body,
                                                {**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"})
            if status not in (429, 503):
                break
            time.sleep(min(MAX_RETRY_WAIT_S, float(headers.get("Retry-After") or 1)))
        with self.tally.lock:
            self.tally.upload_ms.append((time.perf_counter() - started) * 1000)
        if status != 201:
            raise RuntimeError(f"upload answered {status}: {answer[:200]!r}")
        job = json.loads(answer)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            _status, answer, _headers = self.call("GET", f"/api/v1/jobs/{job['id']}", headers=auth, retry=True)
            job = json.loads(answer)
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.3)
        with self.tally.lock:
            if job["status"] == "done":
                self.tally.finished += 1
            elif job["status"] == "failed":
                self.tally.failed += 1
            else:
                self.tally.unfinished += 1
        if job["status"] == "done":
            status, picture, _headers = self.call("GET", f"/api/v1/jobs/{job['id']}/result", headers=auth, retry=True)
            assert status == 200 and picture[:4] == b"\x89PNG"


def _mariadb_database(name: str, drop: bool = False) -> str:
    import pymysql

    server = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="")
    with server.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`" if drop else
                       f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    server.close()
    return f"mysql+pymysql://root:@127.0.0.1:3306/{name}?charset=utf8mb4"


def _wait_until(test, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if test():
            return
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not happen within {seconds:g} s")


def _healthy(base: str) -> bool:
    try:
        with build_opener().open(base + "/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(users: int = USERS, uploads_per_user: int = UPLOADS_PER_USER) -> list[dict]:
    database_name = f"restora_load_{os.getpid()}"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    processes: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "instance"
        env = {
            **os.environ,
            "RESTORA_DATA_DIR": str(data_dir),
            "RESTORA_DATABASE_URL": _mariadb_database(database_name),
            "RESTORA_EXECUTOR": "celery",
            "RESTORA_BROKER_URL": "redis://127.0.0.1:6379/13",
            "RESTORA_SECRET_KEY": "load-bench",
            # Everyone comes from 127.0.0.1: the per-address limits on the account forms would stop the
            # registrations of 50 people at 10 a minute; the API's own limit (per token) stays as set.
            "RESTORA_AUTH_RATE_LIMIT": "100000/minute",
            "RESTORA_MAIL_RATE_LIMIT": "100000/minute",
            "RESTORA_MAX_QUEUED_JOBS": str(MAX_QUEUED_JOBS),
        }
        env.pop("RESTORA_CONFIG", None)
        logs = Path(folder)
        try:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "restora", "serve", "--port", str(port), "--threads", str(SERVER_THREADS)],
                cwd=REPO, env=env, stdout=open(logs / "serve.log", "wb"), stderr=subprocess.STDOUT))
            _wait_until(lambda: _healthy(base), 60, "the site starting")
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "restora", "worker", "--concurrency", str(WORKER_CONCURRENCY)],
                cwd=REPO, env=env, stdout=open(logs / "worker.log", "wb"), stderr=subprocess.STDOUT))
            _wait_until(lambda: "ready" in (logs / "worker.log").read_text(errors="replace"), 60, "the worker starting")

            buffer = io.BytesIO()
            photo(0.3).save(buffer, "JPEG", quality=90)
            jpeg = buffer.getvalue()
            tally = Tally()
            people = [Person(base, data_dir / "outbox", tally, number) for number in range(users)]

            def one_person(person: Person) -> None:
                try:
                    person.register_and_make_token()
                    for _ in range(uploads_per_user):
                        person.upload_and_download(jpeg)
                except Exception as error:  # counted and reported, not raised: the run goes on
                    with tally.lock:
                        tally.errors.append(f"{person.name}: {error}")

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=users) as pool:
                futures = [pool.submit(one_person, person) for person in people]
                for future in futures:
                    future.result(timeout=max(1.0, DEADLINE_S - (time.perf_counter() - started)))
            seconds = time.perf_counter() - started
            if tally.errors:  # the servers' own words, for the report
                for name in ("serve.log", "worker.log"):
                    lines = (logs / name).read_text(errors="replace").splitlines()
                    tally.errors += [f"{name}: {line}" for line in lines if "Error" in line or "Traceback" in line][:5]
                    if os.environ.get("LOAD_BENCH_LOGS"):
                        Path(os.environ["LOAD_BENCH_LOGS"]).joinpath(name).write_text("\n".join(lines))
        finally:
            stop_processes(processes)
            _mariadb_database(database_name, drop=True)

    uploads = sorted(tally.upload_ms)
    return [{
        "name": f"load_{users}_users",
        "users": users,
        "uploads": len(uploads),
        "upload_p50_ms": round(statistics.median(uploads), 1) if uploads else None,
        "upload_p95_ms": round(uploads[max(0, int(0.95 * len(uploads)) - 1)], 1) if uploads else None,
        "jobs_per_second": round(tally.finished / seconds, 2),
        "seconds": round(seconds, 1),
        "jobs_done": tally.finished,
        "jobs_failed": tally.failed,
        "jobs_unfinished": tally.unfinished,
        "status_429": tally.statuses.get(429, 0),
        "status_503": tally.statuses.get(503, 0),
        "status_5xx_other": sum(n for status, n in tally.statuses.items() if status >= 500 and status != 503),
        "refusals_without_retry_after": tally.missing_retry_after,
        "errors": tally.errors[:20],
        "setup": {"server_threads": SERVER_THREADS, "worker_concurrency": WORKER_CONCURRENCY,
                  "max_queued_jobs": MAX_QUEUED_JOBS, "database": "MariaDB", "broker": "Redis",
                  "photo_megapixels": 0.3, "tool": "adjust"},
    }]


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
