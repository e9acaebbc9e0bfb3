"""The queue protocol on SQLite and the real MariaDB: claims, leases, fencing, the reaper."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from restora.jobs.models import DONE, FAILED, QUEUED, RUNNING, utcnow
from restora.jobs.queue import (
    LeaseLost,
    claim_job,
    claim_next_job,
    fail_job,
    finish_job,
    heartbeat,
    reap_expired_leases,
    submit_job,
)
from tests.jobs.support import count_jobs, job_row


def submit(sessions, user_id, tool="adjust", max_attempts=3, **params):
    with sessions.begin() as session:
        job = submit_job(
            session,
            user_id=user_id,
            tool=tool,
            params=params or {"rotate": "left"},
            input_path=f"uploads/{user_id}/x.png",
            max_attempts=max_attempts,
        )
        return job.id


def test_submit_then_claim_takes_the_oldest_job_once(sessions, user_id):
    first, second = submit(sessions, user_id), submit(sessions, user_id)
    claim = claim_next_job(sessions, "w1", lease_seconds=30)
    assert claim is not None and claim.job_id == first and claim.attempt == 1
    assert claim.params == {"rotate": "left"}
    row = job_row(sessions, first)
    assert row.status == RUNNING and row.lease_owner == claim.lease_owner
    assert row.lease_expires_at > utcnow() + timedelta(seconds=25)
    assert claim_next_job(sessions, "w2", 30).job_id == second
    assert claim_next_job(sessions, "w3", 30) is None


def test_concurrent_claims_never_share_a_job(sessions, user_id):
    job_ids = {submit(sessions, user_id) for _ in range(6)}
    won: list[str] = []
    barrier = threading.Barrier(8)

    def claim_all() -> None:
        barrier.wait()
        while (claim := claim_next_job(sessions, threading.current_thread().name, 30)) is not None:
            won.append(claim.job_id)

    threads = [threading.Thread(target=claim_all, name=f"w{n}") for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(won) == sorted(job_ids)  # each job exactly once
    assert count_jobs(sessions, "status='running' AND attempt=1") == 6


def test_heartbeat_extends_the_lease_and_records_progress(sessions, user_id):
    submit(sessions, user_id)
    claim = claim_next_job(sessions, "w1", lease_seconds=1)
    before = job_row(sessions, claim.job_id).lease_expires_at
    heartbeat(sessions, claim, lease_seconds=60, progress=0.4)
    row = job_row(sessions, claim.job_id)
    assert row.lease_expires_at > before + timedelta(seconds=50)
    assert row.progress == pytest.approx(0.4)


def test_a_zombie_is_fenced_off_after_its_job_was_taken_over(sessions, user_id):
    job_id = submit(sessions, user_id)
    zombie = claim_next_job(sessions, "w1", lease_seconds=1)
    reaped = reap_expired_leases(sessions, now=utcnow() + timedelta(seconds=5))
    assert reaped.requeued == [job_id] and reaped.failed == []
    winner = claim_next_job(sessions, "w2", lease_seconds=30)
    assert winner.job_id == job_id and winner.attempt == 2

    with pytest.raises(LeaseLost):
        heartbeat(sessions, zombie, 30)
    assert finish_job(sessions, zombie, "results/zombie.png") is False
    assert fail_job(sessions, zombie, "zombie says no") is None
    assert finish_job(sessions, winner, "results/winner.png") is True
    row = job_row(sessions, job_id)
    assert (row.status, row.result_path, row.attempt, row.error) == (DONE, "results/winner.png", 2, None)
    # Once done, even the winner cannot write again.
    assert finish_job(sessions, winner, "results/again.png") is False


def test_the_reaper_fails_a_job_that_used_all_its_attempts_with_a_reason(sessions, user_id):
    job_id = submit(sessions, user_id, max_attempts=2)
    for expected_attempt in (1, 2):
        claim = claim_next_job(sessions, "w", lease_seconds=1)
        assert claim.attempt == expected_attempt
        reaped = reap_expired_leases(sessions, now=utcnow() + timedelta(seconds=5))
    assert reaped.failed == [job_id]
    row = job_row(sessions, job_id)
    assert row.status == FAILED and "2 times" in row.error and row.finished_at is not None
    assert claim_next_job(sessions, "w", 1) is None


def test_the_reaper_leaves_live_leases_alone(sessions, user_id):
    submit(sessions, user_id)
    claim_next_job(sessions, "w", lease_seconds=60)
    assert reap_expired_leases(sessions) == reap_expired_leases(sessions, now=utcnow())
    assert count_jobs(sessions, "status='running'") == 1


def test_a_transient_failure_is_requeued_with_backoff_and_a_permanent_one_is_not(sessions, user_id):
    retry_id, final_id = submit(sessions, user_id), submit(sessions, user_id)
    retry_claim = claim_next_job(sessions, "w", 30)
    final_claim = claim_next_job(sessions, "w", 30)
    assert fail_job(sessions, retry_claim, "out of memory", retry=True, retry_base_seconds=60) == QUEUED
    assert fail_job(sessions, final_claim, "bad picture", retry=False) == FAILED
    # The requeued job waits out its backoff before anyone may claim it.
    assert claim_next_job(sessions, "w", 30) is None
    row = job_row(sessions, retry_id)
    assert row.status == QUEUED and row.not_before > utcnow() + timedelta(seconds=50)
    assert job_row(sessions, final_id).error == "bad picture"


def test_the_last_attempt_fails_even_when_the_error_is_transient(sessions, user_id):
    submit(sessions, user_id, max_attempts=1)
    claim = claim_next_job(sessions, "w", 30)
    assert fail_job(sessions, claim, "out of memory", retry=True) == FAILED


def test_claim_job_takes_a_named_job_or_an_abandoned_one(sessions, user_id):
    job_id = submit(sessions, user_id)
    first = claim_job(sessions, job_id, "w1", lease_seconds=0.5)
    assert first.attempt == 1
    assert claim_job(sessions, job_id, "w2", lease_seconds=30) is None  # lease still live
    import time

    time.sleep(0.7)
    second = claim_job(sessions, job_id, "w2", lease_seconds=30)
    assert second.attempt == 2  # a redelivered message took over the dead worker's job
    assert finish_job(sessions, second, "results/r.png")
    assert claim_job(sessions, job_id, "w3", 30) is None  # done jobs never run again
