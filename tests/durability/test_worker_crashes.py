"""Job durability with real worker processes (reliability.md §4.4): J1 kill -9, J2 poison, J3 zombie.

Leases are short (1.5 s, reaper every 0.5 s) so a lost worker is noticed within seconds.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from restora.imaging.io import load_image
from restora.jobs.models import DONE, FAILED, QUEUED
from restora.jobs.queue import submit_job
from restora.tools.adjust import Adjust
from tests.jobs.support import job_row, store_photo

REPO_ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 1.5

pytestmark = pytest.mark.slow


class Worker:
    """One ``tests.durability.worker_process`` subprocess, its log kept in a file."""

    def __init__(self, db_url: str, data_dir: Path, log_dir: Path, number: int) -> None:
        self.log_path = log_dir / f"worker-{number}.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.durability.worker_process", db_url, str(data_dir), str(LEASE_SECONDS)],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=self._log,
        )
        assert self.process.stdout.readline().strip() == b"ready", self.log()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        self._log.close()


@pytest.fixture
def workers(db_url, data_dir, tmp_path):
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(db_url, data_dir, tmp_path, len(started))
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.close()


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def submit(sessions, user_id, data_dir, tool, params, seed=0, max_attempts=3) -> str:
    input_path = store_photo(data_dir, user_id, seed)
    with sessions.begin() as session:
        return submit_job(
            session, user_id=user_id, tool=tool, params=params, input_path=input_path, max_attempts=max_attempts
        ).id


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def result_files(data_dir: Path, job_id: str) -> list[str]:
    return sorted(p.name for p in data_dir.glob(f"results/*/{job_id}*"))


def test_j1_a_job_whose_worker_was_killed_is_finished_by_the_next_worker(sessions, user_id, data_dir, workers):
    job_id = submit(sessions, user_id, data_dir, "slow", {"seconds": 2.5})
    upload = data_dir / job_row(sessions, job_id).input_path
    upload_sha = sha256(upload)

    first = workers()
    wait_for(lambda: (job_row(sessions, job_id).progress or 0) > 0.2, 15, "the first worker to make progress")
    first.signal(signal.SIGKILL)
    first.process.wait(5)
    assert job_row(sessions, job_id).status == "running"  # nobody has noticed yet

    workers()
    wait_for(lambda: job_row(sessions, job_id).status == DONE, 30, "the second worker to finish the job")
    row = job_row(sessions, job_id)
    assert row.attempt == 2
    assert result_files(data_dir, job_id) == [f"{job_id}-a2.png"]  # one result, no .part
    assert sha256(upload) == upload_sha  # the worker never touches the input
    expected = Adjust().run(load_image(upload), rotate="left")
    assert np.array_equal(np.asarray(Image.open(data_dir / row.result_path)), np.asarray(expected))


def test_j2_a_poison_job_fails_after_its_attempts_while_the_others_finish(sessions, user_id, data_dir, workers):
    poison = submit(sessions, user_id, data_dir, "crash", {}, seed=99)
    others = [submit(sessions, user_id, data_dir, "adjust", {"rotate": "180"}, seed=n) for n in range(10)]
    current = workers()
    restarts = 0

    def settled() -> bool:
        nonlocal current, restarts
        if not current.alive():  # what a process supervisor (systemd, Docker) does: start another
            current = workers()
            restarts += 1
        return job_row(sessions, poison).status == FAILED and all(
            job_row(sessions, j).status == DONE for j in others
        )

    wait_for(settled, 60, "the poison job to fail and the others to finish")
    row = job_row(sessions, poison)
    assert row.attempt == 3 and "3 times" in row.error
    assert restarts == 3  # one worker lost per attempt, none more
    assert all(result_files(data_dir, j) == [f"{j}-a1.png"] for j in others)


def test_j3_a_zombie_worker_cannot_overwrite_the_winner(sessions, user_id, data_dir, workers):
    job_id = submit(sessions, user_id, data_dir, "slow", {"seconds": 2.0})
    zombie = workers()
    wait_for(lambda: (job_row(sessions, job_id).progress or 0) > 0.2, 15, "the first worker to make progress")
    zombie.signal(signal.SIGSTOP)  # frozen past its lease: a long GC pause, a suspended VM

    workers()
    wait_for(lambda: job_row(sessions, job_id).status == DONE, 30, "the second worker to finish the job")
    winner_file = data_dir / job_row(sessions, job_id).result_path
    winner_sha = sha256(winner_file)

    zombie.signal(signal.SIGCONT)
    wait_for(lambda: "lost its lease" in zombie.log() or "fenced off" in zombie.log(), 15, "the zombie to give up")
    time.sleep(0.5)
    row = job_row(sessions, job_id)
    assert (row.status, row.attempt) == (DONE, 2)
    assert sha256(winner_file) == winner_sha
    assert result_files(data_dir, job_id) == [f"{job_id}-a2.png"]
    assert zombie.alive()  # it gave the job up and went on working


def test_a_stopped_worker_leaves_its_job_for_the_next_one(sessions, user_id, data_dir, workers):
    """SIGTERM mid-job (a deploy): the job is not lost, another worker takes it after the lease."""
    job_id = submit(sessions, user_id, data_dir, "slow", {"seconds": 1.0})
    first = workers()
    wait_for(lambda: job_row(sessions, job_id).status == "running", 15, "the job to start")
    first.signal(signal.SIGTERM)
    first.process.wait(15)
    assert job_row(sessions, job_id).status in (DONE, QUEUED, "running")
    workers()
    wait_for(lambda: job_row(sessions, job_id).status == DONE, 30, "the job to be done")
    assert len(result_files(data_dir, job_id)) == 1
    assert os.listdir(data_dir / "results" / str(user_id))


def test_j5_a_restart_with_jobs_queued_loses_and_duplicates_none(sessions, user_id, data_dir, workers):
    job_ids = [submit(sessions, user_id, data_dir, "slow", {"seconds": 0.3}, seed=n) for n in range(12)]

    def done() -> int:
        return sum(job_row(sessions, j).status == DONE for j in job_ids)

    first = workers()
    wait_for(lambda: done() >= 3, 30, "a few jobs to finish")
    first.signal(signal.SIGTERM)  # a deploy: the worker stops in the middle of the queue
    first.process.wait(15)
    assert done() < len(job_ids)
    workers()
    wait_for(lambda: done() == len(job_ids), 60, "every job to finish after the restart")
    for job_id in job_ids:
        row = job_row(sessions, job_id)
        assert result_files(data_dir, job_id) == [Path(row.result_path).name]  # exactly one result each


def test_restora_worker_without_celery_runs_jobs_and_stops_on_sigterm(sessions, user_id, data_dir, db_url, tmp_path):
    """The `restora worker` command in its default (thread) mode, as a scale-out machine would run it."""
    job_id = submit(sessions, user_id, data_dir, "adjust", {"rotate": "flip-v"})
    env = {**os.environ, "RESTORA_EXECUTOR": "thread", "RESTORA_DATABASE_URL": db_url, "RESTORA_DATA_DIR": str(data_dir)}
    with open(tmp_path / "worker.log", "wb") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("restora")), "worker", "--lease-seconds", "5"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: job_row(sessions, job_id).status == DONE, 30, "the worker to finish the job")
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert result_files(data_dir, job_id) == [f"{job_id}-a1.png"]
