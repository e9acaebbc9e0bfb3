"""Alembic migrations for every table (web accounts and jobs), run by the app at start-up.

One history covers the whole database: ``env.py`` imports the models of ``restora.web`` and
``restora.jobs``. New revision: ``.venv/bin/alembic -c restora/migrations/alembic.ini revision -m "..."``
then write the upgrade/downgrade by hand (or with ``--autogenerate`` against a database at head).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

HERE = Path(__file__).resolve().parent


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
