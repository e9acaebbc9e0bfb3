"""The parent blueprint of ``/api/v1``: who is calling (token or session), CSRF, rate limit, problem errors."""

from __future__ import annotations

import hashlib
import logging

from flask import Blueprint, Flask, g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from restora.accounts.tokens import user_for_token
from restora.web.api.problems import ApiError, problem
from restora.web.database import db_session
from restora.web.extensions import csrf, limiter, settings_of

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def api_rate_limit() -> str:
    return settings_of().api_rate_limit


def api_rate_key() -> str:
    """One bucket per token (hashed: the key is stored in Redis), else per client address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token/" + hashlib.sha256(header.encode()).hexdigest()[:32]
    return "api-ip/" + (request.remote_addr or "unknown")


# Every API view is limited with this (see the routes); 429 answers carry Retry-After.
api_limit = limiter.limit(api_rate_limit, key_func=api_rate_key)


@bp.before_request
def authenticate():
    """A Bearer token makes its user the current user for this request only (no cookie is written)."""
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _sep, secret = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise ApiError(401, "bad_authorization", "Send the token as 'Authorization: Bearer rst_...'.")
        found = user_for_token(db_session(), secret.strip())
        if found is None:
            raise ApiError(401, "invalid_token", "The token is unknown or revoked, or its account is disabled.")
        g._login_user = found[0]  # Flask-Login's current user for this request
        g.api_token = found[1]
        return None
    if request.method in STATE_CHANGING and current_user.is_authenticated:
        csrf.protect()  # a cookie-authenticated change needs the page's CSRF token
    return None


@bp.after_request
def private_answers(response):
    """A person's jobs and limits must not stay in shared caches (a token request has no session cookie,
    so the site-wide rule that keys on the session does not catch it)."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return problem(error.status, error.code, error.detail, error.headers)


@bp.errorhandler(CSRFError)
def _csrf_failed(_error):
    return problem(400, "csrf_failed", "The CSRF token is missing or wrong; send a Bearer token instead of cookies.")


@bp.errorhandler(OperationalError)
def _database_unavailable(_error):
    return problem(503, "database_unavailable", "The database is not reachable. Try again in a minute.",
                   {"Retry-After": "30"})


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    headers = {}
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        headers["Retry-After"] = str(retry_after)
    if error.code == 429 and "Retry-After" not in headers:
        headers["Retry-After"] = "60"
    detail = error.description if error.code != 500 else ""
    return problem(error.code or 500, None, detail if isinstance(detail, str) else "", headers)
