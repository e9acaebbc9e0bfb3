"""The database for the web app: one :class:`restora.db.Database` per app, one SQLAlchemy session per request.

Blueprints call :func:`db_session` inside a request; the session is closed (and anything uncommitted rolled
back) when the request ends. Code that runs outside a request (executor threads) takes
:func:`session_factory` and opens its own sessions with ``with factory() as session:``.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from restora.config import Settings
from restora.db import Database, open_database

_EXTENSION_KEY = "restora.db"
log = logging.getLogger(__name__)


def init_app(app: Flask, settings: Settings) -> Database:
    """Open the database ``settings`` name and close each request's session at teardown."""
    opened = open_database(settings)
    app.extensions[_EXTENSION_KEY] = opened
    app.teardown_appcontext(_close_session)
    return opened


def database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions[_EXTENSION_KEY]


def session_factory(app: Flask | None = None) -> sessionmaker:
    """The sessionmaker of ``app`` (default: the current app), for work outside a request."""
    return database(app).sessions


def db_session() -> Session:
    """The session of the current request (or app context), opened on first use."""
    if "db_session" not in g:
        g.db_session = session_factory()()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        try:
            session.close()
        except SQLAlchemyError as error:
            # The connection died under the request (the database restarted or went away): its rollback
            # fails. The answer is already made (a 503 if the request needed the database); raising here
            # would turn it into a bare 500. The pool has dropped the dead connection.
            log.warning("closing a request's database session failed: %s", str(error).splitlines()[0][:200])
