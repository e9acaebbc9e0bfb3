"""The durability tests use the jobs fixtures (SQLite and the real MariaDB) and real worker subprocesses."""

from tests.jobs.conftest import data_dir, db_url, mariadb_url, postgresql_url, sessions, user_id  # noqa: F401
