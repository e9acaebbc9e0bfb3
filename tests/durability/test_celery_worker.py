"""A real ``restora worker`` (Celery, prefork pool) on the real Redis runs web jobs from the database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from restora.config import Settings
from restora.jobs.celery_app import CeleryExecutor
from restora.jobs.models import DONE
from restora.jobs.runner import RunnerConfig
from tests.durability.test_worker_crashes import result_files, submit, wait_for
from tests.jobs.support import job_row

REPO_ROOT = Path(__file__).resolve().parents[2]
START_WORKER = (
    "import sys; from tests.jobs.tools_for_tests import register_test_tools; register_test_tools(); "
    "from restora.cli import main; main(['worker', *sys.argv[1:]])"
)
BROKER_URL = "redis://127.0.0.1:6379/14"
LEASE_SECONDS = 2.0

pytestmark = pytest.mark.slow


def start_celery_worker(db_url: str, data_dir: Path, log_path: Path) -> subprocess.Popen:
    try:
        redis.Redis.from_url(BROKER_URL).ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running at 127.0.0.1:6379 (start it with .ci/run)")
    env = {
        **os.environ,
        "RESTORA_EXECUTOR": "celery",
        "RESTORA_BROKER_URL": BROKER_URL,
        "RESTORA_DATABASE_URL": db_url,
        "RESTORA_DATA_DIR": str(data_dir),
    }
    with open(log_path, "wb") as log:
        # `restora worker` exactly, in a process that first registers the test-only tools (the prefork
        # children inherit them).
        process = subprocess.Popen(
            [sys.executable, "-c", START_WORKER, "--lease-seconds", str(LEASE_SECONDS)],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    wait_for(lambda: "ready" in log_path.read_text(errors="replace"), 60, "the Celery worker to start")
    return process


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def celery_worker(db_url, data_dir, tmp_path):
    log_path = tmp_path / "celery.log"
    process = start_celery_worker(db_url, data_dir, log_path)
    yield process, log_path
    stop_worker(process)


@pytest.fixture
def executor(sessions, data_dir, db_url):
    settings = Settings(data_dir=data_dir, database_url=db_url, broker_url=BROKER_URL, job_lease_seconds=LEASE_SECONDS)
    executor = CeleryExecutor(sessions, RunnerConfig(settings))
    yield executor
    executor.stop()


def test_a_celery_worker_runs_a_job_end_to_end(sessions, user_id, data_dir, celery_worker, executor):
    job_id = submit(sessions, user_id, data_dir, "adjust", {"rotate": "left", "brightness": 1.4})
    executor.submit(job_id)
    wait_for(lambda: job_row(sessions, job_id).status == DONE, 60, "the Celery worker to finish the job")
    assert result_files(data_dir, job_id) == [f"{job_id}-a1.png"]
    # A duplicate message (a redelivery) for a finished job changes nothing.
    executor.submit(job_id)
    time.sleep(1.0)
    row = job_row(sessions, job_id)
    assert (row.status, row.attempt) == (DONE, 1)


def test_a_killed_celery_child_job_is_delivered_again_and_finished(sessions, user_id, data_dir, celery_worker, executor):
    """kill -9 of the pool process running the job: reject_on_worker_lost brings the message back and the
    worker takes over once the dead attempt's lease has run out."""
    process, _log_path = celery_worker
    job_id = submit(sessions, user_id, data_dir, "slow", {"seconds": 3.0})
    executor.submit(job_id)
    wait_for(lambda: (job_row(sessions, job_id).progress or 0) > 0.2, 30, "the job to make progress")
    children = child_pids(process.pid)
    assert children, "the prefork pool has no child process"
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    wait_for(lambda: job_row(sessions, job_id).status == DONE, 90, "the redelivered job to finish")
    row = job_row(sessions, job_id)
    assert row.attempt == 2
    assert result_files(data_dir, job_id) == [f"{job_id}-a2.png"]


def child_pids(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def test_an_upload_on_the_web_site_runs_on_a_celery_worker(tmp_path):
    """The whole path with RESTORA_EXECUTOR=celery: web upload -> Redis -> `restora worker` -> result page."""
    from restora.migrations import migrate
    from restora.web import create_app
    from restora.web.executor import executor_for, stop_executor
    from tests.web.conftest import AuthActions
    from tests.web.tools_support import get_file, picture_bytes, post_upload, wait_for_job

    data_dir, db_url = tmp_path / "instance", f"sqlite:///{tmp_path / 'web.sqlite3'}"
    settings = Settings(
        data_dir=data_dir, database_url=db_url, executor="celery", broker_url=BROKER_URL, secret_key="k"
    )
    migrate(settings)  # the start-up step `restora serve` runs: the worker shares this database
    app = create_app(settings)
    worker = start_celery_worker(db_url, data_dir, tmp_path / "celery.log")
    try:
        client = app.test_client()
        auth = AuthActions(app, client, smtp=None)
        auth.create_user("alice")
        auth.login("alice")
        response = post_upload(client, auth, photo=picture_bytes(), rotate="left", brightness="1.2")
        assert response.status_code == 202
        assert isinstance(executor_for(app), CeleryExecutor)
        job = wait_for_job(client, response.get_json()["status_url"], timeout=60)
        assert job["status"] == "done" and job["attempt"] == 1
        assert get_file(client, job["result_url"]).headers["Content-Type"] == "image/png"
    finally:
        stop_executor(app)
        stop_worker(worker)
