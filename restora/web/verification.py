"""Mailing a 6-digit code: the mail in the visitor's language, the per-address limit on sending, and the
start of an address check (registration, and a login by an account whose address is not proven yet)."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _

from restora.accounts import codes
from restora.accounts.models import User
from restora.web.database import db_session
from restora.web.extensions import settings_of
from restora.web.mail import MailError, send_mail


def mail_rate_limit() -> str:
    return settings_of().mail_rate_limit


def code_mail(user: User, code: str, purpose: str) -> tuple[str, str]:
    """The subject and body of the mail carrying ``code``, in the visitor's language."""
    if purpose == "register":
        subject = _("Your Restora registration code")
        body = _("Your code to finish registering as %(name)s on Restora is:\n\n    %(code)s\n\nIt works once, for 10 minutes. "
                 "If you did not register, ignore this message.", name=user.username, code=code)
    else:
        subject = _("Your Restora password reset code")
        body = _("Your code to choose a new Restora password is:\n\n    %(code)s\n\nIt works once, for 10 minutes. "
                 "If you did not ask for it, ignore this message; your password is unchanged.", code=code)
    return subject, body


def send_code_mail(user: User, code: str, purpose: str) -> None:
    """Mail ``code`` now; :raises MailError: when the mail server refuses it."""
    subject, body = code_mail(user, code, purpose)
    send_mail(settings_of(), user.email, subject, body)


def too_many_codes(retry_after: int):
    body = render_template(
        "error.html", status=429, title=_("Too many codes"),
        message=_("A code was sent several times already. Wait %(minutes)d minutes, then ask again.",
                  minutes=max(1, retry_after // 60)),
    )
    return body, 429, {"Retry-After": str(retry_after)}


def begin_verification(user: User):
    """Mail a registration code to ``user`` and show the page that asks for it."""
    sql = db_session()
    try:
        code = codes.issue_code(sql, user, "register")
    except codes.TooManyCodes as exc:
        session["verify_user_id"] = user.id
        return too_many_codes(exc.retry_after)
    sql.commit()
    session["verify_user_id"] = user.id
    try:
        send_code_mail(user, code, "register")
    except MailError:
        flash(_("We could not send the email. Try again in a few minutes."), "error")
    else:
        flash(_("We sent a 6-digit code to %(email)s. Enter it below.", email=user.email), "info")
    return redirect(url_for("signup.verify"))
