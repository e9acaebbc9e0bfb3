"""A tool's views (side pictures) in jobs: written beside the result under the attempt's name, recorded with
it, and cleaned up by the same rules as the result (partials, older attempts, a fenced-off attempt)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from PIL import Image

from restora.imaging.io import load_image
from restora.jobs.models import DONE, QUEUED, utcnow
from restora.jobs.queue import claim_next_job, reap_expired_leases
from restora.jobs.runner import write_output
from restora.tools import TOOLS, ToolOutput
from restora.tools.adjust import Adjust
from tests.jobs.support import job_row, run_fenced_off
from tests.jobs.test_runner import run_next, submit
from tests.jobs.tools_for_tests import TEST_TOOLS


@pytest.fixture(autouse=True)
def test_tools(monkeypatch):
    for name, tool in TEST_TOOLS.items():
        monkeypatch.setitem(TOOLS, name, tool)


def _files(data_dir) -> list[str]:
    return sorted(p.name for p in data_dir.glob("results/*/*"))


def test_views_are_written_beside_the_result_and_recorded(sessions, user_id, data_dir):
    job_id = submit(sessions, user_id, data_dir, "slow-views", {"seconds": "0"})
    claim, status = run_next(sessions, data_dir)
    assert status == DONE
    row = job_row(sessions, job_id)
    assert row.views == {"grey": f"results/{user_id}/{job_id}-a1.grey.png"}
    expected = Adjust().run(load_image(data_dir / row.input_path), rotate="left")
    with Image.open(data_dir / row.views["grey"]) as grey:
        assert grey.mode == "L" and np.array_equal(np.asarray(grey), np.asarray(expected.convert("L")))
    assert _files(data_dir) == [f"{job_id}-a1.grey.png", f"{job_id}-a1.png"]


def test_a_tool_without_views_records_none(sessions, user_id, data_dir):
    job_id = submit(sessions, user_id, data_dir, "adjust", {"rotate": "left"})
    assert run_next(sessions, data_dir)[1] == DONE
    row = job_row(sessions, job_id)
    assert row.views_json is None and row.views == {}


def test_a_retry_after_a_crash_between_writing_and_recording_leaves_only_the_winners_files(sessions, user_id, data_dir):
    job_id = submit(sessions, user_id, data_dir, "slow-views", {"seconds": "0"})
    first = claim_next_job(sessions, "dies-after-writing", lease_seconds=30)
    photo = load_image(data_dir / first.input_path)
    write_output(data_dir, first, ToolOutput(photo, {"grey": photo.convert("L")}))  # ...and then the process died
    (data_dir / f"results/{user_id}/{job_id}-a1.grey.part").write_bytes(b"half")  # and one half-written
    reap_expired_leases(sessions, now=utcnow() + timedelta(seconds=60))
    claim, status = run_next(sessions, data_dir)
    assert (claim.attempt, status) == (2, DONE)
    assert _files(data_dir) == [f"{job_id}-a2.grey.png", f"{job_id}-a2.png"]
    assert job_row(sessions, job_id).views == {"grey": f"results/{user_id}/{job_id}-a2.grey.png"}


def test_a_fenced_off_attempt_leaves_no_view(sessions, user_id, data_dir):
    job_id = submit(sessions, user_id, data_dir, "slow-views", {"seconds": "1.5"})
    assert run_fenced_off(sessions, data_dir) is None
    row = job_row(sessions, job_id)
    assert row.status == QUEUED and row.views_json is None
    assert list(data_dir.glob("results/**/*.*")) == []


def test_an_undeclared_view_fails_the_job_and_writes_nothing(sessions, user_id, data_dir, monkeypatch):
    tool = TEST_TOOLS["slow-views"]
    monkeypatch.setattr(tool, "views", ())  # the tool returns "grey" without declaring it: a bug
    job_id = submit(sessions, user_id, data_dir, "slow-views", {"seconds": "0"})
    assert run_next(sessions, data_dir)[1] == "failed"
    assert "undeclared view 'grey'" in job_row(sessions, job_id).error
    assert list(data_dir.glob("results/**/*.*")) == []


@pytest.mark.parametrize("bad", ["view", "result"])
def test_a_view_or_result_that_is_not_a_picture_fails_the_job_at_once_and_writes_nothing(
        sessions, user_id, data_dir, monkeypatch, bad):
    def run(image, **_params):  # a tool bug: an array where a picture belongs; no retry can mend it
        if bad == "view":
            return ToolOutput(image, {"grey": np.asarray(image.convert("L"))})
        return ToolOutput(np.asarray(image), {"grey": image.convert("L")})

    monkeypatch.setattr(TEST_TOOLS["slow-views"], "run", run)
    job_id = submit(sessions, user_id, data_dir, "slow-views", {"seconds": "0"})
    assert run_next(sessions, data_dir)[1] == "failed"
    row = job_row(sessions, job_id)
    assert row.attempt == 1 and "ndarray" in row.error and ("'grey'" in row.error) == (bad == "view")
    assert list(data_dir.glob("results/**/*.*")) == []
