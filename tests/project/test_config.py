from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings


def test_defaults_need_no_environment():
    settings = load_settings({}, env_file=None)
    assert settings.content_dir.name == "content"
    assert settings.state_file == Path("data") / "state.db"
    assert settings.token() is None


def test_each_wrong_value_names_its_variable():
    with pytest.raises(ConfigError) as info:
        load_settings({"SITE_BASE_URL": "ftp://x", "MAX_NOTE_BYTES": "-1"}, env_file=None)
    lines = str(info.value).splitlines()
    assert any(line.startswith("SITE_BASE_URL:") for line in lines)
    assert any(line.startswith("MAX_NOTE_BYTES:") for line in lines)


def test_token_value_never_appears_in_errors_or_repr():
    secret = "very-secret-token-value"
    with pytest.raises(ConfigError) as info:
        load_settings({"DISCORD_TOKEN": secret, "LOG_FORMAT": "xml"}, env_file=None)
    assert secret not in str(info.value)
    settings = load_settings({"DISCORD_TOKEN": secret}, env_file=None)
    assert secret not in repr(settings)
    assert settings.token() == secret


def test_token_file_and_env_file(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("from-file\n")
    env_file = tmp_path / ".env"
    env_file.write_text(f"DISCORD_TOKEN_FILE={token_file}\nOWNER_IDS=1, 2\n")
    settings = load_settings({}, env_file=env_file)
    assert settings.token() == "from-file"
    assert settings.owner_ids == (1, 2)


def test_environment_wins_over_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("CATCHUP_LIMIT=3\n")
    assert load_settings({"CATCHUP_LIMIT": "7"}, env_file=env_file).catchup_limit == 7


def test_settings_built_in_code():
    settings = Settings(content_dir=Path("x"), state_path=Path("y.db"))
    assert settings.state_file == Path("y.db")
