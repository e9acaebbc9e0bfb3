"""Flask extensions, created unbound; ``create_app`` binds them to an app with ``init_app``. Also where an
app keeps the Settings it was built with (:func:`settings_of`).

Nothing here reads configuration at import time, so several apps (one per test) can share them.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from restora.config import Settings

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
# Keyed on the client IP. Behind a reverse proxy the app must run under ProxyFix, or every client shares
# the proxy's address (and one attacker throttles everyone).
limiter = Limiter(key_func=get_remote_address)

SETTINGS_KEY = "restora.settings"


def settings_of(app: Flask | None = None) -> Settings:
    """The Settings ``app`` (default: the current app) was built with."""
    return (app or current_app).extensions[SETTINGS_KEY]
