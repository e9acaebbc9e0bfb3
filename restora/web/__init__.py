"""The Restora web site: ``create_app`` builds a configured Flask app (the application-factory pattern)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from restora.config import Settings, load_settings
from restora.migrations import require_current
from restora.web import account, api, auth, database, executor, i18n, pages, recovery, security, signup, tools
from restora.web.extensions import SETTINGS_KEY, csrf, limiter, login_manager, settings_of

__all__ = ["create_app", "settings_of"]


def create_app(settings: Settings | None = None) -> Flask:
    """A Flask app for ``settings`` (default: read from the environment).

    The database must be migrated already (``restora serve`` does it at start-up, before this runs):
    :raises restora.migrations.DatabaseNotMigrated: when it is not.
    """
    settings = settings or load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    app = Flask(__name__)
    app.config.update(_flask_config(settings))
    if settings.proxy_hops:
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.extensions[SETTINGS_KEY] = settings

    db = database.init_app(app, settings)
    require_current(db.engine)
    db.dispose()  # no connection opened here survives into a forked server worker

    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    auth.init_app(app)  # the user loader and login_manager settings
    app.register_blueprint(pages.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(signup.bp)
    app.register_blueprint(recovery.bp)
    app.register_blueprint(account.bp)  # /<username>/settings: tokens, sessions, email, deleting the account
    app.register_blueprint(tools.bp)  # tool pages, uploads and the history
    api.init_app(app)  # /api/v1
    executor.init_app(app)  # the job executor starts with the first request
    return app


def _flask_config(settings: Settings) -> dict:
    return {
        "SECRET_KEY": settings.secret_key or _stored_secret_key(settings.data_dir),
        "MAX_CONTENT_LENGTH": settings.max_upload_bytes,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,  # set per request: HttpsAwareSessionInterface marks HTTPS cookies
        "PERMANENT_SESSION_LIFETIME": timedelta(days=30),  # ASVS: re-authenticate at least every 30 days
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session it is bound to
        "RATELIMIT_STORAGE_URI": settings.ratelimit_storage_uri,
        "RATELIMIT_HEADERS_ENABLED": True,
    }


def _stored_secret_key(data_dir: Path) -> str:
    """A random key kept in ``data_dir/secret_key`` so sessions survive restarts without configuration."""
    path = data_dir / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()
