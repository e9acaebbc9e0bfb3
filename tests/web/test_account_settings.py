"""The account settings page: change of email (code to the new address, notice to the old), ending the
other sessions. Tokens and deleting the account are in test_api.py and test_api_access.py."""

from __future__ import annotations

from tests.web.conftest import PASSWORD, AuthActions


def post(auth, url, **data):
    return auth.client.post(url, data={**data, "csrf_token": auth.csrf("/alice/settings")})


def test_a_new_email_counts_once_its_code_comes_back_and_the_old_one_is_told(auth, smtp, app):
    auth.create_user("alice")
    auth.login("alice")
    wrong = post(auth, "/alice/settings/email", email="new@example.com", password="not it")
    assert wrong.status_code == 422
    asked = post(auth, "/alice/settings/email", email="New@Example.com", password=PASSWORD)
    assert asked.status_code == 303
    code = smtp.last_code("new@example.com")
    assert "alice@example.com" in auth.client.get("/alice/settings").get_data(as_text=True)  # not changed yet
    assert post(auth, "/alice/settings/email/confirm", code="000000" if code != "000000" else "111111").status_code == 422
    assert post(auth, "/alice/settings/email/confirm", code=code).status_code == 303
    assert "new@example.com" in auth.client.get("/alice/settings").get_data(as_text=True)
    for _ in range(50):  # the notice leaves in the background
        if smtp.to("alice@example.com"):
            break
        import time

        time.sleep(0.1)
    [notice] = smtp.to("alice@example.com")
    assert "new@example.com" in notice.get_content()
    auth.logout()
    assert auth.login("new@example.com").status_code == 302


def test_an_address_someone_has_is_refused(auth, smtp):
    auth.create_user("alice")
    auth.create_user("bob")
    auth.login("alice")
    taken = post(auth, "/alice/settings/email", email="bob@example.com", password=PASSWORD)
    assert taken.status_code == 422 and not smtp.to("bob@example.com")


def test_log_out_everywhere_else_keeps_this_browser(auth, app, smtp):
    auth.create_user("alice")
    other = AuthActions(app, app.test_client(), smtp)
    other.login("alice")
    auth.login("alice")
    assert other.client.get("/alice/").status_code == 200
    assert post(auth, "/alice/settings/sessions/end").status_code == 303
    assert other.client.get("/alice/").headers["Location"] == "/"
    assert auth.client.get("/alice/").status_code == 200
