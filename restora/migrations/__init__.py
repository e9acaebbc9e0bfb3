"""Alembic migrations for every table (accounts and jobs), run once at start-up.

``restora serve`` migrates before it starts the site's server process, and ``restora user`` before it
touches an account (either may be the first command run against a new database). Nothing else migrates:
the site's ``create_app`` only checks that the schema is current (:func:`require_current`), and
``restora worker`` expects a database one of those commands has prepared.

One history covers the whole database: ``env.py`` imports the models of ``restora.accounts`` and
``restora.jobs``. New revision: ``.venv/bin/alembic -c restora/migrations/alembic.ini revision -m "..."``
then write the upgrade/downgrade by hand (or with ``--autogenerate`` against a database at head).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from restora.config import Settings
from restora.db import open_database

HERE = Path(__file__).resolve().parent


class DatabaseNotMigrated(RuntimeError):
    """The database's schema is not the one this code needs; the message says what to run."""


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config for this folder; with ``engine``, migrations run on it."""
    config = Config(str(HERE / "alembic.ini"))
    config.set_main_option("script_location", str(HERE))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind ``engine`` up to ``revision`` (a no-op when it is there already)."""
    command.upgrade(alembic_config(engine), revision)


def downgrade_database(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def migrate(settings: Settings) -> None:
    """The start-up step: open the configured database, upgrade it to head, close it again."""
    database = open_database(settings)
    try:
        upgrade_database(database.engine)
    finally:
        database.dispose()  # no connection opened here survives into a forked server process


def require_current(engine: Engine) -> None:
    """:raises DatabaseNotMigrated: unless the database is at this code's head revision."""
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current != heads:
        shown = ", ".join(sorted(current)) or "no tables"
        raise DatabaseNotMigrated(
            f"the database {engine.url.render_as_string(hide_password=True)} is at {shown}, not at the current "
            f"schema ({', '.join(sorted(heads))}); `restora serve` migrates it at start-up "
            "(or call restora.migrations.migrate(settings) before create_app)"
        )
