"""docs/deploy/compose.yaml: its Restora commands and settings are ones Restora takes, and Docker Compose
accepts the file. Nothing here starts containers (no Docker daemon or images on the build machine)."""

from __future__ import annotations

import shlex
import shutil
import subprocess

import click
import pytest
import yaml

from restora.cli import main
from restora.config import load_settings
from tests.conftest import REPO_ROOT

COMPOSE = REPO_ROOT / "docs" / "deploy" / "compose.yaml"


def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]


def restora_services() -> dict:
    return {name: service for name, service in services().items() if str(service.get("command", "")).startswith("restora ")}


def test_the_set_has_web_processes_workers_a_database_a_broker_and_a_proxy():
    commands = [shlex.split(service["command"])[:2] for service in restora_services().values()]
    assert commands.count(["restora", "serve"]) >= 2 and ["restora", "worker"] in commands
    assert {"mariadb", "redis", "proxy"} <= set(services())


@pytest.mark.parametrize("name", sorted(restora_services()))
def test_each_command_is_one_restora_takes(name):
    words = shlex.split(restora_services()[name]["command"])[1:]
    with main.make_context("restora", list(words), resilient_parsing=False) as context:
        command = main.get_command(context, words[0])
        assert command is not None, words[0]
        try:
            command.make_context(words[0], words[1:], parent=context)
        except click.UsageError as error:
            pytest.fail(f"{name}: {error.format_message()}")


@pytest.mark.parametrize("name", sorted(restora_services()))
def test_each_restora_setting_is_one_the_loader_accepts(name):
    environment = {key: str(value) for key, value in restora_services()[name]["environment"].items()}
    settings = load_settings(environ=environment)
    assert settings.executor == "celery" and settings.database_url.startswith("mysql+pymysql://")


def _compose_command() -> list[str] | None:
    """``docker compose`` (the plugin) or ``docker-compose`` (the standalone program), whichever runs."""
    if shutil.which("docker"):
        plugin = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
        if plugin.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_accepts_the_file():
    command = _compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    checked = subprocess.run([*command, "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True,
                             timeout=120, cwd=COMPOSE.parent)
    assert checked.returncode == 0, checked.stderr
