"""Running claimed jobs with real tools on real pictures: results, error kinds (J6), lost leases."""

from __future__ import annotations

import threading
from datetime import timedelta

import numpy as np
import pytest
from PIL import Image

from restora.imaging.io import load_image
from restora.jobs.executors import ThreadExecutor
from restora.jobs.models import DONE, FAILED, QUEUED, utcnow
from restora.jobs.queue import claim_next_job, reap_expired_leases, submit_job
from restora.jobs.runner import run_claimed_job
from restora.tools import TOOLS
from restora.tools.adjust import Adjust
from tests.jobs.support import job_row, runner_config, store_photo
from tests.jobs.tools_for_tests import TEST_TOOLS


@pytest.fixture(autouse=True)
def test_tools(monkeypatch):
    for name, tool in TEST_TOOLS.items():
        monkeypatch.setitem(TOOLS, name, tool)


def submit(sessions, user_id, data_dir, tool, params, max_attempts=3, seed=0):
    input_path = store_photo(data_dir, user_id, seed)
    with sessions.begin() as session:
        return submit_job(
            session, user_id=user_id, tool=tool, params=params, input_path=input_path, max_attempts=max_attempts
        ).id


def run_next(sessions, data_dir, **config):
    claim = claim_next_job(sessions, "test-worker", config.get("lease_seconds", 30))
    assert claim is not None
    return claim, run_claimed_job(sessions, claim, runner_config(data_dir, **config))


def test_adjust_job_writes_the_exact_result_under_a_per_attempt_name(sessions, user_id, data_dir):
    job_id = submit(sessions, user_id, data_dir, "adjust", {"rotate": "right", "brightness": "1.5"})
    claim, status = run_next(sessions, data_dir)
    assert status == DONE
    row = job_row(sessions, job_id)
    assert row.result_path == f"results/{user_id}/{job_id}-a1.png" and row.progress == 1.0
    expected = Adjust().run(load_image(data_dir / row.input_path), rotate="right", brightness=1.5)
    assert np.array_equal(np.asarray(Image.open(data_dir / row.result_path)), np.asarray(expected))
    assert list((data_dir / "results").rglob("*.part")) == []


def test_the_tool_runs_with_the_settings_the_worker_was_given(sessions, user_id, data_dir):
    probe = TEST_TOOLS["settings-probe"]
    probe.seen.clear()
    submit(sessions, user_id, data_dir, "settings-probe", {})
    config = runner_config(data_dir, models_dir=data_dir / "my-models", inference_precision="float32")
    claim = claim_next_job(sessions, "test-worker", config.lease_seconds)
    assert run_claimed_job(sessions, claim, config) == DONE
    assert len(probe.seen) == 1 and probe.seen[0] is config.settings


def test_refused_parameters_fail_at_once_with_the_tools_message(sessions, user_id, data_dir):
    job_id = submit(sessions, user_id, data_dir, "adjust", {"rotate": "none", "brightness": "1"})
    assert run_next(sessions, data_dir)[1] == FAILED
    row = job_row(sessions, job_id)
    assert row.attempt == 1 and row.error.startswith("nothing to do")
    assert not (data_dir / "results").exists()


def test_a_damaged_stored_picture_fails_at_once(sessions, user_id, data_dir):
    job_id = submit(sessions, user_id, data_dir, "adjust", {"rotate": "left"})
    stored = data_dir / job_row(sessions, job_id).input_path
    stored.write_bytes(stored.read_bytes()[:200])
    assert run_next(sessions, data_dir)[1] == FAILED
    assert "could not be read" in job_row(sessions, job_id).error


@pytest.mark.parametrize("kind, words", [("value", "no faces"), ("type", "could not be run")])
def test_a_value_or_type_error_from_the_tool_is_not_retried(sessions, user_id, data_dir, kind, words):
    TEST_TOOLS["failing"].calls = 0
    job_id = submit(sessions, user_id, data_dir, "failing", {"kind": kind})
    assert run_next(sessions, data_dir)[1] == FAILED
    row = job_row(sessions, job_id)
    assert row.attempt == 1 and words in row.error and TEST_TOOLS["failing"].calls == 1


