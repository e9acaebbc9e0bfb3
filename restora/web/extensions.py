"""Flask extensions, created unbound; ``create_app`` binds them to an app with ``init_app``.

Nothing here reads configuration at import time, so several apps (one per test) can share them.
"""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
# Keyed on the client IP. Behind a reverse proxy the app must run under ProxyFix, or every client shares
# the proxy's address (and one attacker throttles everyone).
limiter = Limiter(key_func=get_remote_address)
