"""Who may open which URL. Every view is classified, and a test walks ``app.url_map`` to prove it (R1).

Every page of a logged-in user lives under ``/<username>/...``. Decorate views with exactly one of:

``@public``
    Anyone, logged in or not (home, login, register, static files).
``@authenticated``
    Any logged-in user; no ``<username>`` in the URL (log out). Logged out -> redirect to the home page.
``@owner_page``
    A page of one user, URL has ``<username>``. Logged out -> redirect to the home page. Logged in as A with
    B's (or a nonexistent) username in the URL -> for GET/HEAD a redirect to the same endpoint with A's
    username and the other URL arguments unchanged; for other methods 404 (a form is never replayed
    elsewhere). A URL "username" that no account could have (``..``, ``a/b``, NUL) is a 404.
    A's own username in another letter case is A. The view receives ``username`` as usual.
``@api_user``
    An ``/api/v1`` route for the caller's own data (no ``<username>``: a token names its user). No token
    and no session -> 401 as ``application/problem+json``. Objects are loaded with :func:`owned_or_404`.
``@owner_object``
    A URL naming an object (job, file) of one user, URL has ``<username>``. Logged out -> redirect to the home
    page (JSON requests get 401). Logged in as A with any other username -> 404, the same page as for an
    object that does not exist. The view must then load the object with :func:`owned_or_404`, which
    filters by ``current_user.id``, so A's username with B's object id is also a 404.

Inside an owner-checked view ``current_user`` is the owner; use ``current_user.id`` for queries and paths.
"""

from __future__ import annotations

from functools import wraps
from typing import Callable, TypeVar

from flask import abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session

from restora.accounts.usernames import is_valid_username

ACCESS_ATTRIBUTE = "restora_access"
KINDS = ("public", "authenticated", "owner_page", "owner_object", "api_user")
# Endpoints whose views Restora does not write (Flask's own static route).
PUBLIC_ENDPOINTS = frozenset({"static"})

View = TypeVar("View", bound=Callable)


def _mark(view: View, kind: str) -> View:
    setattr(view, ACCESS_ATTRIBUTE, kind)
    return view


def access_kind(view: Callable, endpoint: str) -> str | None:
    """The classification of a view, or None when it was never classified."""
    if endpoint in PUBLIC_ENDPOINTS:
        return "public"
    return getattr(view, ACCESS_ATTRIBUTE, None)


def public(view: View) -> View:
    return _mark(view, "public")


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _to_home():
    if _wants_json():
        abort(401)
    return redirect(url_for("pages.home"))


def _is_owner(username: str) -> bool:
    return current_user.is_authenticated and username.lower() == current_user.username_key


def authenticated(view: View) -> View:
    @wraps(view)
    def checked(*args, **kwargs):
        if not current_user.is_authenticated:
            return _to_home()
        return view(*args, **kwargs)

    return _mark(checked, "authenticated")


def owner_page(view: View) -> View:
    @wraps(view)
    def checked(*args, username: str, **kwargs):
        if not current_user.is_authenticated:
            return _to_home()
        if not _is_owner(username):
            if request.method not in ("GET", "HEAD") or not is_valid_username(username):
                abort(404)
            args_for_own_page = {**(request.view_args or {}), "username": current_user.username}
            return redirect(url_for(request.endpoint, **args_for_own_page))
        return view(*args, username=username, **kwargs)

    return _mark(checked, "owner_page")


def owner_object(view: View) -> View:
    @wraps(view)
    def checked(*args, username: str, **kwargs):
        if not current_user.is_authenticated:
            return _to_home()
        if not _is_owner(username):
            abort(404)
        return view(*args, username=username, **kwargs)

    return _mark(checked, "owner_object")


def api_user(view: View) -> View:
    @wraps(view)
    def checked(*args, **kwargs):
        if not current_user.is_authenticated:
            # The API's error handler answers with a problem document.
            abort(401, description="Send a personal access token as 'Authorization: Bearer rst_...'.")
        return view(*args, **kwargs)

    return _mark(checked, "api_user")


def owned_or_404(session: Session, model: type, object_id: object, owner_column: str = "user_id"):
    """The row of ``model`` with primary key ``object_id`` owned by the current user, else 404.

    A row that exists but belongs to someone else gives the same 404 as one that does not exist.
    """
    if isinstance(object_id, str) and "\x00" in object_id:
        abort(404)  # no key holds NUL, and PostgreSQL refuses it in text with an error, not "no row"
    row = session.get(model, object_id)
    if row is None or getattr(row, owner_column) != current_user.id:
        abort(404)
    return row
