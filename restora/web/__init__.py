"""The Restora web site: ``create_app`` builds a configured Flask app (the application-factory pattern)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

from restora.config import Settings, load_settings


def create_app(settings: Settings | None = None) -> Flask:
    """A Flask app for ``settings`` (default: read from the environment), its database migrated to head."""
    from restora.migrations import upgrade_database
    from restora.web import auth, database, i18n, pages, recovery, security, signup
    from restora.web.extensions import csrf, limiter, login_manager

    settings = settings or load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    app = Flask(__name__)
    app.config.update(_flask_config(settings))
    if settings.proxy_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.extensions["restora.settings"] = settings

    db = database.init_app(app, settings.resolved_database_url())
    upgrade_database(db.engine)
    db.engine.dispose()  # no connection opened here survives into a forked server worker

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

    # Tool pages, uploads and the history; the job executor starts with the first request.
    from restora.web import executor, tools

    app.register_blueprint(tools.bp)
    executor.init_app(app)
    return app


def settings_of(app: Flask) -> Settings:
    return app.extensions["restora.settings"]


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
