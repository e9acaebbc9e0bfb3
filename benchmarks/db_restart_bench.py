"""Database restart under load: the machine's MariaDB is shut down and started again while people upload
through the API and browse their pages, against ``restora serve`` (gunicorn) and a Celery ``restora
worker`` on the real MariaDB and Redis. The site is not restarted: it must answer 503 with Retry-After
while the database is away (never a hang, never a traceback) and serve again by itself once it is back.

The restart is the real one (``mariadb-admin -uroot shutdown``, then ``start-stop-daemon --start --oknodo
--background --exec /usr/sbin/mariadbd``), so it needs root and it briefly takes MariaDB away from
everything else on the machine. MariaDB is always started again: in a ``finally``, on SIGTERM, and by a
watchdog process of its own session that starts it if it is still down ``WATCHDOG_S`` after the shutdown
(should this process die in between).

Reported: how long the database was away, the requests made meanwhile and their answers, 5xx other than
503, 503 without Retry-After, answers carrying a traceback, requests slower than ``HANG_S`` or that timed
out, the seconds from the database being back to the first good answer of each kind (a logged-in page,
the API's job list, an upload), failures after that, whether the web process restarted, and the jobs
uploaded: done, failed with their reasons, unfinished.
"""

from __future__ import annotations

import http.cookiejar
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import HTTPCookieProcessor, Request, build_opener

from benchmarks.common import photo, stop_processes
from benchmarks.load_bench import REPO, _free_port, _healthy, _mariadb_database, _wait_until

UPLOADERS = 4
WARMUP_S = 8.0
DOWN_S = 5.0  # the database stays away this long after its shutdown finished, before it is started again
AFTER_S = 20.0  # load goes on this long after the database is back
PROBE_EVERY_S = 0.2
REQUEST_TIMEOUT_S = 30.0
HANG_S = 10.0  # an answer slower than this counts as a hang
MAX_RETRY_WAIT_S = 1.0  # the drivers honour Retry-After, capped, so they keep probing through the outage
SETTLE_S = 120.0
WATCHDOG_S = 90.0
MARIADBD = "/usr/sbin/mariadbd"
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


# --- the machine's MariaDB ---------------------------------------------------------------------------


def mariadb_up() -> bool:
    done = subprocess.run(["mariadb-admin", "-uroot", "--connect-timeout=2", "ping"], capture_output=True)
    return done.returncode == 0


def start_mariadb(wait_s: float = 60.0) -> float:
    """Start the machine's MariaDB (nothing if it runs) and wait until it answers; the seconds it took."""
    started = time.monotonic()
    subprocess.run(["start-stop-daemon", "--start", "--oknodo", "--background", "--exec", MARIADBD], check=False)
    _wait_until(mariadb_up, wait_s, "MariaDB answering after its start")
    return time.monotonic() - started


def _cannot_restart() -> str:
    """Why this machine's MariaDB cannot be restarted from here, or "" when it can."""
    if os.geteuid() != 0:
        return "needs root (it stops and starts the machine's MariaDB)"
    missing = [program for program in ("mariadb-admin", "start-stop-daemon") if not shutil.which(program)]
    if missing or not Path(MARIADBD).exists():
        return f"not found: {', '.join(missing or [MARIADBD])}"
    if not mariadb_up():
        return "MariaDB is not running at 127.0.0.1:3306 (this benchmark restarts it, so it must be up)"
    return ""


