"""Logging in and out, the user loader, and the per-account throttle on failed logins (which names
without an account get too, so a lock does not reveal who has one).

Sessions: Flask keeps the session in a signed cookie, so a copied cookie would outlive a logout on its
own. Each login therefore opens a row in ``user_sessions`` (restora.accounts.sessions) and the cookie
names it (``restora_sid``); the loader accepts a cookie only while its row is live, so logging out, or
ending the session from another browser's settings page, stops that cookie at its next request. The
user id in the cookie is also ``"<id>:<session_version>"``; bumping the version (password change or
reset, disabling the account) is a second lock that ends every session of the user at once.
The loader runs at the start of each request (see :func:`init_app`), one query, and writes
``last_seen_at`` at most once a minute.
"""

from __future__ import annotations

import hashlib
import math
import time
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import case, or_, select, update

from restora.accounts import models
from restora.accounts.models import User
from restora.accounts.passwords import check_password, dummy_hash, hash_password, needs_rehash
from restora.accounts.sessions import end_session, find_live_session, open_session
from restora.web.access import authenticated, public
from restora.web.database import db_session
from restora.web.extensions import limiter, login_manager, settings_of
from restora.web.forms import LoginForm, PostForm, render_form
from restora.web.verification import begin_verification

bp = Blueprint("auth", __name__)

# NIST 800-63B allows at most 100; 10 consecutive failures then a 15-minute pause stops guessing without
# letting a stranger lock an account out for long.
MAX_FAILED_LOGINS = 10
LOCK_DURATION = timedelta(minutes=15)
# Names and addresses with no account are "locked" the same way (same count, 15 minutes from the last
# failure, same answer and Retry-After), so the lock page does not tell a stranger which names exist.
# Their counts live in the rate-limit storage (memory, or Redis when several processes serve), keyed by a
# hash of the login, not in the database.
UNKNOWN_LOGIN_PREFIX = "restora-unknown-login/"
SESSION_ID_KEY = "restora_sid"  # the user_sessions row of this browser's login, in the signed cookie


def auth_rate_limit() -> str:
    return settings_of().auth_rate_limit


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return load_session_user(user_id)

    @app.before_request
    def load_user_first() -> None:
        # The loader may commit its last_seen touch; loading here, before any view has changed anything,
        # means that commit never carries a view's half-done work with it.
        if "_user_id" in session and request.endpoint != "static":
            current_user._get_current_object()


def current_session_id() -> int | None:
    """The ``user_sessions`` id this browser's cookie names, or None."""
    value = session.get(SESSION_ID_KEY)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def load_session_user(user_id: str) -> User | None:
    """The user named by a session's ``"<id>:<version>"`` whose session row is live, or None if ended,
    idle, stale, disabled or malformed."""
    raw_id, _sep, raw_version = user_id.partition(":")
    session_id = current_session_id()
    if not (raw_id.isdigit() and raw_version.isdigit()) or session_id is None:
        return None
    found = find_live_session(db_session(), int(raw_id), session_id)
    if found is None or found[0].session_version != int(raw_version):
        return None
    return found[0]


def find_user(login: str) -> User | None:
    """The user whose username (any case) or email is ``login``."""
    key = login.strip().lower()
    return db_session().scalars(select(User).where(or_(User.username_key == key, User.email == key))).first()


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no ``//evil``, ``https://evil``, ``/\\evil``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return None
    return target


def dashboard_url(user: User) -> str:
    return url_for("pages.dashboard", username=user.username)


