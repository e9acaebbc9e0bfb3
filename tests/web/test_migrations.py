"""One Alembic history covers every table, and it builds exactly what the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
import pytest
from sqlalchemy import create_engine, inspect

import restora.jobs.models  # noqa: F401  (the Job table joins Base.metadata)
from restora.db import Base
from restora.migrations import alembic_config, downgrade_database, upgrade_database
from restora.web.database import database


def test_migrated_schema_matches_the_models(app):
    engine = database(app).engine
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_history_is_linear_and_starts_with_accounts():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    revisions = list(script.walk_revisions())
    assert revisions[-1].revision == "0001_accounts" and revisions[-1].down_revision is None


def test_downgrade_to_nothing_and_back(app):
    engine = database(app).engine
    downgrade_database(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade_database(engine)
    assert {"users", "email_codes"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_starting_twice_is_harmless(make_app):
    make_app()
    make_app()


def test_the_site_does_not_migrate_and_refuses_a_database_that_is_not_current(tmp_path):
    from restora.config import Settings
    from restora.migrations import DatabaseNotMigrated, migrate
    from restora.web import create_app

    settings = Settings(data_dir=tmp_path / "instance", secret_key="k")
    with pytest.raises(DatabaseNotMigrated, match="restora serve"):
        create_app(settings)
    engine = create_engine(settings.resolved_database_url())
    assert set(inspect(engine).get_table_names()) == set()
    engine.dispose()
    migrate(settings)
    create_app(settings)  # at the current schema it starts (no DatabaseNotMigrated)