def _watchdog() -> subprocess.Popen:
    """A process outside ours that starts MariaDB again if it is still down in WATCHDOG_S seconds."""
    script = (f"sleep {WATCHDOG_S:g}; mariadb-admin -uroot --connect-timeout=2 ping >/dev/null 2>&1 || "
              f"start-stop-daemon --start --oknodo --background --exec {MARIADBD}")
    return subprocess.Popen(["sh", "-c", script], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# --- the load ------------------------------------------------------------------------------------------


@dataclass
class Answer:
    kind: str
    started: float
    seconds: float
    status: int | None  # None: no HTTP answer (refused, reset, timed out)
    error: str = ""
    retry_after: bool = False
    traceback: bool = False


@dataclass
class Record:
    lock: threading.Lock = field(default_factory=threading.Lock)
    answers: list[Answer] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)

    def call(self, opener, kind: str, method: str, url: str, data: bytes | None = None,
             headers: dict | None = None) -> tuple[int | None, bytes, dict]:
        request = Request(url, data=data, method=method, headers=headers or {})
        started = time.monotonic()
        status, body, answer_headers, error = None, b"", {}, ""
        try:
            with opener.open(request, timeout=REQUEST_TIMEOUT_S) as response:
                status, body, answer_headers = response.status, response.read(), dict(response.headers)
        except HTTPError as failure:
            status, body, answer_headers = failure.code, failure.read(), dict(failure.headers)
            failure.close()
        except (URLError, OSError) as failure:
            error = type(getattr(failure, "reason", failure)).__name__
        answer = Answer(kind, started, time.monotonic() - started, status, error, "Retry-After" in answer_headers,
                        b"Traceback" in body)
        with self.lock:
            self.answers.append(answer)
        return status, body, answer_headers


def _pause(headers: dict) -> None:
    try:
        time.sleep(min(MAX_RETRY_WAIT_S, float(headers.get("Retry-After") or MAX_RETRY_WAIT_S)))
    except ValueError:
        time.sleep(MAX_RETRY_WAIT_S)


def _log_in(record: Record, base: str, username: str):
    opener = build_opener(HTTPCookieProcessor(http.cookiejar.CookieJar()))
    _status, page, _headers = record.call(opener, "login", "GET", base + "/login")
    token = CSRF.search(page.decode()).group(1)
    body = urllib.parse.urlencode({"login": username, "password": PASSWORD, "csrf_token": token}).encode()
    status, _page, _headers = record.call(opener, "login", "POST", base + "/login", body,
                                          {"Content-Type": "application/x-www-form-urlencoded"})
    if status != 200:  # the redirect to the dashboard is followed
        raise RuntimeError(f"log in answered {status}")
    return opener


