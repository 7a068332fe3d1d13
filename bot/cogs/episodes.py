"""/episode, /latest, /links, /random and /episodes: look episodes up and walk the
back catalogue.

A number or an autocomplete choice is looked up directly; free text is a search, so it
counts against the same per-user cooldown as ``/search`` and mentions (``/random`` with
a topic too). Replies are built by ``bot.ui.replies``; their buttons are persistent.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.app import log_interaction, refuse_busy, searchable
from bot.cooldown import Cooldown
from bot.i18n import language_for
from bot.library.lookup import find_episode, is_episode_key
from bot.ui.embeds import latest_embed, link_buttons
from bot.ui.replies import (
    Reply,
    add_episode_choices,
    archive_reply,
    episode_reply,
    links_reply,
    missing_episode_reply,
    random_reply,
)
from bot.ui.text import CHOICES_MAX

if TYPE_CHECKING:
    from bot.app import PodcastBot

log = logging.getLogger(__name__)


class EpisodesCog(commands.Cog):
    def __init__(self, bot: PodcastBot):
        self.bot = bot
        self.cooldown: Cooldown = bot.search_cooldown  # one budget for every search

    async def send(self, interaction: discord.Interaction, reply: Reply) -> None:
        await interaction.response.send_message(**reply.response_kwargs())

    async def refuse_busy(
        self, interaction: discord.Interaction, text: str, command: str, started: float
    ) -> bool:
        """True (after a private notice) when ``text`` must be searched for and the
        user is over the search cooldown; a number or an episode key is always fine."""
        if not text.strip() or is_episode_key(text):
            return False
        return await refuse_busy(self.cooldown, interaction, command, started)

    # -- /episode ------------------------------------------------------------

    @searchable
    @app_commands.command(
        name=_("episode"), description=_("Show one episode by its number or title")
    )
    @app_commands.describe(number=_("Episode number (or start typing a title)"))
    @app_commands.rename(number=_("number"))
    async def episode(self, interaction: discord.Interaction, number: str) -> None:
        started = time.perf_counter()
        lang = language_for(interaction.locale)
        text = number[: self.bot.settings.max_query_chars]
        if await self.refuse_busy(interaction, text, "episode", started):
            return
        catalog = self.bot.catalog
        found = find_episode(catalog, text)
        if found is None:
            reply = missing_episode_reply(catalog, number, lang)
        else:
            reply = episode_reply(catalog, found, lang, interaction.user.id)
        await self.send(interaction, reply)
        log_interaction("episode", interaction, started, hits=int(found is not None))

    @episode.autocomplete("number")
    async def episode_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return episode_choices(self.bot, current)

    # -- /latest -------------------------------------------------------------

    @searchable
    @app_commands.command(name=_("latest"), description=_("Show the newest episodes"))
    @app_commands.describe(count=_("How many episodes (1-10)"))
    @app_commands.rename(count=_("count"))
    async def latest(
        self, interaction: discord.Interaction, count: app_commands.Range[int, 1, 10] = 5
    ) -> None:
        started = time.perf_counter()
        lang = language_for(interaction.locale)
        episodes = self.bot.catalog.latest(count)
        view = None
        if len(episodes) == 1:
            view = discord.ui.View(timeout=None)
            for button in link_buttons(episodes[0], lang):
                view.add_item(button)
        reply = Reply(embeds=(latest_embed(episodes, lang),), view=view, hits=len(episodes))
        await self.send(interaction, reply)
        log_interaction("latest", interaction, started, hits=len(episodes))

    # -- /links --------------------------------------------------------------

    @searchable
    @app_commands.command(
        name=_("links"), description=_("List every link of an episode's show notes")
    )
    @app_commands.describe(episode=_("Episode number or title"))
    @app_commands.rename(episode=_("episode"))
    async def links(self, interaction: discord.Interaction, episode: str) -> None:
        started = time.perf_counter()
        lang = language_for(interaction.locale)
        text = episode[: self.bot.settings.max_query_chars]
        if await self.refuse_busy(interaction, text, "links", started):
            return
        found = find_episode(self.bot.catalog, text)
        if found is None:
            reply = missing_episode_reply(self.bot.catalog, episode, lang)
        else:
            reply = links_reply(found, lang, interaction.user.id)
        await self.send(interaction, reply)
        log_interaction("links", interaction, started, hits=len(found.references) if found else 0)

    @links.autocomplete("episode")
    async def links_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return episode_choices(self.bot, current)

    # -- /random -------------------------------------------------------------

    @searchable
    @app_commands.command(
        name=_("random"), description=_("A random episode, optionally about a topic")
    )
    @app_commands.describe(topic=_("Only episodes about this topic (optional)"))
    @app_commands.rename(topic=_("topic"))
    async def random(self, interaction: discord.Interaction, topic: str | None = None) -> None:
        started = time.perf_counter()
        lang = language_for(interaction.locale)
        text = (topic or "")[: self.bot.settings.max_query_chars]
        if text.strip() and await self.refuse_busy(interaction, text, "random", started):
            return
        reply = random_reply(self.bot.catalog, text, lang, interaction.user.id)
        await self.send(interaction, reply)
        log_interaction("random", interaction, started, hits=reply.hits)

    # -- /episodes -----------------------------------------------------------

    @searchable
    @app_commands.command(name=_("episodes"), description=_("Browse every episode, page by page"))
    @app_commands.describe(year=_("Only the episodes of this year (optional)"))
    @app_commands.rename(year=_("year"))
    async def episodes(
        self,
        interaction: discord.Interaction,
        year: app_commands.Range[int, 2000, 2100] | None = None,
    ) -> None:
        started = time.perf_counter()
        lang = language_for(interaction.locale)
        reply = archive_reply(self.bot.catalog, year, 0, lang, interaction.user.id)
        await self.send(interaction, reply)
        log_interaction("episodes", interaction, started, hits=reply.hits)


def episode_choices(bot: PodcastBot, current: str) -> list[app_commands.Choice[str]]:
    """Episodes by number prefix ("2" -> #2, then #20...) or by title words, as the
    search's autocomplete ranks them; the newest when nothing is typed."""
    typed = " ".join((current or "").split())[:100]
    try:
        episodes = [h.episode for h in bot.catalog.complete(typed, limit=CHOICES_MAX)]
    except Exception:
        log.exception("autocomplete failed", extra={"command": "episode"})
        episodes = []
    return add_episode_choices([], episodes)


async def setup(bot: PodcastBot) -> None:
    await bot.add_cog(EpisodesCog(bot))
