"""The home page, a user's dashboard, the language switch, the favicon and the health check."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, send_file, session, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import BuildError

from restora.tools import TOOLS
from restora.web.access import owner_page, public
from restora.web.auth import safe_next
from restora.web.content import FAQ, INTRODUCTION, carousel_examples, research_entries, tool_cards
from restora.web.database import db_session
from restora.web.forms import PostForm
from restora.web.i18n import LANGUAGES

bp = Blueprint("pages", __name__)

# The endpoints of the tool pages and the history (restora/web/tools.py); links appear once they exist.
TOOL_PAGE_ENDPOINT = "tools.tool_page"
HISTORY_ENDPOINT = "tools.history"


def optional_url(endpoint: str, **values) -> str | None:
    """``url_for`` or None when the endpoint is not registered (yet)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@bp.app_context_processor
def link_helpers():
    def tool_url(tool: str) -> str | None:
        if not current_user.is_authenticated:
            return None
        return optional_url(TOOL_PAGE_ENDPOINT, username=current_user.username, tool=tool)

    def history_url() -> str | None:
        if not current_user.is_authenticated:
            return None
        return optional_url(HISTORY_ENDPOINT, username=current_user.username)

    return {"tool_url": tool_url, "history_url": history_url, "post_form": PostForm}


@bp.route("/")
@public
def home():
    return render_template(
        "home.html", examples=carousel_examples(), tools=tool_cards(), faq=FAQ, research=research_entries(),
        introduction=INTRODUCTION,
    )


@bp.route("/tools/<tool>/icon.svg")
@public
def tool_icon(tool: str):
    """A registered tool's icon (it lives with the tool, which may be a separately installed package)."""
    found = TOOLS.get(tool)
    path = found.icon_path() if found is not None else None
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/svg+xml", max_age=3600)
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.route("/<username>/")
@owner_page
def dashboard(username: str):
    return render_template("dashboard.html", tools=tool_cards())


@bp.route("/language", methods=["POST"])
@public
def language():
    chosen = request.form.get("lang", "")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    target = request.form.get("next", "")
    return redirect(safe_next(target) or url_for("pages.home"))


@bp.route("/healthz")
@public
def healthz():
    """For monitors and load balancers: 200 when the database answers, else 503."""
    try:
        db_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return {"status": "database unavailable"}, 503, {"Retry-After": "30"}
    return {"status": "ok"}


@bp.route("/favicon.ico")
@public
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), code=301)

