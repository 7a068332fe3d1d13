"""Text rendering of replies, and ``python -m bot ask`` printing what the bot sends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import discord
import pytest
from paths import ROOT_DIR

from bot.ui.render import render_message, render_parts, render_text, unmark

ROOT = ROOT_DIR


def ask(query: str, content: Path, cwd: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "CONTENT_", "OWNER_", "MAX_QUERY"))
    }
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", "ask", query, "--content", str(content), *extra],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,  # away from any .env in the checkout
        env=env,
        timeout=60,
    )


def test_masked_links_render_as_text_and_url():
    assert unmark("• [Kubeflow](https://www.kubeflow.org/)") == (
        "• Kubeflow <https://www.kubeflow.org/>"
    )
    assert unmark(r"\*\*not bold\*\*") == "**not bold**"


def test_render_text_shows_embed_fields_and_buttons_as_links():
    embed = discord.Embed(title="#1 Title", url="https://example.com/1", description="Summary")
    embed.add_field(name="Released", value="2024-01-10", inline=True)
    embed.add_field(name="Links", value="• [A](https://a.example)\n• [B](https://b.example)")
    embed.set_footer(text="All links: /links")
    view = discord.ui.View()
    view.add_item(discord.ui.Button(label="Listen", url="https://anchor.fm/x"))
    assert render_text(embed, view) == "\n".join(
        [
            "## #1 Title",
            "<https://example.com/1>",
            "Summary",
            "Released: 2024-01-10",
            "Links:",
            "  • A <https://a.example>",
            "  • B <https://b.example>",
            "-- All links: /links",
            "",
            "[Listen] https://anchor.fm/x",
        ]
    )


def test_render_shows_select_options_and_which_is_shown():
    select = {
        "type": 3,
        "placeholder": "See the other matches",
        "options": [
            {"label": "#1 a", "value": "0", "default": True, "description": "first"},
            {"label": "#2 b", "value": "1"},
        ],
    }
    text = render_parts("note", [], [{"type": 1, "components": [select]}])
    assert text == "note\n\n[See the other matches]\n > 1. #1 a — first\n   2. #2 b"


def test_ask_without_content_folder_says_so(tmp_path):
    result = ask("kubeflow", tmp_path / "missing", tmp_path)
    assert result.returncode == 2
    assert "not found" in result.stdout


@pytest.mark.parametrize("query", ["#3", "kubeflowの回ある？", "zzqxjv"])
async def test_ask_prints_exactly_the_mention_reply(world, bot_site, tmp_path, query):
    await world.alice.send(world.channel, f"{world.bot.user.mention} {query}")
    reply = world.channel.last_message
    assert reply.author.id == world.bot.user.id
    printed = ask(query, bot_site, tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.rstrip("\n") == render_message(reply)
