"""A logged-in session while the database is away: every kind of page answers 503 with Retry-After (the
session check itself needs the database), never a 500 or a traceback; the API answers a problem document.

The database is taken away for real: a private MariaDB or PostgreSQL database is dropped under the app
(an SQLite file cannot be taken from a running process). benchmarks/db_restart_bench.py restarts the
whole MariaDB server under load and measures the recovery.
"""

from __future__ import annotations

import json

import pytest

from restora.web.database import database
from tests.jobs import support
from tests.web.api_support import bearer, make_token
from tests.web.conftest import AuthActions


@pytest.fixture
def lost_database(make_app, smtp, db_url):
    """(alice logged in, her API token, drop): an app on a private database that ``drop()`` removes."""
    kind = db_url.split(":", 1)[0].split("+", 1)[0]
    if kind == "sqlite":
        pytest.skip("an SQLite file cannot be taken away from a running process")
    create, remove = {
        "mysql": (support.create_mariadb_database, support.drop_mariadb_database),
        "postgresql": (support.create_postgresql_database, support.drop_postgresql_database),
    }[kind]
    make_app()  # the test's own database first: make_app empties the first app's tables afterwards
    name, url = create("restora_gone")
    app = make_app(database_url=url)
    alice = AuthActions(app, app.test_client(), smtp)
    alice.create_user("alice")
    assert alice.login("alice").status_code == 302
    token = make_token(app, "alice")
    dropped = []

    def drop() -> None:
        remove(name)  # PostgreSQL: WITH (FORCE) ends the app's pooled connections too
        database(app).engine.dispose()
        dropped.append(name)

    yield alice, token, drop
    if not dropped:
        remove(name)


def test_pages_settings_login_and_api_answer_503_with_retry_after(lost_database):
    alice, token, drop = lost_database
    client = alice.client
    csrf = alice.csrf("/alice/settings")
    assert client.get("/alice/settings").status_code == 200
    drop()
    for response in (
        client.get("/alice/"),
        client.get("/alice/settings"),
        client.post("/alice/settings/sessions/end", data={"csrf_token": csrf}),
        client.post("/logout", data={"csrf_token": csrf}),
    ):
        body = response.get_data(as_text=True)
        assert response.status_code == 503, (response.request.path, body[:300])
        assert response.headers["Retry-After"] == "30" and "Traceback" not in body
        assert "Try again" in body
    stranger = AuthActions(alice.app, alice.app.test_client(), None)
    assert stranger.client.get("/login").status_code == 200  # needs no database
    login = stranger.login("alice")
    assert login.status_code == 503 and int(login.headers["Retry-After"]) > 0  # the rate limiter sets its own
    api = alice.app.test_client().get("/api/v1/jobs", headers=bearer(token))
    assert api.status_code == 503 and int(api.headers["Retry-After"]) > 0
    assert api.content_type == "application/problem+json"
    assert json.loads(api.get_data())["code"] == "database_unavailable"
