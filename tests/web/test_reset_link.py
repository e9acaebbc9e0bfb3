"""The reset mail's signed link: a new password without typing the code; it works once, dies with its
code (a newer code, or used), and a forged or altered link does nothing."""

from __future__ import annotations

import re
import time

import pytest

from tests.web.conftest import PASSWORD, csrf_token_from

NEW_PASSWORD = "a brand new passphrase"
LINK = re.compile(r"https://photos\.example\.org(/reset/[A-Za-z0-9_.\-]+)")


@pytest.fixture
def app(make_app):
    return make_app(public_url="https://photos.example.org/")


def ask_link(auth, smtp, email="alice@example.com") -> str:
    seen = len(smtp.to(email))
    auth.client.post("/forgot", data={"email": email, "csrf_token": auth.csrf("/forgot")})
    smtp.last_code(email, after=seen)  # waits for the mail
    return LINK.search(smtp.to(email)[-1].get_content()).group(1)


def post_new_password(client, link, password=NEW_PASSWORD):
    page = client.get(link)
    if page.status_code != 200:
        return page
    return client.post(link, data={"password": password, "confirm": password,
                                   "csrf_token": csrf_token_from(page.get_data(as_text=True))})


def test_the_link_sets_a_new_password_once(auth, smtp):
    auth.create_user("alice")
    link = ask_link(auth, smtp)
    assert post_new_password(auth.client, link).headers["Location"] == "/login"
    assert auth.login("alice", NEW_PASSWORD).status_code == 302
    auth.logout()
    again = post_new_password(auth.client, link, "yet another passphrase")
    assert again.headers["Location"] == "/forgot"  # used
    assert auth.login("alice", "yet another passphrase").status_code == 422


def test_a_newer_code_kills_the_older_link(auth, smtp):
    auth.create_user("alice")
    first = ask_link(auth, smtp)
    time.sleep(1.1)  # the signature's timestamp has whole seconds; the links differ anyway
    ask_link(auth, smtp)
    assert post_new_password(auth.client, first).headers["Location"] == "/forgot"
    assert auth.login("alice", PASSWORD).status_code == 302


def test_a_forged_or_altered_link_does_nothing(auth, smtp):
    auth.create_user("alice")
    link = ask_link(auth, smtp)
    altered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    assert auth.client.get(altered).headers["Location"] == "/forgot"
    assert auth.client.get("/reset/not-a-token").headers["Location"] == "/forgot"
    assert auth.login("alice", PASSWORD).status_code == 302


def test_without_a_public_url_the_mail_has_no_link(make_app, smtp):
    from tests.web.conftest import AuthActions

    plain = make_app()
    auth = AuthActions(plain, plain.test_client(), smtp)
    auth.create_user("alice")
    auth.client.post("/forgot", data={"email": "alice@example.com", "csrf_token": auth.csrf("/forgot")})
    smtp.last_code("alice@example.com")
    assert "/reset/" not in smtp.to("alice@example.com")[-1].get_content()
