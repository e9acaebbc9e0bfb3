"""The SQLAlchemy base every table derives from, and the engine/session factory.

Both ``jobs/`` (the Job table) and ``web/`` (users, codes) declare their tables on this one ``Base`` so a
single Alembic history covers the database. SQLite runs in WAL mode so the web process and the job
executor can read while the other writes.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, sessionmaker


class Base(DeclarativeBase):
    pass


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the per-backend settings Restora relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # pool_pre_ping: MariaDB closes idle connections after wait_timeout; reconnect instead of failing.
    return create_engine(url, pool_pre_ping=True, pool_recycle=3600)


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)
