"""Everything Celery: the app and its settings, the one task that runs a job (in ``restora worker``), and
:class:`CeleryExecutor`, the sender the web process uses.

Celery settings follow ../shared/reference/reliability.md §3.5: ``acks_late`` with
``reject_on_worker_lost`` so a ``kill -9``'d worker's message is delivered again, prefetch 1 so a
worker never hoards jobs, and the database's attempt counter as the loop breaker (a message for a
job that already used its attempts fails the job instead of running it again). A message only says
*which* job; the database still decides who may run it, so a redelivered message is harmless.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading

from celery import Celery
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from restora.config import Settings
from restora.db import open_database
from restora.jobs.executors import reap_until_stopped
from restora.jobs.models import DONE, FAILED, QUEUED, RUNNING, Job, utcnow
from restora.jobs.queue import claim_job, default_worker_id, reap_expired_leases, retry_delay
from restora.jobs.runner import RunnerConfig, run_claimed_job

log = logging.getLogger(__name__)

RUN_JOB_TASK = "restora.run_job"
# Longer than any job: Redis redelivers an unacknowledged message after this, even to a live worker.
VISIBILITY_TIMEOUT_SECONDS = 6 * 3600


def queue_name(database_url: str) -> str:
    """One queue per database, so two installs sharing a Redis never take each other's jobs."""
    return "restora-" + hashlib.sha256(database_url.encode()).hexdigest()[:12]


def make_celery(settings: Settings) -> Celery:
    """The Celery app for ``settings``: the sender in the web process, and the worker in ``restora worker``,
    whose tasks run jobs with these same Settings."""
    app = Celery("restora", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_default_queue=queue_name(settings.resolved_database_url()),
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_SECONDS},
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        worker_hijack_root_logger=False,
    )
    app.restora_settings = settings
    app.task(name=RUN_JOB_TASK, bind=True, max_retries=None)(run_job_task)
    return app


_sessions_by_process: dict[tuple[int, str], sessionmaker] = {}


def _worker_sessions(settings: Settings) -> sessionmaker:
    """This worker process's sessions, opened on first use: after the prefork pool has forked, so no
    connection is shared between processes."""
    key = (os.getpid(), settings.resolved_database_url())
    if key not in _sessions_by_process:
        _sessions_by_process[key] = open_database(settings).sessions
    return _sessions_by_process[key]


def run_job_task(task, job_id: str) -> str:
    """Claim ``job_id`` in the database and run it; the return value is for the worker's log only."""
    settings = task.app.restora_settings
    sessions = _worker_sessions(settings)
    config = RunnerConfig(settings)
    claim = claim_job(sessions, job_id, default_worker_id(), config.lease_seconds)
    if claim is None:
        with sessions() as session:
            job = session.get(Job, job_id)
        if job is None or job.status in (DONE, FAILED):
            return "nothing to do"
        now = utcnow()
        if job.status == RUNNING and job.lease_expires_at and job.lease_expires_at >= now:
            # Someone holds it (or held it when they died): look again once that lease would expire.
            wait = (job.lease_expires_at - now).total_seconds() + 1.0
            raise task.retry(countdown=wait)
        if job.status == RUNNING:
            reap_expired_leases(sessions)  # attempts used up: the loop breaker fails it with a reason
            return "attempts exhausted"
        if job.status == QUEUED and job.not_before and job.not_before > now:
            raise task.retry(countdown=(job.not_before - now).total_seconds())
        return "not claimable"
    status = run_claimed_job(sessions, claim, config)
    if status == QUEUED:  # a transient error: try again after the backoff the database recorded
        task.apply_async(args=[job_id], countdown=retry_delay(claim.attempt, config.retry_base_seconds))
    return status or "fenced off"


class CeleryExecutor:
    """Sends job ids to Celery; a reaper thread re-sends jobs whose worker was lost."""

    def __init__(self, sessions: sessionmaker, config: RunnerConfig) -> None:
        self.sessions, self.config = sessions, config
        self.celery = make_celery(config.settings)
        self._stop = threading.Event()
        self._reaper: threading.Thread | None = None

    def start(self) -> "CeleryExecutor":
        if self._reaper is None:
            interval = max(self.config.lease_seconds / 3.0, 0.5)
            self._reaper = threading.Thread(
                target=reap_until_stopped,
                args=(self.sessions, self._stop, interval, self._resend),
                name="restora-reaper",
                daemon=True,
            )
            self._reaper.start()
            try:
                self.resend_queued()  # duplicates are harmless: the database lets only one claim win
            except Exception:  # the database is down: the reaper's passes will announce jobs later
                log.warning("could not announce queued jobs at start", exc_info=True)
        return self

    def submit(self, job_id: str) -> None:
        self.celery.send_task(RUN_JOB_TASK, args=[job_id])

    def _resend(self, job_ids: list[str]) -> None:
        for job_id in job_ids:
            self.submit(job_id)

    def resend_queued(self) -> int:
        """On start: announce every queued job, in case the process that queued it died before sending."""
        with self.sessions() as session:
            queued = session.scalars(select(Job.id).where(Job.status == QUEUED).order_by(Job.created_at)).all()
        self._resend(list(queued))
        return len(queued)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._reaper is not None:
            self._reaper.join(timeout)
