"""Sessions a person can see and end (account settings), on every database the web tests use."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from restora.accounts import sessions as sessions_module
from restora.accounts.models import User, UserSession, utcnow
from restora.accounts.sessions import summarize_user_agent
from restora.web.database import database
from tests.web.conftest import PASSWORD, AuthActions

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/126.0.0.0 Mobile Safari/537.36")


def browser(app, smtp, user_agent: str, address: str = "127.0.0.1") -> AuthActions:
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    return AuthActions(app, client, smtp)


def post(actions: AuthActions, url: str, **data):
    return actions.client.post(url, data={**data, "csrf_token": actions.csrf("/alice/settings")})


def rows(app) -> list[UserSession]:
    with database(app).sessions() as sql:
        return list(sql.scalars(select(UserSession).order_by(UserSession.id)))


def end_urls(html: str) -> list[str]:
    return re.findall(r'action="(/alice/settings/sessions/\d+/end)"', html)


@pytest.fixture
def alice_twice(app, smtp, auth):
    """alice logged in on a laptop (Firefox on Linux) and on a phone (Chrome on Android)."""
    auth.create_user("alice")
    laptop = browser(app, smtp, FIREFOX_LINUX, "192.0.2.10")
    phone = browser(app, smtp, CHROME_ANDROID, "2001:db8::7")
    assert laptop.login("alice").status_code == 302
    assert phone.login("alice").status_code == 302
    return laptop, phone


def test_the_settings_page_lists_each_login_and_marks_this_one(alice_twice):
    laptop, _phone = alice_twice
    html = laptop.client.get("/alice/settings").get_data(as_text=True)
    section = html[html.index('id="sessions"'):html.index('id="delete"')]
    assert "Firefox on Linux" in section and "192.0.2.10" in section
    assert "Chrome on Android" in section and "2001:db8::7" in section
    assert section.count("this-session") == 1
    marked = section[section.index("this-session"):]
    assert marked.index("Firefox on Linux") < marked.index("</tr>")  # the laptop's own row is the marked one
    assert len(end_urls(section)) == 2


def test_ending_a_session_logs_that_browser_out_at_once(alice_twice, app):
    laptop, phone = alice_twice
    phone_id = max(row.id for row in rows(app))
    assert phone.client.get("/alice/").status_code == 200
    assert post(laptop, f"/alice/settings/sessions/{phone_id}/end").status_code == 303
    assert phone.client.get("/alice/").headers["Location"] == "/"
    assert laptop.client.get("/alice/").status_code == 200
    html = laptop.client.get("/alice/settings").get_data(as_text=True)
    assert "Chrome on Android" not in html and len(end_urls(html)) == 1
    assert post(laptop, f"/alice/settings/sessions/{phone_id}/end").status_code == 404  # already ended


def test_ending_this_browsers_own_session_is_logging_out(alice_twice, app):
    laptop, phone = alice_twice
    laptop_id = min(row.id for row in rows(app))
    response = post(laptop, f"/alice/settings/sessions/{laptop_id}/end")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert laptop.client.get("/alice/").status_code == 302
    assert phone.client.get("/alice/").status_code == 200


def test_nobody_ends_another_persons_session(app, smtp, auth):
    auth.create_user("alice")
    auth.create_user("bob")
    bob = browser(app, smtp, FIREFOX_LINUX)
    bob.login("bob")
    auth.login("alice")
    [bob_row] = [row for row in rows(app) if row.user_id != rows(app)[-1].user_id]
    assert post(auth, f"/alice/settings/sessions/{bob_row.id}/end").status_code == 404
    assert post(auth, f"/bob/settings/sessions/{bob_row.id}/end").status_code == 404
    assert bob.client.get("/bob/").status_code == 200
    assert f"/sessions/{bob_row.id}/end" not in auth.client.get("/alice/settings").get_data(as_text=True)


def test_logging_out_ends_only_this_session_and_a_copied_cookie_is_useless(alice_twice, app):
    laptop, phone = alice_twice
    copy = app.test_client()
    copy.set_cookie("session", laptop.client.get_cookie("session").value)
    assert copy.get("/alice/").status_code == 200
    laptop.logout()
    assert copy.get("/alice/").status_code == 302
    assert phone.client.get("/alice/").status_code == 200
    assert [row.ended_at is not None for row in rows(app)] == [True, False]


def test_log_out_everywhere_else_ends_every_other_row(app, smtp, alice_twice):
    laptop, phone = alice_twice
    third = browser(app, smtp, "curl/8.5.0")
    third.login("alice")
    assert post(laptop, "/alice/settings/sessions/end").status_code == 303
    assert [row.ended_at is None for row in rows(app)] == [True, False, False]
    assert phone.client.get("/alice/").status_code == 302 and third.client.get("/alice/").status_code == 302
    assert laptop.client.get("/alice/").status_code == 200


def test_a_password_change_ends_the_others_and_keeps_this_browser(alice_twice, app):
    laptop, phone = alice_twice
    new = "another long passphrase"
    response = laptop.client.post("/alice/password", data={
        "current": PASSWORD, "password": new, "confirm": new, "csrf_token": laptop.csrf("/alice/password")})
    assert response.status_code == 302
    assert phone.client.get("/alice/").status_code == 302
    assert laptop.client.get("/alice/").status_code == 200
    assert len(end_urls(laptop.client.get("/alice/settings").get_data(as_text=True))) == 1


def test_deleting_the_account_removes_its_sessions(alice_twice, app):
    laptop, _phone = alice_twice
    assert post(laptop, "/alice/settings/delete", password=PASSWORD).status_code == 303
    assert rows(app) == []


def test_a_session_idle_for_30_days_is_over(alice_twice, app, monkeypatch):
    laptop, _phone = alice_twice
    later = utcnow() + timedelta(days=30, minutes=1)
    monkeypatch.setattr(sessions_module, "utcnow", lambda: later)
    assert laptop.client.get("/alice/").status_code == 302


def test_last_seen_is_written_at_most_once_a_minute_and_checked_in_one_query(alice_twice, app, monkeypatch):
    laptop, _phone = alice_twice
    statements: list[str] = []
    engine = database(app).engine
    listener = lambda _conn, _cursor, sql, *_args: statements.append(sql.lower())  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        start = utcnow()
        for seconds in (10, 50):
            monkeypatch.setattr(sessions_module, "utcnow", lambda s=seconds: start + timedelta(seconds=s))
            statements.clear()
            assert laptop.client.get("/alice/").status_code == 200
            assert sum("user_sessions" in sql for sql in statements) == 1  # the loader's one SELECT
            assert not any(sql.startswith("update user_sessions") for sql in statements)
        monkeypatch.setattr(sessions_module, "utcnow", lambda: start + timedelta(seconds=70))
        statements.clear()
        assert laptop.client.get("/alice/").status_code == 200
        assert sum(sql.startswith("update user_sessions") for sql in statements) == 1
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    laptop_row = min(rows(app), key=lambda row: row.id)
    assert abs((laptop_row.last_seen_at - (start + timedelta(seconds=70))).total_seconds()) < 1.5


def test_disabling_the_account_ends_its_session_rows(alice_twice, app):
    from restora.accounts.users import set_active

    laptop, _phone = alice_twice
    with database(app).sessions() as sql:
        set_active(sql, "alice", False)
        sql.commit()
    assert all(row.ended_at is not None for row in rows(app))
    with database(app).sessions() as sql:
        assert sql.scalars(select(User)).one().active is False


@pytest.mark.parametrize("header, summary", [
    (FIREFOX_LINUX, "Firefox on Linux"),
    (CHROME_ANDROID, "Chrome on Android"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 "
     "Edg/126.0", "Edge on Windows"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.5 Mobile/15E148 Safari/604.1", "Safari on iOS"),
    ("curl/8.5.0", "curl"),
    ("restora-client/1.0 <script>", "restora-client/1.0"),
    ("", ""),
    (None, ""),
])
def test_user_agent_summary(header, summary):
    assert summarize_user_agent(header) == summary


@pytest.mark.parametrize("url", ["/alice/settings/sessions/99999999999999999999/end",
                                 "/alice/settings/tokens/99999999999999999999/revoke",
                                 "/alice/settings/sessions/2147483648/end"])
def test_an_id_past_the_columns_range_is_not_found(alice_twice, app, url):
    # 10**20 reached SQLite's driver as an OverflowError: a 500, not the 404 of an id nobody has
    laptop, _phone = alice_twice
    assert post(laptop, url).status_code == 404
    assert [row.ended_at for row in rows(app)] == [None, None]