@pytest.mark.parametrize("kind", ["memory", "runtime"])
def test_out_of_memory_is_retried_with_backoff_then_fails(sessions, user_id, data_dir, kind):
    job_id = submit(sessions, user_id, data_dir, "failing", {"kind": kind}, max_attempts=2)
    assert run_next(sessions, data_dir, retry_base_seconds=0.01)[1] == QUEUED
    row = job_row(sessions, job_id)
    assert row.not_before is not None and "out of memory" in row.error
    threading.Event().wait(0.05)  # the 10 ms backoff
    assert run_next(sessions, data_dir, retry_base_seconds=0.01)[1] == FAILED
    row = job_row(sessions, job_id)
    assert row.attempt == 2 and row.status == FAILED and "out of memory" in row.error


def test_an_attempt_that_lost_its_lease_stops_and_leaves_no_file(sessions, user_id, data_dir):
    job_id = submit(sessions, user_id, data_dir, "slow", {"seconds": "1.5"})
    claim = claim_next_job(sessions, "slow-worker", lease_seconds=30)
    # Someone decides the worker is dead (here: the reaper with a clock 60 s ahead) while it runs.
    threading.Timer(0.3, reap_expired_leases, args=(sessions, utcnow() + timedelta(seconds=60))).start()
    status = run_claimed_job(sessions, claim, runner_config(data_dir, lease_seconds=0.9))
    assert status is None
    row = job_row(sessions, job_id)
    assert row.status == QUEUED and row.result_path is None
    assert list(data_dir.glob("results/**/*.*")) == []  # neither a result nor a .part


def test_thread_executor_runs_submitted_jobs_to_the_end(sessions, user_id, data_dir):
    job_ids = [submit(sessions, user_id, data_dir, "adjust", {"rotate": "180"}, seed=n) for n in range(4)]
    executor = ThreadExecutor(sessions, runner_config(data_dir, lease_seconds=5), workers=2, poll_seconds=0.2)
    executor.start()
    try:
        executor.submit(job_ids[-1])
        deadline = utcnow() + timedelta(seconds=20)
        while utcnow() < deadline and any(job_row(sessions, j).status != DONE for j in job_ids):
            threading.Event().wait(0.1)
    finally:
        executor.stop()
    assert [job_row(sessions, j).status for j in job_ids] == [DONE] * 4
    assert len(list((data_dir / "results").rglob("*.png"))) == 4


def test_missing_weights_fail_at_once_with_a_message_naming_them(sessions, user_id, data_dir):
    job_id = submit(sessions, user_id, data_dir, "deblur", {"weights": "no-such-weights"})
    assert run_next(sessions, data_dir)[1] == FAILED
    row = job_row(sessions, job_id)
    assert row.attempt == 1 and "not available" in row.error and "no-such-weights" in row.error


def test_j4_a_crash_between_writing_and_recording_ends_with_one_result(sessions, user_id, data_dir):
    """Attempt 1 wrote its file and died before recording it; attempt 2 finishes and leaves one file."""
    from restora.jobs.runner import write_result

    job_id = submit(sessions, user_id, data_dir, "adjust", {"rotate": "left"})
    first = claim_next_job(sessions, "dies-after-writing", lease_seconds=30)
    write_result(data_dir, first, load_image(data_dir / first.input_path))  # ...and then the process died
    reap_expired_leases(sessions, now=utcnow() + timedelta(seconds=60))
    claim, status = run_next(sessions, data_dir)
    assert (claim.attempt, status) == (2, DONE)
    assert sorted(p.name for p in data_dir.glob("results/*/*")) == [f"{job_id}-a2.png"]
    assert job_row(sessions, job_id).result_path.endswith("-a2.png")
