"""Usernames (and the email pattern): ASCII letters, digits and ``_``, 3 to 32 characters, so a QQ number (5-11 digits) works.

Identity is case-insensitive (``Alice`` and ``alice`` are one account). Names that are, or could become,
site paths (``login``, ``static``, ``api``, ...) are reserved, because every user's pages live at
``/<username>/``.
"""

from __future__ import annotations

import re

from restora.i18n import N_

USERNAME_PATTERN = r"^[A-Za-z0-9_]{3,32}\Z"
USERNAME_RULE = N_("3 to 32 characters: letters a-z, digits and _ (a QQ number works).")
# Deliberately loose: the emailed code proves the address; this only catches typos such as a missing @.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z"

RESERVED_USERNAMES = frozenset(
    {
        "about", "account", "accounts", "admin", "administrator", "api", "app", "assets", "auth", "dashboard",
        "download", "downloads", "examples", "faq", "favicon", "forgot", "help", "history", "home", "jobs",
        "language", "lang", "login", "logout", "me", "media", "new", "null", "register", "reset", "restora",
        "root", "settings", "signin", "signout", "signup", "static", "support", "system", "tools", "upload",
        "uploads", "user", "users", "verify", "healthz", "robots", "sitemap", "www", "none", "undefined",
    }
)

_VALID = re.compile(USERNAME_PATTERN)


def username_key(username: str) -> str:
    """The identity of a username: lower case."""
    return username.lower()


def is_valid_username(username: str) -> bool:
    return bool(_VALID.match(username))


def is_reserved(username: str) -> bool:
    return username_key(username) in RESERVED_USERNAMES
