"""Settings: defaults, TOML, RESTORA_* variables, and unknown keys as errors."""

from __future__ import annotations

from pathlib import Path

import re

import pytest

from restora.config import ConfigError, Settings, load_settings

REPO = Path(__file__).resolve().parents[1]


def test_defaults_without_anything():
    settings = load_settings(environ={})
    assert settings == Settings()
    assert settings.resolved_database_url().startswith("sqlite:///")


def test_toml_then_environment_then_overrides(tmp_path):
    config = tmp_path / "restora.toml"
    config.write_text('max_pixels = 1000\nexecutor = "celery"\ndata_dir = "/srv/restora"\nmail_use_tls = true\n')
    settings = load_settings(config, environ={"RESTORA_MAX_PIXELS": "2000"}, thread_workers=3)
    assert settings.max_pixels == 2000  # the environment beats the file
    assert settings.executor == "celery" and settings.mail_use_tls is True
    assert settings.data_dir == Path("/srv/restora") and settings.thread_workers == 3


def test_config_file_from_environment(tmp_path):
    config = tmp_path / "restora.toml"
    config.write_text("max_side = 500\n")
    assert load_settings(environ={"RESTORA_CONFIG": str(config)}).max_side == 500


def test_unknown_keys_are_errors(tmp_path):
    config = tmp_path / "restora.toml"
    config.write_text("max_pixel = 1\n")
    with pytest.raises(ConfigError, match="unknown setting 'max_pixel'"):
        load_settings(config, environ={})
    with pytest.raises(ConfigError, match="RESTORA_MAX_PIXEL"):
        load_settings(environ={"RESTORA_MAX_PIXEL": "1"})
    assert load_settings(environ={"RESTORA_TEST_DATABASE": "x"}) == Settings()  # the test suite's own


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"RESTORA_MAX_PIXELS": "many"}, "must be int"),
        ({"RESTORA_MAIL_USE_TLS": "perhaps"}, "must be bool"),
        ({"RESTORA_EXECUTOR": "rq"}, "executor must be"),
        ({"RESTORA_PASSWORD_POLICY": "lax"}, "password_policy must be"),
        ({"RESTORA_JOB_LEASE_SECONDS": "soon"}, "must be float"),
        ({"RESTORA_JOB_LEASE_SECONDS": "0.1"}, "job_lease_seconds must be at least 0.5"),
        ({"RESTORA_MAX_WAITING_JOBS": "0"}, "max_waiting_jobs must be at least 1"),
    ],
)
def test_bad_values_are_errors(environ, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=environ)


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        Settings().max_pixels = 1  # type: ignore[misc]


def test_job_limits_and_rate_limits_are_settings(tmp_path):
    environ = {"RESTORA_MAX_WAITING_JOBS": "50", "RESTORA_JOB_LEASE_SECONDS": "2.5", "RESTORA_MAX_QUEUED_JOBS": "7",
               "RESTORA_AUTH_RATE_LIMIT": "3/minute"}
    settings = load_settings(environ=environ)
    assert (settings.max_waiting_jobs, settings.max_queued_jobs, settings.job_lease_seconds) == (50, 7, 2.5)
    assert settings.auth_rate_limit == "3/minute"
    config = tmp_path / "restora.toml"
    config.write_text("job_lease_seconds = 30\nmax_bytes_per_user = 1000\n")  # a TOML integer for a float
    from_file = load_settings(config, environ={})
    assert from_file.job_lease_seconds == 30.0 and isinstance(from_file.job_lease_seconds, float)
    assert from_file.max_bytes_per_user == 1000


def test_every_restora_variable_the_code_names_is_accepted():
    """A ``RESTORA_*`` name written in the code or the README is a setting the loader takes (or the file)."""
    texts = [path.read_text(encoding="utf-8") for path in (REPO / "restora").rglob("*.py")]
    texts.append((REPO / "README.md").read_text(encoding="utf-8"))
    names = {name for text in texts for name in re.findall(r"\bRESTORA_[A-Z][A-Z0-9_]*[A-Z0-9]\b", text)}
    names -= {"RESTORA_CONFIG"}
    defaults = Settings()
    refused = []
    for name in sorted(names):
        field = name.removeprefix("RESTORA_").lower()
        value = str(getattr(defaults, field, "x"))
        try:
            load_settings(environ={name: value})
        except ConfigError as error:
            refused.append(f"{name}: {error}")
    assert refused == []
