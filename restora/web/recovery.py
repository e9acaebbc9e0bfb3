"""Passwords: a forgotten one (an email address, a 6-digit code mailed to it, or the signed link mailed
with the code, then a new password), and a logged-in user changing theirs.

Whether the address has an account is never shown: the answer, the page after it and the hashing work are
the same for unknown addresses (no mail is sent then). A reset or a change logs out every other session.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from restora.accounts import codes, passwords
from restora.accounts.models import User
from restora.accounts.passwords import check_password, password_problems
from restora.accounts.users import set_password
from restora.web.access import owner_page, public
from restora.web.auth import auth_rate_limit, dashboard_url, start_session
from restora.web.database import db_session
from restora.web.extensions import limiter, settings_of
from restora.web.forms import (
    ChangePasswordForm, ForgotForm, LinkResetForm, ResetForm, render_form, translated, translated_rule,
)
from restora.web.mail import send_in_background
from restora.web.verification import code_mail, mail_rate_limit

bp = Blueprint("recovery", __name__)


def user_by_email(email: str) -> User | None:
    return db_session().scalars(select(User).where(User.email == email.strip().lower())).first()


@bp.route("/forgot", methods=["GET", "POST"])
@public
@limiter.limit(mail_rate_limit, methods=["POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = user_by_email(email)
        if user is not None and user.active:
            sql = db_session()
            try:
                code = codes.issue_code(sql, user, "reset")
                sql.commit()
            except codes.TooManyCodes:
                pass  # the same answer as for anyone else; the codes already sent still work
            else:
                # Sent after the answer, so the time a mail server takes does not tell who has an account.
                subject, body = code_mail(user, code, "reset")
                public_url = settings_of().public_url.rstrip("/")
                if public_url:  # never from the Host header: a stranger could point the link at their site
                    link = public_url + url_for("recovery.reset_by_link", token=reset_link_token(user, code))
                    body += "\n\n" + _("Or open this link to choose a new password (it works once, for 10 "
                                         "minutes):\n\n    %(link)s", link=link)
                send_in_background(settings_of(), user.email, subject, body)
        else:
            passwords.hash_secret(codes.new_code())  # the work issue_code does, so timing tells nothing
        session["reset_email"] = email
        flash(_("If an account uses %(email)s, we sent it a 6-digit code. Enter it below with your new password.",
                email=email), "info")
        return redirect(url_for("recovery.reset"))
    return render_form("auth/forgot.html", form)


def _link_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="restora-reset-link")


def reset_link_token(user: User, code: str) -> str:
    """A signed token for the emailed link: the user and the code mailed with it (the same mail).

    The link is only another way to send the code: it dies with the code (used, replaced by a newer one,
    10 minutes old, or 5 wrong tries), so it works once.
    """
    return _link_signer().dumps([user.id, code])


def _user_and_code(token: str) -> tuple[User | None, str]:
    try:
        user_id, code = _link_signer().loads(token, max_age=int(codes.CODE_LIFETIME.total_seconds()))
        user = db_session().get(User, int(user_id))
    except (BadSignature, TypeError, ValueError):
        return None, ""
    return (user if user is not None and user.active else None), str(code)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(auth_rate_limit, methods=["POST"])
def reset_by_link(token: str):
    """The emailed link: a new password, no code to type (the link carries it)."""
    user, code = _user_and_code(token)
    form = LinkResetForm()
    form.password.description = translated_rule(settings_of().password_policy)
    dead = _("This link is used, replaced by a newer one or expired. Ask for a new one.")
    if user is None:
        flash(dead, "error")
        return redirect(url_for("recovery.forgot"))
    if form.validate_on_submit():
        problems = password_problems(form.password.data, settings_of().password_policy, user.username)
        if problems:
            form.password.errors.extend(translated(p) for p in problems)
            return render_form("auth/reset_link.html", form)
        sql = db_session()
        if codes.check_code(sql, user, "reset", code) is not codes.CodeCheck.OK:
            sql.commit()
            flash(dead, "error")
            return redirect(url_for("recovery.forgot"))
        set_password(user, form.password.data)
        user.email_verified = True
        user.failed_logins = 0
        user.last_failed_login_at = None
        sql.commit()
        flash(_("Your password is changed. Log in with the new one."), "info")
        return redirect(url_for("auth.login"))
    return render_form("auth/reset_link.html", form)


@bp.route("/reset", methods=["GET", "POST"])
@public
@limiter.limit(auth_rate_limit, methods=["POST"])
def reset():
    email = session.get("reset_email")
    if not email:
        return redirect(url_for("recovery.forgot"))
    form = ResetForm()
    form.password.description = translated_rule(settings_of().password_policy)
    if form.validate_on_submit():
        sql = db_session()
        user = user_by_email(email)
        if user is not None and not user.active:
            user = None
        policy = settings_of().password_policy
        problems = password_problems(form.password.data, policy, user.username if user else "")
        if problems:
            form.password.errors.extend(translated(p) for p in problems)
            return render_form("auth/reset.html", form, email=email)
        result = codes.check_code(sql, user, "reset", form.code.data)
        if result is codes.CodeCheck.OK:
            set_password(user, form.password.data)
            user.email_verified = True  # the code proved the address
            user.failed_logins = 0
            user.last_failed_login_at = None
            sql.commit()
            session.pop("reset_email", None)
            flash(_("Your password is changed. Log in with the new one."), "info")
            return redirect(url_for("auth.login"))
        sql.commit()
        form.code.errors.append(
            _("The code is wrong, used or expired. Check the latest email, or ask for a new code.")
        )
    return render_form("auth/reset.html", form, email=email)


@bp.route("/<username>/password", methods=["GET", "POST"])
@owner_page
@limiter.limit(auth_rate_limit, methods=["POST"])
def change_password(username: str):
    """The logged-in owner picks a new password, proving the current one; their other sessions end."""
    policy = settings_of().password_policy
    form = ChangePasswordForm()
    form.password.description = translated_rule(policy)
    if form.validate_on_submit():
        sql = db_session()
        user = sql.get(User, current_user.id)
        if not check_password(user.password_hash, form.current.data):
            form.current.errors.append(_("That is not your current password."))
            return render_form("auth/password.html", form)
        problems = password_problems(form.password.data, policy, user.username)
        if problems:
            form.password.errors.extend(translated(p) for p in problems)
            return render_form("auth/password.html", form)
        set_password(user, form.password.data)
        sql.commit()
        start_session(user)  # this one stays in, on a fresh cookie that carries the new version
        flash(_("Your password is changed. Any other device logged in as you has been logged out."), "info")
        return redirect(dashboard_url(user))
    return render_form("auth/password.html", form)
