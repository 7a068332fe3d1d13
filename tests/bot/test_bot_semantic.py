"""Meaning-based answers through the bot: /search and a mention, with the real model.

The bot serves the bundled sample site with SEMANTIC_SEARCH on. The sample's passages
are embedded once per test session (``warm_vectors``) and each test starts from a copy
of that vector cache in its own data folder, the way a restarted bot finds its cache:
the model still embeds every query, and the index is still built from the cache.
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime
from pathlib import Path

import discord
import pytest
from paths import ROOT_DIR

from bot.app import create_bot
from bot.library.catalog import Catalog

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

CONCEPT = "キューを挟んで同期呼び出しをやめた話"  # #4, which never says it this way
CONCEPT_EN = "no-code machine learning on Vertex AI"  # #10, written in Japanese


@pytest.fixture(scope="session")
def warm_vectors(tmp_path_factory) -> Path:
    """A vector cache holding every passage of the bundled sample (built once)."""
    from bot.config import Settings

    folder = tmp_path_factory.mktemp("vectors")
    settings = Settings(content_dir=ROOT_DIR / "content", data_dir=folder, semantic_search=True)
    catalog = Catalog.from_settings(settings)
    catalog.load()
    assert catalog.wait_semantic(600) and catalog.semantic_state.startswith("ready")
    return settings.vector_cache_path


@pytest.fixture
def bot_settings(make_settings, tmp_path, warm_vectors):
    settings = make_settings(content_dir=ROOT_DIR / "content", semantic_search=True)
    shutil.copyfile(warm_vectors, settings.vector_cache_path)
    return settings


@pytest.fixture
def simcord_bot(bot_settings):
    clock = lambda: datetime(2026, 12, 1, 12, tzinfo=UTC)  # noqa: E731
    return create_bot(bot_settings, catalog=Catalog.from_settings(bot_settings, clock=clock))


async def ready(env) -> None:
    catalog = env.bot.catalog
    assert await asyncio.to_thread(catalog.wait_semantic, 300)
    assert catalog.semantic_state.startswith("ready"), catalog.semantic_state


async def test_search_finds_a_concept_the_notes_word_differently(world):
    await ready(world.env)
    result = await world.alice.slash(world.channel, "search", query=CONCEPT)
    assert result.response.embeds[0].title.startswith("#4 ")
    result = await world.alice.slash(world.channel, "search", query=CONCEPT_EN)
    assert result.response.embeds[0].title.startswith("#10 ")


async def test_a_mention_finds_a_concept_and_a_date(world):
    await ready(world.env)
    me = world.bot.user
    assert me is not None
    await world.alice.send(world.channel, f"{me.mention} {CONCEPT}")
    reply = world.channel.last_message
    assert reply.embeds and reply.embeds[0].title.startswith("#4 ")
    await world.alice.send(world.channel, f"{me.mention} 2024年2月の回")
    reply = world.channel.last_message
    titles = [reply.embeds[0].title, *(o["label"] for o in options_of(reply))]
    assert any(t.startswith("#4 ") for t in titles) and any(t.startswith("#5 ") for t in titles)


async def test_search_by_date_lists_that_months_episodes(world):
    result = await world.alice.slash(world.channel, "search", query="Feb 2024")
    titles = [result.response.embeds[0].title, *(o["label"] for o in options_of(result.response))]
    assert titles[0].startswith("#4 ") and any(t.startswith("#5 ") for t in titles)


async def test_the_bot_answers_lexically_before_the_semantic_index_is_ready(world):
    # straight after start: names still answer, whether or not the index is built yet
    result = await world.alice.slash(world.channel, "search", query="Kubeflow")
    assert "Kubeflow" in result.response.embeds[0].title
    assert not [e for e in world.env.errors if not isinstance(e, discord.NotFound)]


def options_of(message) -> list[dict]:
    """The options of the message's select menu (a dict payload or a discord.Message)."""
    for row in message.components:
        children = row["components"] if isinstance(row, dict) else row.children
        for item in children:
            if isinstance(item, dict) and item["type"] == 3:
                return item["options"]
            if isinstance(item, discord.SelectMenu):
                return [{"label": o.label} for o in item.options]
    return []
