"""The build context holds the code and the sample notes, never a secret beside them.

Docker's rules, applied here: patterns are matched in order and the last one that
matches a path (or one of its parent folders) decides; ``!`` re-includes."""

from __future__ import annotations

import re

import pytest
from paths import ROOT_DIR


def _regex(pattern: str) -> re.Pattern[str]:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


def rules() -> list[tuple[bool, re.Pattern[str]]]:
    lines = (ROOT_DIR / ".dockerignore").read_text(encoding="utf-8").splitlines()
    found = []
    for line in (x.strip() for x in lines):
        if line and not line.startswith("#"):
            keep = line.startswith("!")
            found.append((keep, _regex(line.lstrip("!").strip("/"))))
    return found


def in_context(path: str) -> bool:
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    included = True
    for keep, pattern in rules():
        if any(pattern.match(p) for p in prefixes):
            included = keep
    return included


@pytest.mark.parametrize(
    "path",
    [
        "bot/.env",
        "content/.env",
        "bot/cli/.env.local",
        "content/podcast/discord_token.txt",
        "bot/secrets/token",
        "content/private.pem",
        ".env",
        "data/state.db",
    ],
)
def test_a_secret_inside_bot_or_content_stays_out_of_the_build_context(path):
    assert not in_context(path)


@pytest.mark.parametrize(
    "path",
    [
        "pyproject.toml",
        "constraints.txt",
        "README.md",
        "bot/__main__.py",
        "bot/cogs/notify/cog.py",
        "content/podcast/0001/index.md",
        "content/post/jisaku-keyboard.md",
    ],
)
def test_the_code_and_the_sample_notes_are_in_the_build_context(path):
    assert in_context(path)


def test_every_file_the_package_and_sample_site_ship_is_in_the_context():
    shipped = [
        p.relative_to(ROOT_DIR).as_posix()
        for folder in ("bot", "content")
        for p in (ROOT_DIR / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    assert [p for p in shipped if not in_context(p)] == []