def _uploader(record: Record, base: str, token: str, jpeg: bytes, stop: threading.Event) -> None:
    opener = build_opener()
    auth = {"Authorization": f"Bearer {token}"}
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="tool"\r\n\r\nadjust\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="rotate"\r\n\r\nleft\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n").encode() + jpeg + f"\r\n--{boundary}--\r\n".encode()
    upload_headers = {**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    while not stop.is_set():
        status, answer, headers = record.call(opener, "upload", "POST", base + "/api/v1/jobs", body, upload_headers)
        if status != 201:
            _pause(headers)
            continue
        job_id = json.loads(answer)["id"]
        with record.lock:
            record.jobs.append(job_id)
        deadline = time.monotonic() + 60
        while not stop.is_set() and time.monotonic() < deadline:
            status, answer, headers = record.call(opener, "job", "GET", f"{base}/api/v1/jobs/{job_id}", headers=auth)
            if status == 200 and json.loads(answer)["status"] in ("done", "failed"):
                if json.loads(answer)["status"] == "done":
                    record.call(opener, "result", "GET", f"{base}/api/v1/jobs/{job_id}/result", headers=auth)
                break
            if status in (429, 503):
                _pause(headers)
            else:
                time.sleep(0.2)


def _prober(record: Record, kind: str, opener, url: str, headers: dict, stop: threading.Event) -> None:
    while not stop.is_set():
        record.call(opener, kind, "GET", url, headers=headers)
        time.sleep(PROBE_EVERY_S)


def _make_account(settings, username: str) -> str:
    """A verified account and an API token for it, written straight to the database; the token."""
    from restora.accounts.tokens import create_token
    from restora.accounts.users import create_account
    from restora.db import open_database

    database = open_database(settings)
    with database.sessions.begin() as session:
        user = create_account(session, username, f"{username}@example.org", PASSWORD, settings.password_policy)
        session.flush()
        _row, secret = create_token(session, user, "db-restart")
    database.dispose()
    return secret


def _summary(record: Record, down_at: float, up_at: float) -> dict:
    answers = sorted(record.answers, key=lambda a: a.started)
    good = lambda a: a.status is not None and a.status < 400  # noqa: E731
    during = [a for a in answers if down_at <= a.started < up_at]
    statuses: dict[str, int] = {}
    for answer in during:
        key = str(answer.status) if answer.status is not None else f"no answer ({answer.error})"
        statuses[key] = statuses.get(key, 0) + 1
    recovery = {}
    for kind in ("page", "jobs_list", "upload"):
        first = next((a for a in answers if a.kind == kind and a.started >= up_at and good(a)), None)
        recovery[kind] = round(first.started + first.seconds - up_at, 2) if first else None
    recovered_at = up_at + max((value for value in recovery.values() if value is not None), default=0.0)
    after = [a for a in answers if a.started > recovered_at + 1.0]
    return {
        "requests": len(answers),
        "requests_during_outage": len(during),
        "failed_during_outage": sum(not good(a) for a in during),
        "answers_during_outage": dict(sorted(statuses.items())),
        "status_5xx_other_than_503": sum(a.status is not None and a.status >= 500 and a.status != 503 for a in answers),
        "status_503_without_retry_after": sum(a.status == 503 and not a.retry_after for a in answers),
        "answers_with_traceback": sum(a.traceback for a in answers),
        "no_answer": sum(a.status is None for a in answers),
        "slower_than_hang_s": sum(a.seconds > HANG_S for a in answers),
        "slowest_answer_s": round(max((a.seconds for a in answers), default=0.0), 2),
        "recovery_seconds_after_db_up": recovery,
        "failed_after_recovery": sum(not good(a) and a.status not in (429,) for a in after),
    }


def run() -> list[dict]:
    from restora.config import Settings
    from restora.db import open_database
    from restora.jobs.models import DONE, FAILED, Job
    from restora.migrations import migrate

    cannot = _cannot_restart()
    if cannot:  # said in the results rather than ending `make bench` after its other suites ran
        return [{"name": "db_restart_under_load", "not_run": cannot}]
    database_name = f"restora_dbrestart_{os.getpid()}"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    processes: list[subprocess.Popen] = []
    watchdog = None
    previous_sigterm = signal.getsignal(signal.SIGTERM)

    def on_sigterm(_signum, _frame):  # unwinds through the finally below, which starts MariaDB again
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, on_sigterm)
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "instance"
        url = _mariadb_database(database_name)
        settings = Settings(data_dir=data_dir, database_url=url, executor="celery",
                            broker_url="redis://127.0.0.1:6379/11")
        env = {**os.environ, "RESTORA_DATA_DIR": str(data_dir), "RESTORA_DATABASE_URL": url,
               "RESTORA_EXECUTOR": "celery", "RESTORA_BROKER_URL": settings.broker_url,
               "RESTORA_SECRET_KEY": "db-restart-bench", "RESTORA_AUTH_RATE_LIMIT": "100000/minute"}
        env.pop("RESTORA_CONFIG", None)
        logs = Path(folder)
        record = Record()
        stop = threading.Event()
        threads: list[threading.Thread] = []
        down_at = up_at = None
        try:
            migrate(settings)
            token = _make_account(settings, "dbrestart")
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "restora", "serve", "--port", str(port), "--threads", "8"],
                cwd=REPO, env=env, stdout=open(logs / "serve.log", "wb"), stderr=subprocess.STDOUT))
            _wait_until(lambda: _healthy(base), 60, "the site starting")
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "restora", "worker", "--concurrency", "2", "--lease-seconds", "5"],
                cwd=REPO, env=env, stdout=open(logs / "worker.log", "wb"), stderr=subprocess.STDOUT))
            _wait_until(lambda: "ready" in (logs / "worker.log").read_text(errors="replace"), 60, "the worker starting")
            boots = (logs / "serve.log").read_text(errors="replace").count("Booting worker")

            buffer = io.BytesIO()
            photo(0.3).save(buffer, "JPEG", quality=90)
            browser = _log_in(record, base, "dbrestart")
            auth = {"Authorization": f"Bearer {token}"}
            threads = [threading.Thread(target=_uploader, args=(record, base, token, buffer.getvalue(), stop), daemon=True)
                       for _ in range(UPLOADERS)]
            threads.append(threading.Thread(target=_prober, args=(record, "page", browser, base + "/dbrestart/", {}, stop),
                                            daemon=True))
            threads.append(threading.Thread(target=_prober, args=(record, "jobs_list", build_opener(),
                                                                  base + "/api/v1/jobs", auth, stop), daemon=True))
            for thread in threads:
                thread.start()
            time.sleep(WARMUP_S)

            watchdog = _watchdog()
            down_at = time.monotonic()
            subprocess.run(["mariadb-admin", "-uroot", "shutdown"], check=True, timeout=60)
            _wait_until(lambda: not mariadb_up(), 30, "MariaDB stopping")
            shutdown_s = time.monotonic() - down_at
            time.sleep(DOWN_S)
            start_s = start_mariadb()
            up_at = time.monotonic()
            time.sleep(AFTER_S)
            stop.set()
            for thread in threads:
                thread.join(REQUEST_TIMEOUT_S + 5)

            web_restarted = (processes[0].poll() is not None
                             or (logs / "serve.log").read_text(errors="replace").count("Booting worker") != boots)
            database = open_database(settings)

            def settled() -> bool:
                with database.sessions() as session:
                    return all(session.get(Job, job_id).status in (DONE, FAILED) for job_id in record.jobs)

            try:
                _wait_until(settled, SETTLE_S, "every job settling")
            except RuntimeError:
                pass  # reported as unfinished below
            with database.sessions() as session:
                rows = [session.get(Job, job_id) for job_id in record.jobs]
            database.dispose()
        finally:
            stop.set()
            if not mariadb_up():
                start_mariadb()
            if watchdog is not None and watchdog.poll() is None:
                os.killpg(watchdog.pid, signal.SIGKILL)  # our own watchdog; MariaDB is up
                watchdog.wait()
            signal.signal(signal.SIGTERM, previous_sigterm)
            stop_processes(processes)
            if mariadb_up():
                _mariadb_database(database_name, drop=True)
            if os.environ.get("DB_RESTART_BENCH_LOGS"):  # the servers' own words, for a closer look
                for name in ("serve.log", "worker.log"):
                    Path(os.environ["DB_RESTART_BENCH_LOGS"]).joinpath(name).write_bytes((logs / name).read_bytes())

    summary = _summary(record, down_at, up_at)
    return [{
        "name": "db_restart_under_load",
        "database_away_seconds": round(up_at - down_at, 2),
        "shutdown_seconds": round(shutdown_s, 2),
        "start_seconds": round(start_s, 2),
        **summary,
        "web_process_restarted": web_restarted,
        "jobs_uploaded": len(rows),
        "jobs_done": sum(row.status == DONE for row in rows),
        "jobs_failed": sum(row.status == FAILED for row in rows),
        "jobs_unfinished": sum(row.status not in (DONE, FAILED) for row in rows),
        "failure_reasons": sorted({row.error[:100] for row in rows if row.status == FAILED and row.error}),
        "setup": {"uploaders": UPLOADERS, "probe_every_s": PROBE_EVERY_S, "down_s": DOWN_S, "after_s": AFTER_S,
                  "server_threads": 8, "worker_concurrency": 2, "database": "MariaDB (restarted)", "broker": "Redis",
                  "tool": "adjust", "photo_megapixels": 0.3},
    }]


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
