"""A7: every state-changing route refuses a request without a CSRF token, and no GET changes the database."""

from __future__ import annotations

from sqlalchemy import MetaData, select

from restora.web.database import database
from tests.web.routes import STATE_CHANGING, routes


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table, to prove a request changed nothing."""
    engine = database(app).engine
    tables = MetaData()
    tables.reflect(engine)
    with engine.connect() as connection:
        return {name: sorted(map(tuple, connection.execute(select(table)).all()), key=repr)
                for name, table in tables.tables.items()}


def test_every_state_changing_route_needs_the_token(app, client, auth):
    auth.create_user("alice")
    auth.login("alice")
    before = snapshot(app)
    checked = 0
    for route in routes(app):
        for method in route.methods & STATE_CHANGING:
            response = client.open(route.url(app), method=method, data={"login": "alice", "password": "x"})
            assert response.status_code == 400, (method, route.rule.rule)
            if route.rule.rule.startswith("/api/"):  # a session (not a token) on the API: a problem document
                assert response.get_json()["code"] == "csrf_failed", (method, route.rule.rule)
            else:
                assert "Reload the page" in response.get_data(as_text=True)
            checked += 1
    assert checked >= 7  # login, register, verify, resend, forgot, reset, logout, language at least
    assert snapshot(app) == before
    assert client.get("/alice/").status_code == 200  # still logged in: logout without a token did nothing


def test_a_token_from_another_session_is_refused(app, client, auth):
    auth.create_user("alice")
    stranger = app.test_client()
    foreign = stranger.get("/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', foreign).group(1)
    client.get("/login")
    response = client.post("/login", data={"login": "alice", "password": "correct horse battery", "csrf_token": token})
    assert response.status_code == 400


def test_no_get_changes_the_database(app, client, auth):
    auth.create_user("alice")
    auth.login("alice")
    before = snapshot(app)
    for route in routes(app):
        if "GET" in route.methods:
            client.get(route.url(app)).close()  # a file sent (a tool's icon) is closed, as a server would
    assert snapshot(app) == before
