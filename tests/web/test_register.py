"""Registration with an emailed code (A1 through the pages, A4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from restora.accounts import models
from restora.accounts.models import EmailCode, User
from restora.web.database import database
from tests.web.conftest import PASSWORD


def post_register(auth, username="carol", email="carol@example.com", password=PASSWORD, confirm=None):
    return auth.client.post("/register", data={
        "username": username, "email": email, "password": password,
        "confirm": password if confirm is None else confirm, "csrf_token": auth.csrf("/register"),
    })


def post_code(auth, code):
    return auth.client.post("/verify", data={"code": code, "csrf_token": auth.csrf("/verify")})


def user_row(app, username):
    with database(app).sessions() as session:
        return session.scalars(select(User).where(User.username_key == username.lower())).first()


def test_register_verify_and_land_on_dashboard(auth, client, smtp, app):
    response = auth.register("Carol_1", "Carol@Example.com")
    assert response.status_code == 302 and response.headers["Location"] == "/Carol_1/"
    assert client.get("/Carol_1/").status_code == 200
    user = user_row(app, "carol_1")
    assert user.email_verified and user.email == "carol@example.com"
    assert smtp.to("carol@example.com")[0]["Subject"]


def test_qq_number_is_a_valid_username(auth, client):
    response = auth.register("123456789", "qq@example.com")
    assert response.headers["Location"] == "/123456789/"


def test_code_is_stored_hashed_never_in_clear(auth, app, smtp):
    post_register(auth)
    code = smtp.last_code("carol@example.com")
    with database(app).sessions() as session:
        stored = session.scalars(select(EmailCode)).one()
    assert stored.code_hash.startswith("$argon2id$") and code not in stored.code_hash


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"username": "no spaces"}, "letters a-z, digits and _"),
        ({"username": "ab"}, "3 to 32 characters"),
        ({"username": "Login"}, "reserved"),
        ({"username": "static"}, "reserved"),
        ({"email": "not-an-email"}, "name@example.com"),
        ({"password": "short"}, "at least 8"),
        ({"password": "password123"}, "most common"),
        ({"confirm": "something else entirely"}, "type the same password twice"),
    ],
)
def test_each_mistake_says_what_to_fix(auth, app, fields, message):
    response = post_register(auth, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert user_row(app, fields.get("username", "carol")) is None


def test_taken_username_in_any_case_and_taken_email(auth):
    auth.create_user("alice")
    assert "username is taken" in post_register(auth, username="ALICE").get_data(as_text=True)
    assert "already registered" in post_register(auth, email="alice@example.com").get_data(as_text=True)


def test_classic_policy_setting(make_app, smtp):
    from tests.web.conftest import AuthActions

    app = make_app(password_policy="classic")
    auth = AuthActions(app, app.test_client(), smtp)
    page = post_register(auth, password="correct horse battery").get_data(as_text=True)
    assert "6 to 18 characters" in page and "one digit" in page
    assert post_register(auth, password="ab1!ef").status_code == 302


def test_unverified_account_cannot_log_in_until_code_entered(auth, client, smtp):
    post_register(auth)
    first_code = smtp.last_code("carol@example.com")
    client.post("/logout")  # nothing to log out; the pending registration stays in the session
    response = auth.login("carol")
    assert response.status_code == 302 and response.headers["Location"] == "/verify"
    assert client.get("/carol/").status_code == 302  # no session yet
    new_code = smtp.last_code("carol@example.com")
    assert len(smtp.to("carol@example.com")) == 2
    assert post_code(auth, first_code).status_code == 422 or first_code == new_code  # the old code is retired
    assert post_code(auth, new_code).headers["Location"] == "/carol/"


def test_wrong_code_tells_tries_left_and_five_wrong_kill_it(auth, smtp):
    post_register(auth)
    code = smtp.last_code("carol@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    page = post_code(auth, wrong).get_data(as_text=True)
    assert "Wrong code" in page and "4 tries left" in page
    for _ in range(4):
        post_code(auth, wrong)
    page = post_code(auth, code).get_data(as_text=True)  # 6th try, right code: dead
    assert "can no longer be used" in page


def test_code_works_once(auth, client, smtp):
    post_register(auth)
    code = smtp.last_code("carol@example.com")
    assert post_code(auth, code).status_code == 302
    auth.logout()
    # The session no longer holds a pending registration; the code cannot be replayed anywhere.
    assert post_code(auth, code).headers["Location"] == "/register"


def test_code_valid_at_9_59_and_expired_at_10_01(auth, smtp, monkeypatch):
    post_register(auth)
    code = smtp.last_code("carol@example.com")
    issued = models.utcnow()
    monkeypatch.setattr(models, "utcnow", lambda: issued + timedelta(minutes=10, seconds=1))
    assert "expired" in post_code(auth, code).get_data(as_text=True)

    auth.client.post("/verify/resend", data={"csrf_token": auth.csrf("/verify")})
    code = smtp.last_code("carol@example.com")
    resent = issued + timedelta(minutes=10, seconds=1)
    monkeypatch.setattr(models, "utcnow", lambda: resent + timedelta(minutes=9, seconds=59))
    assert post_code(auth, code).status_code == 302


def test_resend_at_most_three_times_in_15_minutes(auth, smtp, monkeypatch):
    post_register(auth)
    start = models.utcnow()
    for _ in range(3):
        response = auth.client.post("/verify/resend", data={"csrf_token": auth.csrf("/verify")})
        assert response.status_code == 302
    response = auth.client.post("/verify/resend", data={"csrf_token": auth.csrf("/verify")})
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert len(smtp.to("carol@example.com")) == 4
    monkeypatch.setattr(models, "utcnow", lambda: start + timedelta(minutes=15, seconds=2))
    response = auth.client.post("/verify/resend", data={"csrf_token": auth.csrf("/verify")})
    assert response.status_code == 302 and len(smtp.to("carol@example.com")) == 5


def test_a_code_for_one_account_never_verifies_another(auth, app, smtp):
    from tests.web.conftest import AuthActions

    post_register(auth, username="carol", email="carol@example.com")
    carol_code = smtp.last_code("carol@example.com")
    other = AuthActions(app, app.test_client(), smtp)
    post_register(other, username="dave", email="dave@example.com")
    dave_code = smtp.last_code("dave@example.com")
    if carol_code != dave_code:
        assert "Wrong code" in post_code(other, carol_code).get_data(as_text=True)
    assert post_code(other, dave_code).headers["Location"] == "/dave/"
    assert not user_row(app, "carol").email_verified


def test_an_unconfirmed_registration_frees_its_name_after_a_day(auth, app, smtp, monkeypatch):
    post_register(auth, username="squat", email="squat@example.com")
    assert "username is taken" in post_register(auth, username="squat", email="new@example.com").get_data(as_text=True)
    later = models.utcnow() + timedelta(days=1, minutes=1)
    monkeypatch.setattr(models, "utcnow", lambda: later)
    assert post_register(auth, username="squat", email="squat@example.com").status_code == 302
    assert user_row(app, "squat") is not None
