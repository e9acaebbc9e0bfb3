"""Response headers, cookie flags and error pages that every response gets."""

from __future__ import annotations

import logging

from flask import Flask, Response, abort, current_app, render_template, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError

from restora.web.api.problems import is_api_request, problem

log = logging.getLogger(__name__)

# Pages use only their own scripts and styles; images may also be blob:/data: (previews of a chosen file).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """The session cookie is marked Secure whenever the request came over HTTPS (or config forces it)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Frame-Options", "DENY")  # for browsers without frame-ancestors
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    # The session names a user (checked without the database, which may be what just failed).
    if session.get("_user_id") and "Cache-Control" not in response.headers:
        # A user's pages and pictures must not stay in shared caches or the back/forward history of a
        # shared computer after logging out.
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _error_page(status: int, title: str, message: str, headers: dict | None = None):
    if is_api_request():  # the API never answers with HTML, whatever failed
        return problem(status, None, "", headers)
    return render_template("error.html", status=status, title=title, message=message), status, headers or {}


DATABASE_RETRY_AFTER = "30"


def _database_unavailable(error: Exception):
    """The database is down, restarting or unreachable: 503 with Retry-After, never a traceback.

    The engine's pool drops the broken connections (pool_pre_ping checks the others), so the first
    request after the database is back succeeds without a restart of the site.
    """
    log.warning("database unavailable on %s %s: %s", request.method, request.path, str(error).splitlines()[0][:200])
    headers = {"Retry-After": DATABASE_RETRY_AFTER}
    if is_api_request():
        return problem(503, "database_unavailable", "The database is not reachable. Try again in a minute.", headers)
    # Rendered without context processors: the site's frame would ask the missing database who is logged in.
    page = current_app.jinja_env.get_template("tools/unavailable.html")
    message = _("The server is busy or its database is not reachable. Try again in a minute.")
    return page.render(title=_("Try again soon"), message=message), 503, headers


def refuse_nul_in_fields() -> None:
    """400 for a NUL character in a site form's field or a query value, before any view or query sees it.

    Nobody types one, and PostgreSQL refuses NUL in every text parameter with an error (a login, sign-up
    or reset form carrying one was a 500 there). The site's forms are parsed before any view anyway (for
    their CSRF token). The API is left out: its uploads are parsed only after the token and rate checks,
    and its fields reach the database only inside the job's JSON (where NUL is escaped). NUL in a path part
    is left to the views: a job id with one is a 404 like any id nobody has (``access.owned_or_404``).
    """
    if is_api_request():
        return
    fields = (request.args, request.form) if request.method in ("POST", "PUT", "PATCH") else (request.args,)
    if any("\x00" in value for field in fields for _name, values in field.lists() for value in values):
        abort(400)


def init_app(app: Flask) -> None:
    app.session_interface = HttpsAwareSessionInterface()
    app.after_request(add_security_headers)
    app.before_request(refuse_nul_in_fields)

    # A lost connection is an OperationalError, or with PyMySQL sometimes an InterfaceError (a closed socket).
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(InterfaceError, _database_unavailable)

    @app.errorhandler(400)
    def bad_request(_error):
        return _error_page(400, _("Bad request"), _("The request could not be understood. Go back and try again."))

    @app.errorhandler(CSRFError)
    def csrf_failed(_error):
        return _error_page(
            400, _("Form expired"), _("This form was open too long or came from another site. Reload the page and try again.")
        )

    @app.errorhandler(404)
    def not_found(_error):
        return _error_page(404, _("Page not found"), _("There is nothing at this address. Check the link, or start from the home page."))

    @app.errorhandler(405)
    def method_not_allowed(_error):
        return _error_page(405, _("Not allowed"), _("This address does not accept that kind of request."))

    @app.errorhandler(413)
    def too_large(_error):
        limit_mb = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return _error_page(
            413, _("File too large"), _("The upload is larger than %(mb)d MB. Choose a smaller file.", mb=limit_mb)
        )

    @app.errorhandler(429)
    def too_many(error):
        retry_after = getattr(error, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return _error_page(
            429, _("Too many attempts"), _("You have tried this too often. Wait a few minutes, then try again."), headers
        )

    @app.errorhandler(500)
    def server_error(error):
        log.error("internal error on %s %s", request.method, request.path, exc_info=getattr(error, "original_exception", None))
        return _error_page(
            500, _("Something went wrong"), _("The server could not finish this request. Try again in a moment.")
        )
