"""Durable job state in SQL: submit, claim with a lease, heartbeat, fenced finish/fail, and the reaper.

The protocol (../shared/reference/reliability.md §3):

* A claim sets ``status='running'``, a lease owner and expiry, and increments ``attempt``. On MariaDB,
  MySQL and PostgreSQL the oldest ready row is locked with ``FOR UPDATE SKIP LOCKED`` so two workers
  never wait on each other; SQLite has no row locks, so the claim is one guarded ``UPDATE`` whose
  rowcount says whether this worker won.
* A worker extends its lease while it runs (:func:`heartbeat`); losing the lease raises
  :class:`LeaseLost` so it stops early.
* Every write of an outcome is fenced: ``... WHERE id=? AND attempt=? AND status='running'``. A zombie
  worker from an older attempt changes nothing.
* :func:`reap_expired_leases` requeues running jobs whose worker went silent while attempts remain,
  and otherwise fails them with a reason a person can read.

Every function opens its own short transaction from a session factory, so no lock is held while a
tool runs.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from restora.jobs.models import DONE, FAILED, QUEUED, RUNNING, Job, new_job_id, utcnow

DEFAULT_MAX_ATTEMPTS = 3

LOST_WORKER_MESSAGE = (
    "the job stopped unexpectedly {attempts} times (the process running it was lost); "
    "it will not be tried again — the picture may be too large for this machine"
)


def default_worker_id() -> str:
    """The lease owner a process writes: host and process, so a stuck job names where it ran."""
    return f"{socket.gethostname()}:{os.getpid()}"


class LeaseLost(RuntimeError):
    """This worker no longer holds the job (its lease expired and it was requeued, or it finished elsewhere)."""


@dataclass(frozen=True)
class Claim:
    """What a worker needs to run one attempt of a job; ``attempt`` is its fencing token."""

    job_id: str
    attempt: int
    max_attempts: int
    lease_owner: str
    user_id: int
    tool: str
    params: dict[str, Any] = field(default_factory=dict)
    input_path: str = ""
    inputs: dict[str, str] = field(default_factory=dict)  # the tool's other pictures: {parameter: path}

    @classmethod
    def from_job(cls, job: Job) -> "Claim":
        return cls(
            job_id=job.id,
            attempt=job.attempt,
            max_attempts=job.max_attempts,
            lease_owner=job.lease_owner or "",
            user_id=job.user_id,
            tool=job.tool,
            params=job.params,
            input_path=job.input_path,
            inputs=job.inputs,
        )


def submit_job(
    session: Session,
    *,
    user_id: int,
    tool: str,
    params: dict[str, Any],
    input_path: str,
    inputs: dict[str, str] | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Job:
    """Add a queued job to ``session``; the caller commits it together with the stored upload."""
    job = Job(
        id=new_job_id(),
        user_id=user_id,
        tool=tool,
        params_json=json.dumps(params, sort_keys=True),
        status=QUEUED,
        attempt=0,
        max_attempts=max_attempts,
        input_path=input_path,
        inputs_json=json.dumps(inputs, sort_keys=True) if inputs else None,
        created_at=utcnow(),
    )
    session.add(job)
    session.flush()
    return job


def _ready(now: datetime):
    return (Job.status == QUEUED) & or_(Job.not_before.is_(None), Job.not_before <= now)


def _claim_values(token: str, now: datetime, lease_seconds: float) -> dict[str, Any]:
    return {
        "status": RUNNING,
        "attempt": Job.attempt + 1,
        "lease_owner": token,
        "lease_expires_at": now + timedelta(seconds=lease_seconds),
        "started_at": now,
        "progress": 0.0,
    }


def new_lease_owner(worker_id: str) -> str:
    """A token unique to one claim, so a worker can find the row it has just won."""
    return f"{worker_id[:80]}/{uuid.uuid4().hex[:12]}"


def claim_next_job(sessions: sessionmaker, worker_id: str, lease_seconds: float) -> Claim | None:
    """Claim the oldest ready job for ``worker_id``, or return None when there is none."""
    now = utcnow()
    token = new_lease_owner(worker_id)
    with sessions.begin() as session:
        if session.get_bind().dialect.name == "sqlite":
            # Idle workers poll: look first without taking SQLite's one write lock, so polling never
            # makes a request wait.
            if session.scalar(select(Job.id).where(_ready(now)).limit(1)) is None:
                return None
            # One statement under SQLite's single writer lock: pick and take in the same breath.
            candidate = aliased(Job)
            oldest = (
                select(candidate.id)
                .where(candidate.status == QUEUED)
                .where(or_(candidate.not_before.is_(None), candidate.not_before <= now))
                .order_by(candidate.created_at, candidate.id)
                .limit(1)
                .scalar_subquery()
            )
            result = session.execute(
                update(Job)
                .where(Job.id == oldest, Job.status == QUEUED)
                .values(**_claim_values(token, now, lease_seconds))
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                return None
        else:
            # The row lock keeps other workers off this row; SKIP LOCKED lets them take the next one.
            job_id = session.scalars(
                select(Job.id).where(_ready(now)).order_by(Job.created_at, Job.id).limit(1).with_for_update(skip_locked=True)
            ).first()
            if job_id is None:
                return None
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == QUEUED)
                .values(**_claim_values(token, now, lease_seconds))
                .execution_options(synchronize_session=False)
            )
        job = session.scalars(select(Job).where(Job.lease_owner == token)).one()
        return Claim.from_job(job)


def claim_job(
    sessions: sessionmaker, job_id: str, worker_id: str, lease_seconds: float
) -> Claim | None:
    """Claim one named job (a Celery message names its job); None if it is not ready to run.

    A job still ``running`` under an expired lease is taken over when attempts remain: that is how a
    redelivered message recovers from a worker that was killed.
    """
    now = utcnow()
    token = new_lease_owner(worker_id)
    takeover = (Job.status == RUNNING) & (Job.lease_expires_at < now) & (Job.attempt < Job.max_attempts)
    with sessions.begin() as session:
        result = session.execute(
            update(Job)
            .where(Job.id == job_id, or_(_ready(now), takeover))
            .values(**_claim_values(token, now, lease_seconds))
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return None
        return Claim.from_job(session.scalars(select(Job).where(Job.id == job_id)).one())


def _fenced(claim: Claim):
    return (Job.id == claim.job_id) & (Job.attempt == claim.attempt) & (Job.status == RUNNING)


def heartbeat(
    sessions: sessionmaker, claim: Claim, lease_seconds: float, progress: float | None = None
) -> None:
    """Extend this attempt's lease (and record progress).

    :raises LeaseLost: when the job was requeued, finished or deleted meanwhile.
    """
    values: dict[str, Any] = {"lease_expires_at": utcnow() + timedelta(seconds=lease_seconds)}
    if progress is not None:
        values["progress"] = max(0.0, min(1.0, float(progress)))
    with sessions.begin() as session:
        result = session.execute(update(Job).where(_fenced(claim)).values(**values))
        if result.rowcount != 1:
            raise LeaseLost(f"job {claim.job_id} attempt {claim.attempt} is no longer ours")


def finish_job(sessions: sessionmaker, claim: Claim, result_path: str, views: dict[str, str] | None = None) -> bool:
    """Mark the job done with its result and its views' paths; False when this attempt was fenced off (the
    caller cleans up)."""
    now = utcnow()
    with sessions.begin() as session:
        result = session.execute(
            update(Job)
            .where(_fenced(claim))
            .values(
                status=DONE,
                result_path=result_path,
                views_json=json.dumps(views) if views else None,
                progress=1.0,
                finished_at=now,
                lease_owner=None,
                lease_expires_at=None,
                error=None,
            )
        )
        return result.rowcount == 1


def retry_delay(attempt: int, base_seconds: float = 2.0, cap_seconds: float = 300.0) -> float:
    """Exponential backoff before the next attempt after a transient error."""
    return min(cap_seconds, base_seconds * 2 ** max(0, attempt - 1))


def fail_job(
    sessions: sessionmaker, claim: Claim, message: str, *, retry: bool = False, retry_base_seconds: float = 2.0
) -> str | None:
    """Record a failed attempt: requeue it with backoff (``retry`` and attempts left) or fail the job.

    Returns the new status, or None when this attempt was fenced off.
    """
    now = utcnow()
    if retry and claim.attempt < claim.max_attempts:
        values: dict[str, Any] = {
            "status": QUEUED,
            "not_before": now + timedelta(seconds=retry_delay(claim.attempt, retry_base_seconds)),
            "error": message,
        }
    else:
        values = {"status": FAILED, "error": message, "finished_at": now}
    values.update(lease_owner=None, lease_expires_at=None)
    with sessions.begin() as session:
        result = session.execute(update(Job).where(_fenced(claim)).values(**values))
        return values["status"] if result.rowcount == 1 else None


@dataclass(frozen=True)
class Reaped:
    requeued: list[str]
    failed: list[str]


def reap_expired_leases(sessions: sessionmaker, now: datetime | None = None) -> Reaped:
    """Requeue running jobs whose lease ran out while attempts remain; fail the rest with a reason."""
    now = now or utcnow()
    expired = (Job.status == RUNNING) & (Job.lease_expires_at < now)
    with sessions.begin() as session:
        rows = session.execute(select(Job.id, Job.attempt, Job.max_attempts).where(expired)).all()
        retry_ids = [row.id for row in rows if row.attempt < row.max_attempts]
        final = [row for row in rows if row.attempt >= row.max_attempts]
        if retry_ids:
            session.execute(
                update(Job)
                .where(expired, Job.id.in_(retry_ids))
                .values(status=QUEUED, lease_owner=None, lease_expires_at=None, progress=0.0, not_before=None)
                .execution_options(synchronize_session=False)
            )
        for row in final:
            session.execute(
                update(Job)
                .where(expired, Job.id == row.id, Job.attempt == row.attempt)
                .values(
                    status=FAILED,
                    error=LOST_WORKER_MESSAGE.format(attempts=row.attempt),
                    finished_at=now,
                    lease_owner=None,
                    lease_expires_at=None,
                )
                .execution_options(synchronize_session=False)
            )
    return Reaped(requeued=retry_ids, failed=[row.id for row in final])
