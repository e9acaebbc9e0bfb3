"""Isolation on the API: every ``@api_user`` route (found by walking ``app.url_map``, so a new route is
checked without being named here) with another person's job, result, token and history: 0 leaks."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from restora.accounts.models import ApiToken, User
from restora.jobs.models import Job
from restora.web.database import database
from tests.web.api_support import api_upload, bearer, make_token, wait_done
from tests.web.routes import routes
from tests.web.tools_support import get_file, picture_bytes

NOBODY = "00000000-0000-0000-0000-00000000abcd"


@pytest.fixture
def two_people(app, auth):
    """alice and bob with a token each, and a finished job of bob's (with an upload and a result)."""
    auth.create_user("alice")
    auth.create_user("bob")
    alice, bob = make_token(app, "alice"), make_token(app, "bob")
    client = app.test_client()
    job = api_upload(client, bob, picture_bytes(), rotate="left").get_json()
    assert wait_done(client, bob, job["id"])["status"] == "done"
    return alice, bob, job["id"]


def _bodies_equal_but_for_ids(theirs, nobody, their_id):
    return theirs.get_data(as_text=True).replace(their_id, "ID") == nobody.get_data(as_text=True).replace(NOBODY, "ID")


def test_every_api_route_refuses_someone_elses_job(app, two_people):
    alice, bob, bobs_job = two_people
    client = app.test_client()
    checked = 0
    for route in routes(app):
        if route.kind != "api_user" or "job_id" not in route.rule.arguments:
            continue
        for method in route.methods:
            url = route.rule.rule.replace("<job_id>", bobs_job)
            theirs = client.open(url, method=method, headers=bearer(alice))
            nobody = client.open(route.rule.rule.replace("<job_id>", NOBODY), method=method, headers=bearer(alice))
            assert theirs.status_code == nobody.status_code == 404, (method, url)
            assert _bodies_equal_but_for_ids(theirs, nobody, bobs_job), (method, url)
            assert theirs.mimetype == "application/problem+json"
            checked += 1
    assert checked >= 4  # get, delete, result, events, and whatever is added later
    with database(app).sessions() as session:  # alice's DELETE changed nothing of bob's
        assert session.get(Job, bobs_job) is not None
    result = client.get(f"/api/v1/jobs/{bobs_job}/result", headers=bearer(bob))
    assert result.status_code == 200
    result.close()


def test_no_api_answer_to_alice_names_bobs_job(app, two_people):
    alice, _bob, bobs_job = two_people
    client = app.test_client()
    for route in routes(app):
        if not route.rule.rule.startswith("/api/"):
            continue
        url = route.rule.rule.replace("<job_id>", bobs_job)
        for method in route.methods:
            response = client.open(url, method=method, headers=bearer(alice))
            assert bobs_job not in response.get_data(as_text=True), (method, url)
    assert client.get("/api/v1/jobs", headers=bearer(alice)).get_json() == {"jobs": []}
    assert client.get("/api/v1/limits", headers=bearer(alice)).get_json()["used"] == {"jobs": 0, "bytes": 0, "waiting": 0}


def test_the_site_session_of_alice_cannot_reach_bobs_job_on_the_api(app, auth, two_people):
    _alice, _bob, bobs_job = two_people
    auth.login("alice")
    for url in (f"/api/v1/jobs/{bobs_job}", f"/api/v1/jobs/{bobs_job}/events", f"/api/v1/jobs/{bobs_job}/result"):
        assert auth.client.get(url).status_code == 404


def test_someone_elses_token_cannot_be_revoked_or_seen(app, auth, two_people):
    _alice, bob, _job = two_people
    auth.login("alice")
    with database(app).sessions() as session:
        bobs_token = session.scalars(select(ApiToken).join(User, User.id == ApiToken.user_id)
                                     .where(User.username_key == "bob")).one()
    page = auth.client.get("/alice/settings").get_data(as_text=True)
    assert bobs_token.prefix not in page
    revoke = auth.client.post(f"/alice/settings/tokens/{bobs_token.id}/revoke", data={"csrf_token": auth.csrf()})
    assert revoke.status_code == 404
    assert auth.client.post(f"/bob/settings/tokens/{bobs_token.id}/revoke", data={"csrf_token": auth.csrf()}).status_code == 404
    assert app.test_client().get("/api/v1/jobs", headers=bearer(bob)).status_code == 200


def test_deleting_an_account_leaves_nothing_of_it(app, auth, two_people):
    _alice, bob, bobs_job = two_people
    data_dir = app.extensions["restora.settings"].data_dir
    auth.login("bob")
    assert get_file(auth.client, f"/bob/jobs/{bobs_job}/thumbnail").status_code == 200  # a thumbnail on disk too
    with database(app).sessions() as session:
        bob_id = session.scalar(select(Job.user_id).where(Job.id == bobs_job))
    files_before = {p for p in data_dir.rglob("*") if p.is_file()}
    assert any(str(bob_id) == p.parent.name for p in files_before)
    wrong = auth.client.post("/bob/settings/delete", data={"password": "wrong", "csrf_token": auth.csrf("/bob/settings")})
    assert wrong.status_code == 422
    deleted = auth.client.post("/bob/settings/delete",
                               data={"password": "correct horse battery", "csrf_token": auth.csrf("/bob/settings")})
    assert deleted.status_code == 303
    leftovers = [p for p in data_dir.rglob("*") if f"/{bob_id}/" in f"/{p.relative_to(data_dir)}/"]
    assert leftovers == []
    from restora.accounts.models import EmailCode

    with database(app).sessions() as session:
        for model, column in ((User, User.id), (Job, Job.user_id), (ApiToken, ApiToken.user_id),
                              (EmailCode, EmailCode.user_id)):
            assert session.scalar(select(func.count()).select_from(model).where(column == bob_id)) == 0, model
    assert app.test_client().get("/api/v1/jobs", headers=bearer(bob)).status_code == 401
    assert auth.client.get("/bob/").headers["Location"] == "/"  # logged out
