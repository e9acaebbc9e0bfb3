"""The history page, deleting a job with its files, and the per-user quota (U9)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from restora.jobs.models import DONE, QUEUED, Job
from restora.jobs.queue import submit_job
from restora.web.database import database
from restora.web.executor import executor_for, stop_executor
from tests.web.conftest import change_settings
from tests.web.tools_support import JSON, get_file, picture_bytes, post_upload, wait_for_job


@pytest.fixture(autouse=True)
def executor_stopped_after_test(app):
    yield
    stop_executor(app)


@pytest.fixture
def alice(auth):
    auth.create_user("alice")
    assert auth.login("alice").status_code == 302
    return auth


def finished_job(client, auth, **params) -> dict:
    response = post_upload(client, auth, photo=picture_bytes(), **params)
    assert response.status_code == 202, response.get_data(as_text=True)
    return wait_for_job(client, response.get_json()["status_url"])


def test_history_lists_jobs_with_tool_parameters_status_and_thumbnail(client, alice):
    job = finished_job(client, alice, rotate="left", brightness="2")
    page = client.get("/alice/history").get_data(as_text=True)
    assert "Adjust" in page and "Rotation: 90° left" in page and "Brightness: 2" in page and "Done" in page
    assert f'/alice/jobs/{job["id"]}/thumbnail' in page and "UTC" in page
    thumbnail = get_file(client, f'/alice/jobs/{job["id"]}/thumbnail')
    assert thumbnail.status_code == 200 and thumbnail.headers["Content-Type"] == "image/jpeg"
    compare = client.get(job["page_url"]).get_data(as_text=True)
    assert 'role="slider"' in compare and 'aria-valuenow="50"' in compare and job["result_url"] in compare


def test_history_in_chinese(client, alice):
    finished_job(client, alice, rotate="left")
    client.post("/language", data={"lang": "zh", "csrf_token": alice.csrf()})
    page = client.get("/alice/history").get_data(as_text=True)
    assert "历史" in page and "完成" in page


def test_delete_removes_the_row_and_every_file(client, alice, app, tmp_path):
    job = finished_job(client, alice, rotate="180")
    get_file(client, f'/alice/jobs/{job["id"]}/thumbnail')
    instance = tmp_path / "instance"
    assert len(list(instance.glob("*/*/*.*"))) == 3  # upload, result, thumbnail
    response = client.post(f'/alice/jobs/{job["id"]}/delete', data={"csrf_token": alice.csrf()})
    assert response.status_code == 303 and response.headers["Location"] == "/alice/history"
    assert list(instance.glob("*/*/*.*")) == []
    assert client.get(job["status_url"], headers=JSON).status_code == 404
    assert get_file(client, job["result_url"]).status_code == 404


def test_delete_without_a_csrf_token_changes_nothing(client, alice, tmp_path):
    job = finished_job(client, alice, rotate="180")
    assert client.post(f'/alice/jobs/{job["id"]}/delete').status_code == 400
    assert client.get(job["status_url"], headers=JSON).get_json()["status"] == DONE
    assert len(list((tmp_path / "instance").glob("*/*/*.*"))) == 2


def id_of(app, username: str) -> int:
    from restora.accounts.models import User

    with database(app).sessions() as session:
        return session.scalar(select(User.id).where(User.username_key == username))


def add_jobs(app, user_id: int, count: int, status: str) -> None:
    with database(app).sessions() as session:
        for _ in range(count):
            job = submit_job(session, user_id=user_id, tool="adjust", params={}, input_path="uploads/none.png")
            job.status = status
        session.commit()


def test_waiting_jobs_are_capped_per_user_with_a_429(client, alice, app, smtp):
    executor_for(app).stop()  # nothing runs, so the queue stays full
    alice.create_user("bob")
    add_jobs(app, user_id=id_of(app, "alice"), count=5, status=QUEUED)
    response = post_upload(client, alice, photo=picture_bytes(), rotate="left")
    assert response.status_code == 429 and "still waiting" in response.get_json()["error"]
    assert response.headers["Retry-After"] == "60"
    # Another user is not affected.
    from tests.web.conftest import AuthActions

    other = app.test_client()
    bob = AuthActions(app, other, smtp)
    bob.login("bob")
    assert post_upload(other, bob, username="bob", photo=picture_bytes(), rotate="left").status_code == 202


def test_a_full_site_queue_is_a_503_with_retry_after(client, alice, app, smtp):
    executor_for(app).stop()
    change_settings(app, max_queued_jobs=3)
    alice.create_user("bob")
    add_jobs(app, user_id=id_of(app, "bob"), count=3, status=QUEUED)
    response = post_upload(client, alice, photo=picture_bytes(), rotate="left")
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert "too many pictures waiting" in response.get_json()["error"]


def test_the_stored_job_quota_is_a_clear_403(client, alice, app, tmp_path):
    add_jobs(app, user_id=id_of(app, "alice"), count=200, status=DONE)
    response = post_upload(client, alice, photo=picture_bytes(), json=False, rotate="left")
    assert response.status_code == 403 and "Delete some" in response.get_data(as_text=True)
    assert not list((tmp_path / "instance").glob("uploads/**/*.*"))
    with database(app).sessions() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 200


def test_a_failed_job_shows_its_reason_in_the_history_and_the_json(client, alice, monkeypatch):
    from restora.tools import TOOLS
    from tests.jobs.tools_for_tests import FailingTool

    monkeypatch.setitem(TOOLS, "failing", FailingTool())
    response = post_upload(client, alice, tool="failing", photo=picture_bytes(), kind="value")
    job = wait_for_job(client, response.get_json()["status_url"])
    assert job["status"] == "failed" and "no faces" in job["error"] and "result_url" not in job
    page = client.get("/alice/history").get_data(as_text=True)
    assert "Failed" in page and "no faces" in page
    assert get_file(client, f"/alice/jobs/{job['id']}/result").status_code == 404


def test_runner_reasons_are_shown_in_the_pages_language(client, alice, monkeypatch):
    from restora.tools import TOOLS
    from tests.jobs.tools_for_tests import FailingTool

    monkeypatch.setitem(TOOLS, "failing", FailingTool())
    job = wait_for_job(client, post_upload(client, alice, tool="failing", photo=picture_bytes()).get_json()["status_url"])
    assert job["error"].startswith("This tool could not process this picture: ")
    client.post("/language", data={"lang": "zh", "csrf_token": alice.csrf()})
    assert client.get(job["status_url"], headers=JSON).get_json()["error"].startswith("此工具无法处理这张图片")
    assert "此工具无法处理这张图片" in client.get("/alice/history").get_data(as_text=True)
