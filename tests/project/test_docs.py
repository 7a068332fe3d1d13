"""The README documents every slash command, every setting and every CLI command.

The configuration table in the README is generated from ``Settings.model_fields``;
print it with ``.venv/bin/python tests/project/test_docs.py`` and paste it when a setting
changes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, get_args, get_origin

from pydantic import SecretStr

from bot.config import BUNDLED_CONTENT, Settings, env_name

ROOT = Path(__file__).resolve().parents[2]  # also run as a script, without conftest
README = ROOT / "README.md"


def default_text(name: str) -> str:
    field = Settings.model_fields[name]
    value = field.default
    if value is None or (isinstance(value, tuple) and not value):
        return "(unset)"
    if value == BUNDLED_CONTENT:
        return "the bundled `content/`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, tuple):
        return "`" + ",".join(str(v) for v in value) + "`"
    if isinstance(value, float) and value.is_integer():
        return f"`{int(value)}`"
    if isinstance(value, SecretStr):
        return "(secret)"
    return f"`{value}`"


def settings_table() -> str:
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        description = (field.description or "").replace("|", "\\|")
        if get_origin(field.annotation) is Literal:
            description += (
                " One of " + ", ".join(f"`{v}`" for v in get_args(field.annotation)) + "."
            )
        lines.append(f"| `{env_name(name)}` | {default_text(name)} | {description} |")
    return "\n".join(lines)


async def slash_commands() -> list[str]:
    """Every slash command as users type it ("/notify set"), read from the bot's tree."""
    import tempfile

    import simcord
    from discord import app_commands

    from bot.app import create_bot

    with tempfile.TemporaryDirectory() as data:
        bot = create_bot(Settings(data_dir=Path(data), watch_content=False))
        async with simcord.run(bot):
            names = []
            for command in bot.tree.get_commands():
                if isinstance(command, app_commands.Group):
                    names += ["/" + sub.qualified_name for sub in command.walk_commands()]
                else:
                    names.append("/" + command.qualified_name)
    return names


def cli_commands() -> list[str]:
    import argparse

    from bot.cli import build_parser

    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def readme() -> str:
    return README.read_text(encoding="utf-8")


async def test_every_slash_command_is_in_the_readme():
    commands = await slash_commands()
    assert len(commands) >= 4
    text = readme()
    missing = [name for name in commands if f"`{name}" not in text]
    assert not missing, f"README does not document: {missing}"


def test_every_setting_is_in_the_readme_table_with_its_default():
    text = readme()
    table = settings_table()
    missing = [row for row in table.splitlines()[2:] if row not in text]
    assert not missing, (
        "README configuration table is out of date; paste the output of "
        "`.venv/bin/python tests/project/test_docs.py`. Rows missing or changed:\n"
        + "\n".join(missing)
    )


def test_readme_names_no_setting_that_does_not_exist():
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme(), flags=re.MULTILINE))
    known = {env_name(name) for name in Settings.model_fields}
    assert documented <= known, f"README documents unknown settings: {documented - known}"


def test_every_cli_command_is_in_the_readme():
    text = readme()
    missing = [name for name in cli_commands() if f"scripts/run {name}" not in text]
    assert not missing, f"README does not document CLI commands: {missing}"


def test_readme_keeps_the_two_setup_commands():
    text = readme()
    assert "scripts/run" in text and "scripts/test" in text


if __name__ == "__main__":
    print(settings_table())
