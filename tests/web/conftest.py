"""Fixtures for the web tests: ``db_url``, ``make_app``, ``app``, ``client``, ``smtp`` and ``auth``.

Every test that uses ``app`` runs three times: on a fresh SQLite file, on the real MariaDB at
127.0.0.1:3306 (root, no password) and on the real PostgreSQL at 127.0.0.1:5432 (trust), each in a
database made for this test session and dropped after it.
``RESTORA_TEST_DATABASES=sqlite,mariadb`` (any of the three) runs fewer.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Callable

import pymysql
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import MetaData, delete

from restora.config import Settings
from restora.migrations import migrate
from restora.web import create_app
from restora.web.database import database
from restora.web.executor import stop_executor
from tests.web.mailbox import Mailbox

MARIADB_HOST = os.environ.get("RESTORA_TEST_MARIADB_HOST", "127.0.0.1")
MARIADB_PORT = int(os.environ.get("RESTORA_TEST_MARIADB_PORT", "3306"))
# Every web test runs on all three; RESTORA_TEST_DATABASES=sqlite,mariadb (say) runs fewer, for a quick look.
DATABASES = ("sqlite", "mariadb", "postgresql")
PASSWORD = "correct horse battery"  # long, not in the common list, no composition rule needed
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def mariadb_url():
    """A MariaDB database for this test session; dropped at the end."""
    name = f"restora_test_{os.getpid()}"
    try:
        server = pymysql.connect(host=MARIADB_HOST, port=MARIADB_PORT, user="root", password="")
    except pymysql.err.OperationalError as exc:
        pytest.fail(f"MariaDB is not reachable at {MARIADB_HOST}:{MARIADB_PORT} ({exc}); start it (.ci/run does)")
    with server.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    try:
        yield f"mysql+pymysql://root:@{MARIADB_HOST}:{MARIADB_PORT}/{name}?charset=utf8mb4"
    finally:
        with server.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        server.close()


@pytest.fixture(scope="session")
def postgresql_url():
    """A PostgreSQL database for this test session; dropped at the end."""
    from tests.jobs.support import create_postgresql_database, drop_postgresql_database, postgresql_available

    if not postgresql_available():
        pytest.fail("PostgreSQL is not reachable at 127.0.0.1:5432; start it (.ci/run does)")
    name, url = create_postgresql_database("restora_test")
    yield url
    drop_postgresql_database(name)


def databases() -> list[str]:
    chosen = os.environ.get("RESTORA_TEST_DATABASES")
    if not chosen:
        return list(DATABASES)
    names = [name.strip() for name in chosen.split(",") if name.strip()]
    unknown = sorted(set(names) - set(DATABASES))
    if unknown:
        raise pytest.UsageError(f"RESTORA_TEST_DATABASES: unknown {', '.join(unknown)}; choose from {', '.join(DATABASES)}")
    return names


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_url" in metafunc.fixturenames:
        metafunc.parametrize("db_url", databases(), indirect=True)


@pytest.fixture
def db_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'restora.sqlite3'}"
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture(scope="session")
def smtp_server():
    mailbox = Mailbox()
    mailbox.start()
    yield mailbox
    mailbox.stop()


@pytest.fixture
def smtp(smtp_server: Mailbox):
    """The real SMTP server, emptied for this test: ``smtp.messages``, ``smtp.last_code(address)``."""
    smtp_server.clear()
    yield smtp_server
    for thread in threading.enumerate():  # mail sent in the background must not land in the next test
        if thread.name == "restora-mail":
            thread.join(10)


def _empty_all_tables(app: Flask) -> None:
    """Leave the shared MariaDB database as the migration made it (tables kept, rows gone)."""
    engine = database(app).engine
    tables = MetaData()
    tables.reflect(engine)
    with engine.begin() as connection:
        for table in reversed(tables.sorted_tables):
            if table.name != "alembic_version":
                connection.execute(delete(table))
    engine.dispose()


@pytest.fixture
def make_app(db_url: str, tmp_path: Path, smtp: Mailbox) -> Callable[..., Flask]:
    """``make_app(**settings_overrides)``: an app on this test's database, mail to the test SMTP server."""
    apps: list[Flask] = []

    def build(**overrides) -> Flask:
        values = dict(
            data_dir=tmp_path / "instance", database_url=db_url, secret_key="test-secret-key",
            mail_host="127.0.0.1", mail_port=smtp.port,
        )
        values.update(overrides)
        settings = Settings(**values)
        migrate(settings)  # what `restora serve` does at start-up, before the app exists
        app = create_app(settings)
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield build
    for app in apps:  # background job threads must not outlive the test's database
        stop_executor(app)
    if apps:
        _empty_all_tables(apps[0])
        for app in apps:
            database(app).engine.dispose()


def change_settings(app: Flask, **changes) -> None:
    """Change some Settings of a built app (they are read per request: limits, quotas, rate limits)."""
    app.extensions["restora.settings"] = app.extensions["restora.settings"].replace(**changes)


@pytest.fixture
def app(make_app) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_token_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no csrf_token field on the page"
    return match.group(1) or match.group(2)


class AuthActions:
    """Log users in and out of ``client`` the way a browser does (forms with CSRF tokens).

    ``auth.create_user("alice")`` writes a verified user straight to the database (fast);
    ``auth.register("bob", "bob@example.com")`` goes through the pages and the emailed code;
    ``auth.login("alice")`` / ``auth.logout()`` post the real forms; ``auth.csrf()`` is a token for the
    client's current session, for posting to any form.
    """

    def __init__(self, app: Flask, client: FlaskClient, smtp: Mailbox):
        self.app, self.client, self.smtp = app, client, smtp

    def csrf(self, page: str = "/") -> str:
        """A CSRF token for the client's session (every page carries one, in the language form)."""
        return csrf_token_from(self.client.get(page, follow_redirects=True).get_data(as_text=True))

    def create_user(self, username: str = "alice", password: str = PASSWORD, email: str | None = None,
                    verified: bool = True, active: bool = True):
        from restora.accounts.models import User, utcnow
        from restora.accounts.passwords import hash_password

        with database(self.app).sessions() as session:
            user = User(
                username=username, username_key=username.lower(), email=(email or f"{username}@example.com").lower(),
                password_hash=hash_password(password), active=active, email_verified=verified,
                created_at=utcnow(), session_version=0, failed_logins=0,
            )
            session.add(user)
            session.commit()
            return user

    def login(self, login: str = "alice", password: str = PASSWORD, next: str | None = None):
        url = "/login" + (f"?next={next}" if next else "")
        return self.client.post(url, data={"login": login, "password": password, "csrf_token": self.csrf(url)})

    def logout(self):
        token = self.csrf("/")
        return self.client.post("/logout", data={"csrf_token": token})

    def register(self, username: str, email: str, password: str = PASSWORD):
        """Register through the pages and confirm with the code from the SMTP server; returns the last response."""
        response = self.client.post("/register", data={
            "username": username, "email": email, "password": password, "confirm": password,
            "csrf_token": self.csrf("/register"),
        })
        assert response.status_code == 302, response.get_data(as_text=True)
        code = self.smtp.last_code(email.lower())
        return self.client.post("/verify", data={"code": code, "csrf_token": self.csrf("/verify")})


@pytest.fixture
def auth(app: Flask, client: FlaskClient, smtp: Mailbox) -> AuthActions:
    return AuthActions(app, client, smtp)
