"""Logging in and out: A3 (brute force), A6 (session), A8 (no enumeration)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from restora.accounts import models
from restora.accounts.models import User
from restora.web.database import database
from tests.web.conftest import PASSWORD, AuthActions, change_settings


def session_cookie(client):
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_login_with_username_any_case_or_email(auth, client):
    auth.create_user("Alice")
    assert auth.login("ALICE").headers["Location"] == "/Alice/"
    auth.logout()
    assert auth.login("alice@example.com").headers["Location"] == "/Alice/"


def test_wrong_password_and_unknown_user_give_identical_pages(auth):
    auth.create_user("alice")
    wrong = auth.login("alice", "wrong password here").get_data(as_text=True)
    unknown = auth.login("nobody_here", "wrong password here").get_data(as_text=True)
    strip = lambda html: re.sub(r'value="[^"]*"', "", html)  # the CSRF token and the echoed login differ
    assert strip(wrong) == strip(unknown)
    assert "Wrong username, email or password" in wrong


@pytest.fixture
def no_ip_limit(app):
    change_settings(app, auth_rate_limit="1000/minute")  # these tests are about the per-account counter


def test_ten_failures_lock_the_account_for_15_minutes(auth, monkeypatch, no_ip_limit):
    auth.create_user("alice")
    start = models.utcnow()
    monkeypatch.setattr(models, "utcnow", lambda: start)
    for _ in range(10):
        assert auth.login("alice", "not the password").status_code == 422
    locked = auth.login("alice")  # even the right password
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) in (899, 900)
    assert "Too many wrong passwords" in locked.get_data(as_text=True)
    monkeypatch.setattr(models, "utcnow", lambda: start + timedelta(minutes=15, seconds=1))
    assert auth.login("alice").status_code == 302


@pytest.mark.slow
def test_a_name_without_an_account_locks_the_same_way(auth, app, smtp, no_ip_limit):
    # ASVS 6.3.8: the lock page must not tell a stranger which names have accounts
    auth.create_user("alice")
    answers = {}
    for login in ("alice", "nobody_here"):
        for _ in range(10):
            assert auth.login(login, "not the password").status_code == 422
        answers[login] = auth.login(login, "not the password")
    known, unknown = answers["alice"], answers["nobody_here"]
    assert known.status_code == unknown.status_code == 429
    assert int(known.headers["Retry-After"]) in (899, 900) and int(unknown.headers["Retry-After"]) in (899, 900)
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731 (CSRF tokens differ)
    assert strip(known) == strip(unknown)
    assert auth.login("someone_else", "not the password").status_code == 422  # per name, not global


def test_a_success_resets_the_failure_count(auth, app, no_ip_limit):
    auth.create_user("alice")
    for _ in range(9):
        auth.login("alice", "not the password")
    assert auth.login("alice").status_code == 302
    with database(app).sessions() as session:
        assert session.scalars(select(User.failed_logins)).one() == 0


def test_lock_is_per_account(auth, app, smtp, no_ip_limit):
    auth.create_user("alice")
    auth.create_user("bob")
    for _ in range(10):
        auth.login("alice", "not the password")
    assert auth.login("alice").status_code == 429
    assert auth.login("bob").status_code == 302


def test_per_ip_limit_answers_429_with_retry_after(make_app, smtp):
    app = make_app(auth_rate_limit="3/minute")
    auth = AuthActions(app, app.test_client(), smtp)
    for _ in range(3):
        assert auth.login("nobody_here", "whatever it is").status_code == 422
    response = auth.login("nobody_here", "whatever it is")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many attempts" in response.get_data(as_text=True)
    # Another address is not throttled by this one's attempts.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    page = other.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert other.post("/login", data={"login": "x", "password": "y", "csrf_token": token}).status_code == 422


def test_default_per_ip_limit_is_10_per_minute(app, auth):
    for _ in range(10):
        auth.login("nobody_here", "whatever it is")
    assert auth.login("nobody_here", "whatever it is").status_code == 429


def test_redis_rate_limit_storage(make_app, smtp):
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=15).flushdb()
    app = make_app(ratelimit_storage_uri="redis://127.0.0.1:6379/15", auth_rate_limit="2/minute")
    auth = AuthActions(app, app.test_client(), smtp)
    assert [auth.login("x_nobody", "whatever it is").status_code for _ in range(3)] == [422, 422, 429]
    assert redis.Redis(host="127.0.0.1", port=6379, db=15).keys("LIMITS*")
    redis.Redis(host="127.0.0.1", port=6379, db=15).flushdb()


def test_session_cookie_flags_over_http_and_https(auth, client, app):
    auth.create_user("alice")
    response = auth.login("alice")
    header = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    https = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', https.get("/login", base_url="https://localhost").get_data(as_text=True)).group(1)
    response = https.post("/login", base_url="https://localhost",
                          headers={"Referer": "https://localhost/login"},
                          data={"login": "alice", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    header = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


def test_cookie_changes_on_login(auth, client):
    auth.create_user("alice")
    client.get("/login")
    before = session_cookie(client)
    auth.login("alice")
    assert session_cookie(client) != before


def test_old_cookie_is_useless_after_logout(auth, client, app):
    auth.create_user("alice")
    auth.login("alice")
    stolen = session_cookie(client)
    assert auth.logout().status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/alice/")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_disabling_a_user_ends_their_sessions(auth, client, app):
    auth.create_user("alice")
    auth.login("alice")
    with database(app).sessions() as session:
        session.execute(update(User).values(active=False))
        session.commit()
    assert client.get("/alice/").status_code == 302
    assert auth.login("alice").status_code == 422  # and no new session


def test_deleted_user_mid_session_becomes_anonymous(auth, client, app):
    auth.create_user("alice")
    auth.login("alice")
    with database(app).sessions() as session:
        session.delete(session.scalars(select(User)).one())
        session.commit()
    assert client.get("/alice/").status_code == 302


def test_garbled_session_user_id_is_anonymous(app):
    from restora.web.auth import load_session_user

    with app.test_request_context():
        for garbage in ["", "1", "1:", ":0", "x:0", "1:x", "99999:0", "1:0:0", "-1:0"]:
            assert load_session_user(garbage) is None


@pytest.mark.parametrize("target, expected", [
    ("/alice/", "/alice/"),
    ("//evil.com", "/alice/"),
    ("https://evil.com/", "/alice/"),
    ("/\\evil.com", "/alice/"),
    ("javascript:alert(1)", "/alice/"),
    ("http:/evil.com", "/alice/"),
])
def test_next_only_to_this_site(auth, target, expected, no_ip_limit):
    auth.create_user("alice")
    from urllib.parse import quote

    assert auth.login("alice", next=quote(target, safe="")).headers["Location"] == expected


def test_logout_needs_post_with_csrf(auth, client):
    auth.create_user("alice")
    auth.login("alice")
    client.get("/logout", follow_redirects=True)  # a GET never logs out
    assert client.post("/logout").status_code == 400
    assert client.get("/alice/").status_code == 200  # still logged in


def test_password_never_in_db_or_logs(auth, app, caplog):
    caplog.set_level("DEBUG")
    auth.register("erin", "erin@example.com", password=PASSWORD)
    auth.logout()
    auth.login("erin")
    with database(app).sessions() as session:
        row = session.scalars(select(User)).one()
        assert all(PASSWORD not in str(value) for value in vars(row).values())
    assert PASSWORD not in caplog.text


def test_login_rehashes_an_outdated_hash(auth, app):
    from argon2 import PasswordHasher, extract_parameters

    auth.create_user("alice")
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    with database(app).sessions() as session:
        session.execute(update(User).values(password_hash=weak))
        session.commit()
    assert auth.login("alice").status_code == 302
    with database(app).sessions() as session:
        stored = session.scalars(select(User.password_hash)).one()
    assert stored != weak and extract_parameters(stored).memory_cost >= 19 * 1024


def test_unicode_password_logs_in_in_either_normal_form(auth):
    auth.create_user("alice", password="ｃｏｒｒｅｃｔ horse ﬁle")
    assert auth.login("alice", "correct horse file").status_code == 302


def test_no_long_lived_remember_cookie(auth, client):
    auth.create_user("alice")
    response = auth.login("alice")
    cookies = response.headers.getlist("Set-Cookie")
    assert not any(c.startswith("remember_token=") for c in cookies)
    assert not any("Expires=" in c for c in cookies if c.startswith("session="))  # ends with the browser


@pytest.mark.parametrize("path", ["/login", "/register", "/verify", "/verify/resend", "/forgot", "/reset"])
def test_every_account_form_is_throttled_per_ip(make_app, smtp, path):
    app = make_app(auth_rate_limit="2/minute", mail_rate_limit="2/minute")
    auth = AuthActions(app, app.test_client(), smtp)
    statuses = [auth.client.post(path, data={"csrf_token": auth.csrf()}).status_code for _ in range(3)]
    assert 429 not in statuses[:2] and statuses[2] == 429, statuses


@pytest.mark.slow
def test_an_old_streak_of_failures_starts_again(auth, monkeypatch, no_ip_limit):
    auth.create_user("alice")
    start = models.utcnow()
    monkeypatch.setattr(models, "utcnow", lambda: start)
    for _ in range(9):
        auth.login("alice", "not the password")
    monkeypatch.setattr(models, "utcnow", lambda: start + timedelta(minutes=16))
    for _ in range(9):
        auth.login("alice", "not the password")
    assert auth.login("alice").status_code == 302  # 9 in this streak: not locked
    auth.logout()
    for _ in range(10):
        auth.login("alice", "not the password")
    assert auth.login("alice").status_code == 429
