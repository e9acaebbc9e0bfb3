"""Fixtures for the jobs layer: a real database (an SQLite file, the real MariaDB and the real PostgreSQL), a
user, a data root.

MariaDB and PostgreSQL get a private database per test session, so suites running at the same time on the
shared servers never see these tables.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from restora.db import make_session_factory
from tests.jobs.support import (
    add_user,
    create_mariadb_database,
    create_postgresql_database,
    create_tables,
    drop_mariadb_database,
    drop_postgresql_database,
    mariadb_available,
    postgresql_available,
)


@pytest.fixture(scope="session")
def mariadb_url():
    if not mariadb_available():
        pytest.fail("MariaDB is not running at 127.0.0.1:3306 (start it with .ci/run)")
    name, url = create_mariadb_database("restora_jobs")
    yield url
    drop_mariadb_database(name)


@pytest.fixture(scope="session")
def postgresql_url():
    if not postgresql_available():
        pytest.fail("PostgreSQL is not running at 127.0.0.1:5432 (start it with .ci/run)")
    name, url = create_postgresql_database("restora_jobs")
    yield url
    drop_postgresql_database(name)


@pytest.fixture(params=["sqlite", "mariadb", "postgresql"])
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def sessions(db_url):
    engine = create_tables(db_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def user_id(sessions) -> int:
    return add_user(sessions)


@pytest.fixture
def data_dir(tmp_path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path
