"""Outgoing mail: SMTP when ``Settings.mail_host`` is set, otherwise a file in ``<data_dir>/outbox/`` and a
log line, so a single-machine install works without a mail server (the person running it reads the code
from the outbox or the console)."""

from __future__ import annotations

import logging
import smtplib
import threading
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from restora.accounts.models import utcnow
from restora.config import Settings

log = logging.getLogger(__name__)

SMTP_TIMEOUT_S = 20


class MailError(RuntimeError):
    """The message could not be handed to the mail server."""


def build_message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="restora.local")
    message.set_content(body)
    return message


def send_mail(settings: Settings, to: str, subject: str, body: str) -> None:
    """Deliver one plain-text message. :raises MailError: when SMTP is configured and fails."""
    message = build_message(settings, to, subject, body)
    if settings.mail_host:
        _send_smtp(settings, message)
    else:
        _write_outbox(settings, message)


def send_in_background(settings: Settings, to: str, subject: str, body: str) -> threading.Thread:
    """Send from a thread; a failure is logged (nobody is waiting to be told)."""

    def deliver() -> None:
        try:
            send_mail(settings, to, subject, body)
        except MailError:
            pass  # already logged by _send_smtp

    thread = threading.Thread(target=deliver, name="restora-mail", daemon=True)
    thread.start()
    return thread


def _send_smtp(settings: Settings, message: EmailMessage) -> None:
    try:
        with smtplib.SMTP(settings.mail_host, settings.mail_port, timeout=SMTP_TIMEOUT_S) as smtp:
            if settings.mail_use_tls:
                smtp.starttls()
            if settings.mail_username:
                smtp.login(settings.mail_username, settings.mail_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("could not send mail to %s through %s:%s: %s", message["To"], settings.mail_host, settings.mail_port, exc)
        raise MailError(str(exc)) from exc


def _write_outbox(settings: Settings, message: EmailMessage) -> None:
    outbox = settings.data_dir / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(message.as_bytes())
    log.warning("no mail server configured; message to %s written to %s:\n%s", message["To"], path, message.get_content())
