"""Alembic environment: the target metadata is restora.db.Base with every table module imported."""

from __future__ import annotations

from alembic import context

import restora.accounts.models  # noqa: F401  (users, email codes)
import restora.jobs.models  # noqa: F401  (jobs)
from restora.config import load_settings
from restora.db import Base, open_database

target_metadata = Base.metadata


def _engine():
    engine = context.config.attributes.get("engine")
    if engine is None:  # the alembic command line: the configured database
        engine = open_database(load_settings()).engine
    return engine


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=engine.dialect.name == "sqlite",  # SQLite cannot ALTER most things
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