def clear_session() -> None:
    """Empty the session (and so change the cookie), keeping only the visitor's language choice."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def start_session(user: User) -> None:
    """Log ``user`` in on a fresh session (a new cookie: no fixation) with a new session row."""
    clear_session()
    sql = db_session()
    record = open_session(sql, user, request.user_agent.string, request.remote_addr)
    sql.commit()
    login_user(user)
    session[SESSION_ID_KEY] = record.id


def end_this_session() -> None:
    """Log this browser out: its session row is ended (a copy of the cookie is useless) and the cookie emptied."""
    session_id = current_session_id()
    if session_id is not None and current_user.is_authenticated:
        end_session(db_session(), current_user.id, session_id)
        db_session().commit()
    logout_user()
    clear_session()


def is_locked(user: User) -> bool:
    return (
        user.failed_logins >= MAX_FAILED_LOGINS
        and user.last_failed_login_at is not None
        and models.utcnow() - user.last_failed_login_at < LOCK_DURATION
    )


def record_failed_login(user: User) -> None:
    """Count a failure in SQL, so guesses sent in parallel all count. An old streak starts again at 1."""
    now = models.utcnow()
    streak_over = or_(User.last_failed_login_at.is_(None), User.last_failed_login_at <= now - LOCK_DURATION)
    db_session().execute(
        update(User)
        .where(User.id == user.id)
        # In this order: MariaDB evaluates SET left to right, so the CASE must read the old time.
        .ordered_values(
            (User.failed_logins, case((streak_over, 1), else_=User.failed_logins + 1)),
            (User.last_failed_login_at, now),
        )
    )


def lock_seconds_left(user: User) -> float:
    return (LOCK_DURATION - (models.utcnow() - user.last_failed_login_at)).total_seconds()


def _unknown_login_key(login: str) -> str:
    return UNKNOWN_LOGIN_PREFIX + hashlib.sha256(login.strip().lower().encode()).hexdigest()


def unknown_login_lock_left(login: str) -> float | None:
    """Seconds left on the lock of a login that names no account, or None when it is not locked."""
    key = _unknown_login_key(login)
    if limiter.storage.get(key) < MAX_FAILED_LOGINS:
        return None
    return limiter.storage.get_expiry(key) - time.time()


def record_unknown_login_failure(login: str) -> None:
    # Re-created on each failure so it expires LOCK_DURATION after the last one, as an account's streak
    # does (the storage only expires a counter a fixed time after its creation).
    key = _unknown_login_key(login)
    failures = limiter.storage.get(key)
    limiter.storage.clear(key)
    limiter.storage.incr(key, int(LOCK_DURATION.total_seconds()), amount=failures + 1)


def locked_response(seconds_left: float):
    retry_after = max(1, math.ceil(seconds_left))
    body = render_template(
        "error.html",
        status=429,
        title=_("Too many attempts"),
        message=_("Too many wrong passwords. Wait 15 minutes, or reset your password."),
    )
    return body, 429, {"Retry-After": str(retry_after)}


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(auth_rate_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or dashboard_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        sql = db_session()
        user = find_user(form.login.data)
        if user is not None and is_locked(user):
            return locked_response(lock_seconds_left(user))
        unknown_lock = unknown_login_lock_left(form.login.data) if user is None else None
        if unknown_lock is not None:
            return locked_response(unknown_lock)
        # An unknown user costs one hash too, so timing does not tell who has an account.
        password_ok = check_password(user.password_hash if user else dummy_hash(), form.password.data)
        if user is None or not password_ok or not user.active:
            if user is not None:
                record_failed_login(user)
                sql.commit()
            else:
                record_unknown_login_failure(form.login.data)
            form.password.errors.append(_("Wrong username, email or password. Check them and try again."))
            return render_form("auth/login.html", form)
        user.failed_logins = 0
        user.last_failed_login_at = None
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(form.password.data)
        sql.commit()
        if not user.email_verified:
            return begin_verification(user)
        start_session(user)
        return redirect(safe_next(request.args.get("next")) or dashboard_url(user))
    return render_form("auth/login.html", form)


@bp.route("/logout", methods=["POST"])
@authenticated
def logout():
    if not PostForm().validate_on_submit():
        abort(400)
    end_this_session()  # this session only: the person's other browsers stay logged in
    flash(_("You are logged out."), "info")
    return redirect(url_for("pages.home"))
