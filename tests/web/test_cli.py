"""``restora user ...`` and ``restora serve``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from restora.cli import main
from tests.web.conftest import PASSWORD, AuthActions
from tests.web.mailbox import free_port


@pytest.fixture
def cli_env(db_url, tmp_path, make_app):
    make_app()  # the same database the app fixture uses (and empties afterwards)
    return {"RESTORA_DATA_DIR": str(tmp_path / "instance"), "RESTORA_DATABASE_URL": db_url}


def run(env, *args, stdin=None):
    return CliRunner().invoke(main, list(args), env=env, input=stdin)


def test_create_list_disable_enable(cli_env, make_app, smtp):
    created = run(cli_env, "user", "create", "Admin_1", "--email", "admin@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    assert "created Admin_1" in created.output
    listed = run(cli_env, "user", "list")
    assert "Admin_1" in listed.output and "admin@example.com" in listed.output and "active" in listed.output

    app = make_app()
    auth = AuthActions(app, app.test_client(), smtp)
    assert auth.login("admin_1").status_code == 302
    assert run(cli_env, "user", "disable", "admin_1").exit_code == 0
    assert auth.client.get("/Admin_1/").status_code == 302  # the open session ended
    assert auth.login("admin_1").status_code == 422
    assert "disabled" in run(cli_env, "user", "list").output
    assert run(cli_env, "user", "enable", "ADMIN_1").exit_code == 0
    assert auth.login("admin_1").status_code == 302


@pytest.mark.parametrize("args, stdin, message", [
    (["user", "create", "login", "--email", "a@example.com", "--password-stdin"], PASSWORD, "reserved"),
    (["user", "create", "a b", "--email", "a@example.com", "--password-stdin"], PASSWORD, "3 to 32"),
    (["user", "create", "okname", "--email", "nope", "--password-stdin"], PASSWORD, "not an email"),
    (["user", "create", "okname", "--email", "a@example.com", "--password-stdin"], "password1", "most common"),
    (["user", "disable", "ghost"], None, "no user named"),
])
def test_errors_are_one_clear_line(cli_env, args, stdin, message):
    result = run(cli_env, *args, stdin=stdin + "\n" if stdin else None)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_duplicate_user_refused(cli_env):
    run(cli_env, "user", "create", "dup", "--email", "dup@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    again = run(cli_env, "user", "create", "DUP", "--email", "other@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    assert again.exit_code == 1 and "username is already registered" in again.output


@pytest.mark.slow
def test_serve_starts_gunicorn_and_prints_the_address(tmp_path):
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("RESTORA_")}, "RESTORA_DATA_DIR": str(tmp_path / "instance")}
    restora = Path(sys.executable).with_name("restora")
    server = subprocess.Popen([str(restora), "serve", "--port", str(port)], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        lines = []
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            lines.append(line)
            if f"Restora is running at http://127.0.0.1:{port}/" in line:
                break
        else:
            raise AssertionError("".join(lines))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200 and response.headers["Server"] == "gunicorn"
            assert "Restora" in response.read().decode()
        assert (tmp_path / "instance" / "restora.sqlite3").exists()
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()


@pytest.mark.slow
def test_restora_user_manages_accounts_without_loading_the_web_site(tmp_path):
    """`restora user` uses restora.accounts: neither Flask nor the site is imported (in a fresh process)."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("RESTORA_")},
           "RESTORA_DATA_DIR": str(tmp_path / "instance")}
    script = (
        "import sys; from restora.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit as end:\n    assert end.code == 0, end.code\n"
        "loaded = sorted(m for m in sys.modules if m == 'flask' or m.startswith(('flask.', 'restora.web')))\n"
        "print('loaded:', loaded)\n"
    )
    created = subprocess.run([sys.executable, "-c", script, "user", "create", "solo", "--email", "solo@example.com",
                              "--password-stdin"], input=PASSWORD + "\n", env=env, capture_output=True, text=True,
                             timeout=120)
    assert "created solo" in created.stdout and "loaded: []" in created.stdout, created.stdout + created.stderr
    listed = subprocess.run([sys.executable, "-c", script, "user", "list"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert "solo@example.com" in listed.stdout and "loaded: []" in listed.stdout, listed.stdout + listed.stderr
