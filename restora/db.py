"""The SQLAlchemy base every table derives from, and :func:`open_database`.

Both ``jobs/`` (the Job table) and ``accounts/`` (users, codes) declare their tables on this one ``Base`` so
a single Alembic history covers the database. SQLite runs in WAL mode so the web process and the job
executor can read while the other writes. The site, ``restora worker`` and ``restora user`` all open the
database with :func:`open_database`; none of them migrates it on opening (see :mod:`restora.migrations`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from restora.config import Settings


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


@dataclass(frozen=True)
class Database:
    """One process's connection pool (``engine``) and the factory of its sessions."""

    engine: Engine
    sessions: sessionmaker

    def dispose(self) -> None:
        """Close the pooled connections (before a fork, and when done)."""
        self.engine.dispose()


def open_database(settings: Settings) -> Database:
    """The database ``settings`` name (default: SQLite in ``data_dir``, which is created for it)."""
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url())
    return Database(engine=engine, sessions=make_session_factory(engine))
