"""R2: logged in as alice, nothing of bob's can be seen, downloaded, run against or deleted.

The matrix is built from ``app.url_map``: every rule of the tools blueprint is tried with bob's username
and with alice's username + bob's job id, by GET and POST (with a valid CSRF token). A route added later
is covered without editing this test.
"""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from sqlalchemy import select

from restora.jobs.models import Job
from restora.web.executor import stop_executor
from restora.web.database import database
from tests.web.conftest import AuthActions
from tests.web.tools_support import picture_bytes, post_upload, wait_for_job

CSRF_VALUE = re.compile(r'value="[^"]*"')


@pytest.fixture(autouse=True)
def executor_stopped_after_test(app):
    yield
    stop_executor(app)


def snapshot(app, tmp_path, user_id: int):
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (tmp_path / "instance").glob(f"*/{user_id}/*")}
    with database(app).sessions() as session:
        rows = [
            (j.id, j.status, j.result_path, j.input_path, j.inputs_json, j.attempt)
            for j in session.scalars(select(Job).where(Job.user_id == user_id))
        ]
    return files, rows


def urls_for(app, username: str, job_id: str) -> list[tuple[str, str, str]]:
    """(endpoint, access kind, url) for every rule of the tools blueprint."""
    from restora.web.access import access_kind

    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("tools."):
            continue
        values = {"username": username, "job_id": job_id, "tool": "adjust", "name": "picture"}
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments}, append_unknown=False)[1]
        found.append((rule.endpoint, access_kind(app.view_functions[rule.endpoint], rule.endpoint), url))
    return found


@pytest.mark.slow
def test_alice_can_reach_nothing_of_bobs(app, client, smtp, tmp_path):
    alice = AuthActions(app, client, smtp)
    alice.create_user("alice")
    bob_client = app.test_client()
    bob = AuthActions(app, bob_client, smtp)
    bob_user = bob.create_user("bob")
    bob.login("bob")
    bob_job = wait_for_job(bob_client, post_upload(bob_client, bob, username="bob", photo=picture_bytes(), rotate="left").get_json()["status_url"])
    assert bob_job["status"] == "done"
    bob_client.get(f"/bob/jobs/{bob_job['id']}/thumbnail").close()
    with database(app).sessions() as session:  # another picture too, so the inputs route has a file to guard
        job = session.get(Job, bob_job["id"])
        job.inputs_json = json.dumps({"picture": job.input_path})
        session.commit()
    before = snapshot(app, tmp_path, bob_user.id)

    alice.login("alice")
    token = alice.csrf()
    not_found = client.get(f"/nobody_here/jobs/{bob_job['id']}")
    assert not_found.status_code == 404
    reference_404 = CSRF_VALUE.sub("", not_found.get_data(as_text=True))

    tried = 0
    for username in ("bob", "alice", "BOB"):
        for endpoint, kind, url in urls_for(app, username, bob_job["id"]):
            for method in ("GET", "POST"):
                kwargs = {"data": {"csrf_token": token, "rotate": "left"}} if method == "POST" else {}
                response = client.open(url, method=method, **kwargs)
                body = response.get_data(as_text=True)
                response.close()
                tried += 1
                assert bob_job["id"] not in body, (method, url)
                if kind == "owner_page" and username != "alice":
                    # GET goes to alice's own page; anything else is a 404, never bob's page.
                    expected = {"GET": 302, "POST": 404}[method]
                    assert response.status_code in (expected, 405), (method, url, response.status_code)
                    if response.status_code == 302:
                        assert response.headers["Location"].startswith("/alice/")
                    continue
                if kind == "owner_page":
                    continue  # alice's own pages
                assert response.status_code in (404, 405), (method, url, response.status_code)
                if response.status_code == 404:
                    assert CSRF_VALUE.sub("", body) == reference_404, (method, url)
    assert tried >= 40
    assert snapshot(app, tmp_path, bob_user.id) == before

    # bob still has everything.
    assert bob_client.get(bob_job["status_url"]).get_json()["status"] == "done"


def test_logged_out_visitors_are_sent_home_and_json_gets_401(app, client, smtp):
    for endpoint, kind, url in urls_for(app, "bob", "0" * 36):
        response = client.get(url)
        assert response.status_code in (302, 405), url
        if response.status_code == 302:
            assert response.headers["Location"] == "/"
    assert client.get(f"/bob/jobs/{'0' * 36}", headers={"Accept": "application/json"}).status_code == 401


@pytest.mark.parametrize("job_id", ["..%2f..%2fsecret_key", "%2e%2e", "a%00b", "..\\..\\x", "/etc/passwd"])
def test_odd_job_ids_are_404(app, client, smtp, job_id):
    alice = AuthActions(app, client, smtp)
    alice.create_user("alice")
    alice.login("alice")
    for suffix in ("", "/original", "/result", "/thumbnail"):
        response = client.get(f"/alice/jobs/{job_id}{suffix}")
        assert response.status_code == 404, (job_id, suffix)


def test_a_lost_database_gives_503_not_500(make_app, smtp, db_url):
    """J6: the database goes away under a logged-in user (here: the MariaDB database is dropped)."""
    if not db_url.startswith("mysql"):
        pytest.skip("an SQLite file cannot be taken away from a running process")
    from tests.jobs.support import create_mariadb_database, drop_mariadb_database

    name, url = create_mariadb_database("restora_gone")
    app = make_app(database_url=url)
    client = app.test_client()
    alice = AuthActions(app, client, smtp)
    alice.create_user("alice")
    alice.login("alice")
    assert client.get("/alice/history").status_code == 200
    drop_mariadb_database(name)
    database(app).engine.dispose()
    try:
        response = client.get("/alice/history")
        assert response.status_code == 503 and response.headers["Retry-After"] == "30"
        assert "Try again" in response.get_data(as_text=True)
        assert client.get("/alice/jobs/x", headers={"Accept": "application/json"}).status_code == 503
    finally:
        stop_executor(app)
