"""Mail goes to SMTP when configured, else to <data_dir>/outbox and the log."""

from __future__ import annotations

from email import message_from_bytes, policy

from restora.config import Settings
from restora.web.mail import MailError, send_mail
from tests.web.conftest import AuthActions
from tests.web.mailbox import free_port


def test_without_a_mail_server_messages_go_to_the_outbox(make_app, smtp, tmp_path, caplog):
    app = make_app(mail_host="")
    auth = AuthActions(app, app.test_client(), smtp)
    auth.client.post("/register", data={
        "username": "frank", "email": "frank@example.com", "password": "correct horse battery",
        "confirm": "correct horse battery", "csrf_token": auth.csrf(),
    })
    files = list((tmp_path / "instance" / "outbox").glob("*.eml"))
    assert len(files) == 1 and smtp.messages == []
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["To"] == "frank@example.com" and "registration code" in message["Subject"]
    assert "frank@example.com" in caplog.text


def test_smtp_delivery(smtp, tmp_path):
    settings = Settings(data_dir=tmp_path, mail_host="127.0.0.1", mail_port=smtp.port)
    send_mail(settings, "gina@example.com", "Hello", "Body text")
    [message] = smtp.to("gina@example.com")
    assert message["Subject"] == "Hello" and "Body text" in message.get_content()
    assert message["From"] == settings.mail_sender


def test_unreachable_smtp_is_a_mail_error(tmp_path):
    settings = Settings(data_dir=tmp_path, mail_host="127.0.0.1", mail_port=free_port())
    try:
        send_mail(settings, "x@example.com", "s", "b")
    except MailError:
        pass
    else:
        raise AssertionError("expected MailError")


def test_register_with_a_broken_mail_server_says_so(make_app, smtp):
    app = make_app(mail_port=free_port())
    auth = AuthActions(app, app.test_client(), smtp)
    response = auth.client.post("/register", data={
        "username": "hank", "email": "hank@example.com", "password": "correct horse battery",
        "confirm": "correct horse battery", "csrf_token": auth.csrf(),
    }, follow_redirects=True)
    assert "could not send the email" in response.get_data(as_text=True)
