"""Registration: username, email, password twice, then the 6-digit code mailed to that address.

The account exists (unverified) once the form is accepted; it cannot log in or use tools until the code is
entered. The account waiting for its code is remembered in the session (``verify_user_id``).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, session, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from restora.accounts import codes, models
from restora.accounts.models import User
from restora.accounts.passwords import hash_password, password_problems
from restora.accounts.usernames import is_reserved, username_key
from restora.web.access import public
from restora.web.auth import auth_rate_limit, dashboard_url, start_session
from restora.web.database import db_session
from restora.web.extensions import limiter, settings_of
from restora.web.forms import CodeForm, RegisterForm, ResendForm, render_form, translated, translated_rule
from restora.web.verification import begin_verification, mail_rate_limit

bp = Blueprint("signup", __name__)


# An address that was never confirmed does not hold its username and email for ever (typos, squatting).
UNVERIFIED_ACCOUNT_LIFETIME = timedelta(days=1)


def release_stale_registrations(username: str, email: str) -> None:
    """Delete unverified accounts older than a day that hold ``username`` or ``email``."""
    sql = db_session()
    stale = sql.scalars(select(User).where(
        or_(User.username_key == username_key(username), User.email == email.strip().lower()),
        User.email_verified.is_(False),
        User.created_at < models.utcnow() - UNVERIFIED_ACCOUNT_LIFETIME,
    )).all()
    for user in stale:
        sql.delete(user)
    if stale:
        sql.commit()


def registration_problems(form: RegisterForm) -> bool:
    """Add what the user must change to the form's fields; True when there is something."""
    sql = db_session()
    username = form.username.data or ""
    release_stale_registrations(username, form.email.data or "")
    if form.username.errors:
        pass  # the field's own rule already says what to change
    elif is_reserved(username):
        form.username.errors.append(_("This name is reserved by the site; choose another."))
    elif sql.scalar(select(User.id).where(User.username_key == username_key(username))) is not None:
        form.username.errors.append(_("This username is taken; choose another."))
    if not form.email.errors and sql.scalar(select(User.id).where(User.email == form.email.data.strip().lower())):
        form.email.errors.append(_("This email is already registered. Log in, or reset your password."))
    if form.password.data:
        policy = settings_of().password_policy
        form.password.errors.extend(translated(p) for p in password_problems(form.password.data, policy, username))
    return any(field.errors for field in form)


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(auth_rate_limit, methods=["POST"])
def register():
    form = RegisterForm()
    form.password.description = translated_rule(settings_of().password_policy)
    if not form.is_submitted():
        return render_form("auth/register.html", form)
    form.validate()
    if registration_problems(form):  # every mistake at once, each saying what to change
        return render_form("auth/register.html", form)
    sql = db_session()
    user = User(
        username=form.username.data, username_key=username_key(form.username.data),
        email=form.email.data.strip().lower(), password_hash=hash_password(form.password.data),
        active=True, email_verified=False, created_at=models.utcnow(), session_version=0, failed_logins=0,
    )
    sql.add(user)
    try:
        sql.commit()
    except IntegrityError:  # someone took the name or address a moment ago
        sql.rollback()
        form.username.errors.append(_("This username or email was just taken; choose another."))
        return render_form("auth/register.html", form)
    return begin_verification(user)


def pending_user() -> User | None:
    user_id = session.get("verify_user_id")
    user = db_session().get(User, user_id) if isinstance(user_id, int) else None
    return None if user is None or user.email_verified else user


@bp.route("/verify", methods=["GET", "POST"])
@public
@limiter.limit(auth_rate_limit, methods=["POST"])
def verify():
    user = pending_user()
    if user is None:
        flash(_("Register or log in first; then we will send you a code."), "info")
        return redirect(url_for("signup.register"))
    form = CodeForm()
    if form.validate_on_submit():
        sql = db_session()
        result = codes.check_code(sql, user, "register", form.code.data)
        if result is codes.CodeCheck.OK:
            user.email_verified = True
            sql.commit()
            session.pop("verify_user_id", None)
            start_session(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.username), "info")
            return redirect(dashboard_url(user))
        tries = codes.tries_left(sql, user, "register")
        sql.commit()
        form.code.errors.append(code_error(result, tries))
    return render_form("auth/verify.html", form, resend=ResendForm(), email=user.email)


def code_error(result: codes.CodeCheck, tries: int) -> str:
    if result is codes.CodeCheck.EXPIRED:
        return _("This code has expired. Ask for a new one.")
    if result is codes.CodeCheck.DEAD or tries == 0:
        return _("This code can no longer be used. Ask for a new one.")
    return _("Wrong code. Check the latest email; %(n)d tries left.", n=tries)


@bp.route("/verify/resend", methods=["POST"])
@public
@limiter.limit(mail_rate_limit)
def resend():
    user = pending_user()
    if user is None:
        return redirect(url_for("signup.register"))
    return begin_verification(user)
