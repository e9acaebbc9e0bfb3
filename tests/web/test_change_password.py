"""A logged-in user changes their password: the current one is required, the policy applies, this browser
stays logged in and every other session ends."""

from __future__ import annotations

from tests.web.conftest import PASSWORD, AuthActions

NEW_PASSWORD = "a brand new passphrase"


def post_change(auth, current=PASSWORD, password=NEW_PASSWORD, confirm=None, user="alice"):
    page = f"/{user}/password"
    return auth.client.post(page, data={
        "current": current, "password": password, "confirm": password if confirm is None else confirm,
        "csrf_token": auth.csrf(page),
    })


def test_change_keeps_this_session_and_ends_the_others(auth, smtp, app):
    auth.create_user("alice")
    auth.login("alice")
    laptop = AuthActions(app, app.test_client(), smtp)
    laptop.login("alice")
    assert auth.client.get("/alice/password").status_code == 200
    answer = post_change(auth)
    assert answer.status_code == 302 and answer.headers["Location"] == "/alice/"
    assert auth.client.get("/alice/").status_code == 200  # still logged in here
    assert laptop.client.get("/alice/").status_code == 302  # logged out there
    auth.logout()
    assert auth.login("alice", PASSWORD).status_code == 422
    assert auth.login("alice", NEW_PASSWORD).status_code == 302


def test_wrong_current_password_or_weak_new_one_changes_nothing(auth):
    auth.create_user("alice")
    auth.login("alice")
    wrong = post_change(auth, current="not my password")
    assert wrong.status_code == 422 and "not your current password" in wrong.get_data(as_text=True)
    assert "most common" in post_change(auth, password="password1").get_data(as_text=True)
    assert "type the same password twice" in post_change(auth, confirm="something else").get_data(as_text=True)
    auth.logout()
    assert auth.login("alice", PASSWORD).status_code == 302


def test_nobody_changes_another_users_password(auth, smtp, app):
    auth.create_user("alice")
    auth.create_user("bob", email="bob@example.com")
    auth.login("bob")
    assert auth.client.get("/alice/password").headers["Location"] == "/bob/password"  # own page instead
    assert post_change(auth, user="alice").status_code == 404
    stranger = AuthActions(app, app.test_client(), smtp)
    assert stranger.client.get("/alice/password").status_code == 302  # not logged in: home page
    auth.logout()
    assert auth.login("alice", PASSWORD).status_code == 302
