"""The HTTP API: tokens, jobs through the site's own upload path, results, problems, live progress."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from restora.accounts.models import ApiToken
from restora.accounts.users import set_active
from restora.web.database import database
from tests.web.api_support import api_upload, bearer, make_token, wait_done
from tests.web.conftest import change_settings, csrf_token_from
from tests.web.tools_support import get_file, picture_bytes

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, code: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["code"] == code and body["status"] == status and body["detail"]
    assert "Traceback" not in response.get_data(as_text=True)


def test_token_made_on_the_settings_page_is_shown_once_stored_hashed_and_revoked(app, auth, client):
    auth.create_user("alice")
    auth.login("alice")
    page = client.get("/alice/settings").get_data(as_text=True)
    created = client.post("/alice/settings/tokens", data={"name": "my phone", "csrf_token": csrf_token_from(page)})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    html = created.get_data(as_text=True)
    secret = html.split('<code id="new-token">')[1].split("<")[0]
    assert secret.startswith("rst_") and len(secret) > 40
    listed = client.get("/alice/settings").get_data(as_text=True)
    assert "my phone" in listed and secret not in listed and secret[:12] in listed
    with database(app).sessions() as session:
        row = session.scalars(select(ApiToken)).one()
        assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest() and row.last_used_at is None

    anonymous = app.test_client()
    assert anonymous.get("/api/v1/jobs", headers=bearer(secret)).status_code == 200
    with database(app).sessions() as session:
        assert session.scalars(select(ApiToken)).one().last_used_at is not None
    revoke = client.post(f"/alice/settings/tokens/{row.id}/revoke", data={"csrf_token": auth.csrf("/alice/settings")})
    assert revoke.status_code == 303
    assert_problem(anonymous.get("/api/v1/jobs", headers=bearer(secret)), 401, "invalid_token")
    assert "my phone" not in client.get("/alice/settings").get_data(as_text=True)


def test_a_disabled_users_token_is_refused_at_once(app, auth):
    auth.create_user("alice")
    secret = make_token(app, "alice")
    client = app.test_client()
    assert client.get("/api/v1/limits", headers=bearer(secret)).status_code == 200
    with database(app).sessions() as session:
        set_active(session, "alice", False)
        session.commit()
    assert_problem(client.get("/api/v1/limits", headers=bearer(secret)), 401, "invalid_token")


def test_a_token_works_only_on_the_api(app, auth):
    auth.create_user("alice")
    secret = make_token(app, "alice")
    client = app.test_client()
    assert client.get("/alice/", headers=bearer(secret)).headers["Location"] == "/"
    assert client.get("/alice/history", headers=bearer(secret)).status_code == 302
    answer = client.get("/api/v1/jobs", headers=bearer(secret))
    assert "session" not in answer.headers.get("Set-Cookie", "")
    assert answer.headers["Cache-Control"] == "no-store"  # private data, whatever carried the identity


def test_missing_or_malformed_authorization_is_a_401_problem(app, client):
    assert_problem(client.get("/api/v1/jobs"), 401, "unauthorized")
    assert_problem(client.get("/api/v1/jobs", headers={"Authorization": "Basic abc"}), 401, "bad_authorization")
    assert_problem(client.get("/api/v1/jobs", headers=bearer("rst_" + "x" * 43)), 401, "invalid_token")
    assert client.get("/api/v1/jobs").headers["WWW-Authenticate"].startswith("Bearer")


def test_submit_follow_download_and_delete_a_job(app, auth):
    auth.create_user("alice")
    secret = make_token(app, "alice")
    client = app.test_client()
    tools = client.get("/api/v1/tools").get_json()["tools"]
    assert "adjust" in {tool["name"] for tool in tools}
    submitted = api_upload(client, secret, picture_bytes(), rotate="left", brightness="1.2")
    assert submitted.status_code == 201, submitted.get_data(as_text=True)
    job = submitted.get_json()
    assert submitted.headers["Location"] == f"/api/v1/jobs/{job['id']}"
    assert job["params"]["rotate"] == "left"
    finished = wait_done(client, secret, job["id"])
    assert finished["status"] == "done" and finished["links"]["result"].endswith("/result")
    result = get_file(client.application.test_client(), finished["links"]["result"])
    assert result.status_code == 401  # no token, no picture
    picture = client.get(finished["links"]["result"], headers=bearer(secret))
    assert picture.status_code == 200 and picture.mimetype == "image/png" and picture.get_data()[:4] == b"\x89PNG"
    picture.close()
    history = client.get("/api/v1/jobs", headers=bearer(secret)).get_json()["jobs"]
    assert [j["id"] for j in history] == [job["id"]]
    data_dir = app.extensions["restora.settings"].data_dir
    assert any((data_dir / "results").rglob("*.png"))
    assert client.delete(f"/api/v1/jobs/{job['id']}", headers=bearer(secret)).status_code == 204
    assert_problem(client.get(f"/api/v1/jobs/{job['id']}", headers=bearer(secret)), 404, "not_found")
    assert not [p for p in data_dir.rglob("*.png") if p.parent.name == str(1) or "uploads" in p.parts]


def test_refusals_are_problems_with_stable_codes(app, auth):
    auth.create_user("alice")
    secret = make_token(app, "alice")
    client = app.test_client()
    assert_problem(api_upload(client, secret, picture_bytes(), tool="nope"), 422, "unknown_tool")
    assert_problem(api_upload(client, secret, None, rotate="left"), 400, "missing_photo")
    assert_problem(api_upload(client, secret, b"not a picture", rotate="left"), 415, "unsupported_format")
    assert_problem(api_upload(client, secret, picture_bytes(), rotate="sideways"), 422, "invalid_parameters")
    assert_problem(api_upload(client, secret, picture_bytes(), rotat="left"), 422, "unknown_parameter")
    assert_problem(client.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000", headers=bearer(secret)), 404, "not_found")
    assert_problem(client.put("/api/v1/jobs", headers=bearer(secret)), 405, "method_not_allowed")
    assert_problem(client.get("/api/v1/nowhere", headers=bearer(secret)), 404, "not_found")


def test_the_sites_quota_and_limits_apply_to_the_api(app, auth):
    auth.create_user("alice")
    secret = make_token(app, "alice")
    client = app.test_client()
    change_settings(app, max_jobs_per_user=1)
    assert api_upload(client, secret, picture_bytes(), rotate="left").status_code == 201
    assert_problem(api_upload(client, secret, picture_bytes(), rotate="left"), 403, "quota_jobs")
    limits = client.get("/api/v1/limits", headers=bearer(secret)).get_json()
    assert limits["max_jobs_per_user"] == 1 and limits["used"]["jobs"] == 1


def test_waiting_line_full_is_429_with_retry_after(app, auth):
    auth.create_user("alice")
    secret = make_token(app, "alice")
    client = app.test_client()
    change_settings(app, max_waiting_jobs=1, max_queued_jobs=100)
    # The executor is stopped so the first job stays waiting.
    from restora.web.executor import stop_executor

    first = api_upload(client, secret, picture_bytes(), rotate="left")
    stop_executor(app)
    from restora.jobs.models import Job
    from sqlalchemy import update

    with database(app).sessions() as session:  # hold it waiting, whatever the executor did meanwhile
        session.execute(update(Job).where(Job.id == first.get_json()["id"]).values(status="queued"))
        session.commit()
    app.extensions["restora.executor"] = _NoExecutor()
    refused = api_upload(client, secret, picture_bytes(), rotate="left")
    assert_problem(refused, 429, "too_many_waiting")
    assert int(refused.headers["Retry-After"]) > 0


class _NoExecutor:
    def submit(self, _job_id):
        pass

    def stop(self, timeout=None):
        pass


def test_api_rate_limit_answers_429_problem(make_app, auth):
    app = make_app(api_rate_limit="3/minute")
    app.test_client()
    client = app.test_client()
    statuses = [client.get("/api/v1/tools").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/tools")
    assert_problem(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) > 0


def test_a_cookie_request_that_changes_something_needs_the_csrf_token(app, auth, client):
    auth.create_user("alice")
    auth.login("alice")
    assert client.get("/api/v1/jobs").status_code == 200  # the site's own session may read
    assert_problem(api_upload(client, None, picture_bytes(), rotate="left"), 400, "csrf_failed")
    ok = api_upload(client, None, picture_bytes(), rotate="left", headers={"X-CSRFToken": auth.csrf("/alice/")})
    assert ok.status_code == 201


def test_events_stream_progress_and_ends_with_done(app, auth):
    auth.create_user("alice")
    secret = make_token(app, "alice")
    client = app.test_client()
    job = api_upload(client, secret, picture_bytes(), rotate="left").get_json()
    response = client.get(f"/api/v1/jobs/{job['id']}/events", headers=bearer(secret))
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    text = response.get_data(as_text=True)  # the stream ends by itself when the job does
    assert text.startswith("retry: ")
    assert "event: status" in text and text.rstrip().split("\n\n")[-1].startswith("event: done")


def test_events_streams_are_capped_per_process(make_app, auth):
    app = make_app(max_event_streams=1)
    auth = type(auth)(app, app.test_client(), auth.smtp)
    auth.create_user("alice")
    secret = make_token(app, "alice")
    client = app.test_client()
    job = api_upload(client, secret, picture_bytes(), rotate="left").get_json()
    app.extensions["restora.event_slots"] = None
    from restora.web.api.events import _slots

    app.extensions.pop("restora.event_slots")
    with app.app_context():
        slots = _slots(app)
    assert slots.acquire(blocking=False)  # one stream open elsewhere
    refused = client.get(f"/api/v1/jobs/{job['id']}/events", headers=bearer(secret))
    assert_problem(refused, 503, "too_many_streams")
    slots.release()
    assert client.get(f"/api/v1/jobs/{job['id']}/events", headers=bearer(secret)).status_code == 200


def test_openapi_document_lists_every_tool_and_its_parameters(app, client):
    from restora.tools import TOOLS

    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    form = document["paths"]["/api/v1/jobs"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(form["properties"]["tool"]["enum"]) == set(TOOLS)
    for tool in TOOLS.values():
        schema = document["components"]["schemas"][f"Params_{tool.name}"]
        for param in tool.params:
            if param.kind != "weights":
                assert param.name in schema["properties"] and param.name in form["properties"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "POST /api/v1/jobs" in page.get_data(as_text=True)
    assert "cdn" not in page.get_data(as_text=True).lower()
