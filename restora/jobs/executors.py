"""Executors: what turns queued rows into finished jobs.

* :class:`ThreadExecutor` (the embedded default) runs worker threads inside the web process, or inside
  ``restora worker`` on another machine sharing the database and data root. Workers claim from SQL, so
  any number of processes can run side by side.
* :class:`restora.jobs.celery_app.CeleryExecutor` sends one message per job to a broker; Celery workers
  run them (everything Celery is in that module).

Both run :func:`reap_until_stopped`, which requeues jobs whose worker died
(see :func:`restora.jobs.queue.reap_expired_leases`).
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from sqlalchemy.orm import sessionmaker

from restora.jobs.queue import claim_next_job, default_worker_id, reap_expired_leases
from restora.jobs.runner import RunnerConfig, run_claimed_job

log = logging.getLogger(__name__)


def work_until_stopped(
    sessions: sessionmaker,
    config: RunnerConfig,
    stop: threading.Event,
    *,
    worker_id: str | None = None,
    wake: threading.Event | None = None,
    poll_seconds: float = 1.0,
) -> None:
    """Claim and run jobs one after another until ``stop`` is set; never dies of one bad job."""
    worker_id = worker_id or f"{default_worker_id()}:{threading.get_ident()}"
    while not stop.is_set():
        try:
            claim = claim_next_job(sessions, worker_id, config.lease_seconds)
            if claim is not None:
                run_claimed_job(sessions, claim, config)
                continue
        except Exception:  # e.g. "database is locked" or MariaDB gone: wait and claim again
            log.warning("worker %s could not claim or record a job; retrying", worker_id, exc_info=True)
        if wake is not None:
            wake.wait(poll_seconds)
            wake.clear()
        else:
            stop.wait(poll_seconds)


def reap_until_stopped(
    sessions: sessionmaker,
    stop: threading.Event,
    interval_seconds: float,
    on_requeued: Callable[[list[str]], None] | None = None,
) -> None:
    """Run the reaper every ``interval_seconds``; ``on_requeued`` re-announces jobs (Celery)."""
    while not stop.wait(interval_seconds):
        try:
            reaped = reap_expired_leases(sessions)
            if reaped.requeued or reaped.failed:
                log.info("reaper requeued %s, failed %s", reaped.requeued, reaped.failed)
            if on_requeued is not None:
                on_requeued(reaped.requeued)
        except Exception:
            log.warning("reaper pass failed; retrying", exc_info=True)


class ThreadExecutor:
    """Worker threads plus one reaper thread, all daemons so a stuck tool cannot block shutdown."""

    def __init__(
        self,
        sessions: sessionmaker,
        config: RunnerConfig,
        workers: int = 1,
        poll_seconds: float = 1.0,
        reaper_seconds: float | None = None,
    ) -> None:
        self.sessions, self.config = sessions, config
        self.workers, self.poll_seconds = max(1, workers), poll_seconds
        self.reaper_seconds = reaper_seconds or max(config.lease_seconds / 3.0, 0.5)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> "ThreadExecutor":
        if self._threads:
            return self
        for number in range(self.workers):
            self._spawn(
                f"restora-worker-{number}",
                work_until_stopped,
                self.sessions,
                self.config,
                self._stop,
                wake=self._wake,
                poll_seconds=self.poll_seconds,
            )
        self._spawn("restora-reaper", reap_until_stopped, self.sessions, self._stop, self.reaper_seconds)
        return self

    def _spawn(self, name: str, target: Callable, *args, **kwargs) -> None:
        thread = threading.Thread(target=target, args=args, kwargs=kwargs, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def submit(self, job_id: str) -> None:
        """The row is already committed; wake an idle worker rather than waiting for its next poll."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
