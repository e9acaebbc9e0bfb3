"""Settings: defaults, TOML, RESTORA_* variables, and unknown keys as errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from restora.config import ConfigError, Settings, load_settings


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
    ],
)
def test_bad_values_are_errors(environ, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=environ)


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        Settings().max_pixels = 1  # type: ignore[misc]
