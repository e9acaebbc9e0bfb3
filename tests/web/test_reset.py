"""Forgotten password (A5): same answer for unknown addresses, single-use code, other sessions end."""

from __future__ import annotations

import re
from datetime import timedelta

from restora.accounts import models, passwords
from tests.web.conftest import PASSWORD, AuthActions

NEW_PASSWORD = "a brand new passphrase"


def ask_code(auth, email):
    return auth.client.post("/forgot", data={"email": email, "csrf_token": auth.csrf("/forgot")})


def ask_and_receive_code(auth, smtp, email):
    """Ask for a reset code and wait for the new mail (it is sent in the background)."""
    seen = len(smtp.to(email))
    ask_code(auth, email)
    return smtp.last_code(email, after=seen)


def post_reset(auth, code, password=NEW_PASSWORD, confirm=None):
    return auth.client.post("/reset", data={
        "code": code, "password": password, "confirm": password if confirm is None else confirm,
        "csrf_token": auth.csrf("/reset"),
    })


def test_reset_then_log_in_with_the_new_password(auth, smtp):
    auth.create_user("alice")
    assert ask_code(auth, "Alice@Example.com").headers["Location"] == "/reset"
    code = smtp.last_code("alice@example.com")
    assert post_reset(auth, code).headers["Location"] == "/login"
    assert auth.login("alice", PASSWORD).status_code == 422
    assert auth.login("alice", NEW_PASSWORD).status_code == 302


def test_unknown_email_same_answer_no_mail_same_hashing(auth, smtp, app, monkeypatch):
    auth.create_user("alice")
    calls = []
    real_hash = passwords.hash_secret
    monkeypatch.setattr(passwords, "hash_secret", lambda secret: calls.append(1) or real_hash(secret))

    known = ask_code(auth, "alice@example.com")
    known_calls, calls[:] = len(calls), []
    known_page = auth.client.get("/reset").get_data(as_text=True)

    other = AuthActions(app, app.test_client(), smtp)
    unknown = ask_code(other, "nobody@example.com")
    unknown_calls = len(calls)
    unknown_page = other.client.get("/reset").get_data(as_text=True)

    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert known_calls == unknown_calls == 1
    smtp.last_code("alice@example.com")  # mail leaves in the background, after the answer
    strip = lambda html: re.sub(r'value="[^"]*"|\S+@example\.com', "", html)
    assert strip(known_page) == strip(unknown_page)
    assert len(smtp.messages) == 1


def test_wrong_code_on_unknown_email_reads_like_a_wrong_code(auth, smtp, app):
    auth.create_user("alice")
    ask_code(auth, "alice@example.com")
    real = smtp.last_code("alice@example.com")
    wrong = f"{(int(real) + 1) % 1_000_000:06d}"
    known = post_reset(auth, wrong).get_data(as_text=True)
    other = AuthActions(app, app.test_client(), smtp)
    ask_code(other, "nobody@example.com")
    unknown = post_reset(other, wrong).get_data(as_text=True)
    strip = lambda html: re.sub(r'value="[^"]*"|\S+@example\.com', "", html)
    assert strip(known) == strip(unknown)
    assert "wrong, used or expired" in known


def test_code_works_once_and_a_new_code_voids_the_old(auth, smtp):
    auth.create_user("alice")
    first = ask_and_receive_code(auth, smtp, "alice@example.com")
    second = ask_and_receive_code(auth, smtp, "alice@example.com")
    if first != second:
        assert post_reset(auth, first).status_code == 422  # voided by the newer code
    assert post_reset(auth, second).status_code == 302
    ask_code(auth, "alice@example.com")  # a fresh flow, but replaying the spent code
    assert "wrong, used or expired" in post_reset(auth, second, password="yet another passphrase").get_data(as_text=True)


def test_expired_after_10_minutes(auth, smtp, monkeypatch):
    auth.create_user("alice")
    ask_code(auth, "alice@example.com")
    code = smtp.last_code("alice@example.com")
    issued = models.utcnow()
    monkeypatch.setattr(models, "utcnow", lambda: issued + timedelta(minutes=10, seconds=1))
    assert post_reset(auth, code).status_code == 422
    assert auth.login("alice", PASSWORD).status_code == 302


def test_weak_new_password_is_refused_and_code_kept(auth, smtp):
    auth.create_user("alice")
    ask_code(auth, "alice@example.com")
    code = smtp.last_code("alice@example.com")
    page = post_reset(auth, code, password="password1").get_data(as_text=True)
    assert "most common" in page
    assert "type the same password twice" in post_reset(auth, code, confirm="something different").get_data(as_text=True)
    assert post_reset(auth, code).status_code == 302


def test_reset_ends_every_other_session(auth, smtp, app):
    auth.create_user("alice")
    laptop = AuthActions(app, app.test_client(), smtp)
    laptop.login("alice")
    assert laptop.client.get("/alice/").status_code == 200
    ask_code(auth, "alice@example.com")
    post_reset(auth, smtp.last_code("alice@example.com"))
    assert laptop.client.get("/alice/").status_code == 302


def test_poisoned_host_header_changes_nothing_in_the_mail(auth, smtp):
    auth.create_user("alice")
    evil = "http://evil.example"
    page = auth.client.get("/forgot", base_url=evil).get_data(as_text=True)
    from tests.web.conftest import csrf_token_from

    response = auth.client.post("/forgot", base_url=evil,
                                data={"email": "alice@example.com", "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    smtp.last_code("alice@example.com")
    [message] = smtp.messages
    assert "evil.example" not in message.get_content()


def test_reset_page_without_asking_first_goes_to_forgot(client):
    assert client.get("/reset").headers["Location"] == "/forgot"
