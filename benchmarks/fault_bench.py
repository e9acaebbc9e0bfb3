"""Faults: 20 jobs, and the whole Celery ``restora worker`` killed with SIGKILL (parent and pool) 20 times
while they run, a fresh worker started after each kill. No web process runs: recovery is the workers'
own (their reapers and the announcement of queued jobs at start).

Reported: jobs done, failed (each with its reason), lost (still queued or running at the end: must be 0),
completed twice (more than one result file, or done with a result from another attempt: must be 0), the
attempts they took, and how long the last job took to settle after the last kill.
MariaDB at 127.0.0.1:3306 (root, no password) and Redis at 127.0.0.1:6379 must be running.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import photo
from benchmarks.load_bench import REPO, _mariadb_database, _wait_until

JOBS = 20
KILLS = 20
LEASE_SECONDS = 3.0
KILL_EVERY_S = 2.0
SETTLE_DEADLINE_S = 240.0
PHOTO_MEGAPIXELS = 6  # about 2 s of adjust + PNG per job here: long enough to be killed in the middle


def _start_worker(env: dict, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "restora", "worker", "--concurrency", "2", "--lease-seconds", str(LEASE_SECONDS)],
        cwd=REPO, env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    return process


def _kill_whole_worker(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)  # the parent and its pool at once, as a machine dying would
    process.wait()


def run(jobs: int = JOBS, kills: int = KILLS) -> list[dict]:
    from restora.accounts.models import User, utcnow
    from restora.config import Settings
    from restora.db import open_database
    from restora.jobs.celery_app import CeleryExecutor
    from restora.jobs.models import DONE, FAILED, Job
    from restora.jobs.queue import submit_job
    from restora.jobs.runner import RunnerConfig
    from restora.migrations import migrate
    from restora.web.uploads import store_upload

    database_name = f"restora_fault_{os.getpid()}"
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "instance"
        url = _mariadb_database(database_name)
        settings = Settings(data_dir=data_dir, database_url=url, executor="celery",
                            broker_url="redis://127.0.0.1:6379/12", job_lease_seconds=LEASE_SECONDS)
        env = {**os.environ, "RESTORA_DATA_DIR": str(data_dir), "RESTORA_DATABASE_URL": url,
               "RESTORA_EXECUTOR": "celery", "RESTORA_BROKER_URL": settings.broker_url}
        env.pop("RESTORA_CONFIG", None)
        log = Path(folder) / "worker.log"
        worker = None
        try:
            migrate(settings)
            database = open_database(settings)
            with database.sessions.begin() as session:
                user = User(username="faults", username_key="faults", email="faults@example.org", password_hash="x",
                            active=True, email_verified=True, created_at=utcnow(), session_version=0, failed_logins=0)
                session.add(user)
                session.flush()
                user_id = user.id
            picture = photo(PHOTO_MEGAPIXELS)
            job_ids = []
            for _ in range(jobs):
                path = store_upload(data_dir, user_id, picture)
                with database.sessions.begin() as session:
                    job_ids.append(submit_job(session, user_id=user_id, tool="adjust",
                                              params={"rotate": "left", "brightness": "1.2"}, input_path=path).id)
            sender = CeleryExecutor(database.sessions, RunnerConfig(settings))  # never started: no site reaper
            for job_id in job_ids:
                sender.submit(job_id)

            worker = _start_worker(env, log)
            for _ in range(kills):
                _wait_until(lambda: log.read_text(errors="replace").count("ready") > 0, 60, "a worker starting")
                time.sleep(KILL_EVERY_S)
                _kill_whole_worker(worker)
                log.write_text("")  # "ready" of the next worker only
                worker = _start_worker(env, log)
            last_kill = time.perf_counter()

            def settled() -> bool:
                with database.sessions() as session:
                    return all(session.get(Job, job_id).status in (DONE, FAILED) for job_id in job_ids)

            try:
                _wait_until(settled, SETTLE_DEADLINE_S, "every job settling")
            except RuntimeError:
                pass  # reported as lost below
            settle_seconds = time.perf_counter() - last_kill
            with database.sessions() as session:
                rows = [session.get(Job, job_id) for job_id in job_ids]
            results = {job_id: sorted(p.name for p in data_dir.glob(f"results/*/{job_id}-a*.png")) for job_id in job_ids}
            twice = [row.id for row in rows if len(results[row.id]) > 1
                     or (row.status == DONE and results[row.id] != [Path(row.result_path).name])]
            database.dispose()
        finally:
            if worker is not None:
                _kill_whole_worker(worker)
            _mariadb_database(database_name, drop=True)

    attempts: dict[int, int] = {}
    for row in rows:
        attempts[row.attempt] = attempts.get(row.attempt, 0) + 1
    return [{
        "name": f"faults_{kills}_kills_{jobs}_jobs",
        "jobs": jobs,
        "kills": kills,
        "done": sum(row.status == DONE for row in rows),
        "failed": sum(row.status == FAILED for row in rows),
        "failed_without_reason": sum(row.status == FAILED and not row.error for row in rows),
        "lost": sum(row.status not in (DONE, FAILED) for row in rows),
        "completed_twice": len(twice),
        "attempts": {str(k): v for k, v in sorted(attempts.items())},
        "reasons": sorted({row.error[:80] for row in rows if row.status == FAILED and row.error}),
        "settle_seconds_after_last_kill": round(settle_seconds, 1),
        "setup": {"lease_seconds": LEASE_SECONDS, "kill_every_s": KILL_EVERY_S, "worker_concurrency": 2,
                  "photo_megapixels": PHOTO_MEGAPIXELS, "database": "MariaDB", "broker": "Redis",
                  "web_process": "none"},
    }]


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
