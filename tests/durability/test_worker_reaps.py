"""Recovery without the site: the whole Celery worker is killed (kill -9, parent and pool) in the middle of
a job while no web process runs; the next ``restora worker`` reaps the expired lease itself, sends the
job again and finishes it (before, the job stayed 'running' until a site's reaper saw it)."""

from __future__ import annotations

import os
import signal

import pytest

from restora.jobs.models import DONE, RUNNING
from tests.durability.test_celery_worker import child_pids, executor, start_celery_worker, stop_worker  # noqa: F401
from tests.durability.test_worker_crashes import result_files, submit, wait_for
from tests.jobs.support import job_row

pytestmark = pytest.mark.slow


def test_a_job_of_a_killed_worker_is_finished_by_the_next_worker_alone(sessions, user_id, data_dir, db_url,
                                                                       tmp_path, executor):  # noqa: F811
    first = start_celery_worker(db_url, data_dir, tmp_path / "first.log")
    job_id = submit(sessions, user_id, data_dir, "slow", {"seconds": 3.0})
    executor.submit(job_id)  # sends only: this executor's reaper is never started (no site is running)
    wait_for(lambda: (job_row(sessions, job_id).progress or 0) > 0.2, 30, "the job to make progress")
    for pid in [*child_pids(first.pid), first.pid]:
        os.kill(pid, signal.SIGKILL)
    first.wait()
    assert job_row(sessions, job_id).status == RUNNING
    second = start_celery_worker(db_url, data_dir, tmp_path / "second.log")
    try:
        wait_for(lambda: job_row(sessions, job_id).status == DONE, 90, "the next worker to finish the job")
    finally:
        stop_worker(second)
    row = job_row(sessions, job_id)
    assert row.attempt == 2
    assert result_files(data_dir, job_id) == [f"{job_id}-a2.png"]
