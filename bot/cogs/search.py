"""/search and answers to mentions and DMs: thin adapters over ``search_reply``.

Mentions work without the privileged message-content intent: Discord sends the
content of messages that mention the bot and of DMs. A mention only counts when
it is written in the message (``<@bot>``); a reply that merely pings the bot does
not start a search.

A user over the search cooldown gets a private notice for each slash command, but
only one public "please wait" reply to mentions per wait; further mentions during
that wait are ignored. A click on a menu of a view that no longer exists (it timed
out, or the bot restarted) is answered with a private "this menu has expired".
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.app import log_command
from bot.i18n import Lang, language_for, t
from bot.ui.embeds import choice_name
from bot.ui.replies import (
    Reply,
    add_episode_choices,
    is_expired_menu,
    remember_message,
    search_reply,
)
from bot.ui.text import CHOICES_MAX

if TYPE_CHECKING:
    from bot.app import PodcastBot

log = logging.getLogger(__name__)

CANNOT_REPLY_WITHOUT_HISTORY = 160002  # the bot may not read the channel's history


def strip_mention(content: str, bot_id: int) -> tuple[str, bool]:
    """The message without the bot's mention(s), and whether the bot was mentioned."""
    pattern = re.compile(rf"<@!?{bot_id}>")
    stripped, count = pattern.subn(" ", content)
    return " ".join(stripped.split()), count > 0


class SearchCog(commands.Cog):
    def __init__(self, bot: PodcastBot):
        self.bot = bot
        self.cooldown = bot.search_cooldown

    # -- shared --------------------------------------------------------------

    def answer(self, query: str, lang: Lang, owner_id: int | None) -> Reply:
        name = self.bot.user.name if self.bot.user else "bot"
        return search_reply(
            self.bot.catalog,
            query,
            lang,
            max_chars=self.bot.settings.max_query_chars,
            owner_id=owner_id,
            bot_name=name,
        )

    def cooldown_text(self, user_id: int, lang: Lang) -> str | None:
        """None when the user may search now (the search is counted), else the notice."""
        wait = self.cooldown.retry_after(user_id)
        if wait <= 0:
            return None
        return t("cooldown", lang, seconds=max(1, round(wait)))

    # -- /search -------------------------------------------------------------

    @app_commands.command(
        name=_("search"), description=_("Find the episode that talked about a topic")
    )
    @app_commands.describe(query=_("Topic, product or words to look for (Japanese or English)"))
    @app_commands.rename(query=_("query"))
    async def search(self, interaction: discord.Interaction, query: str) -> None:
        started = time.perf_counter()
        lang = language_for(interaction.locale)
        busy = self.cooldown_text(interaction.user.id, lang)
        if busy:
            await interaction.response.send_message(busy, ephemeral=True)
            log_command(
                "search",
                user_id=interaction.user.id,
                guild_id=interaction.guild_id,
                started=started,
                outcome="cooldown",
            )
            return
        reply = self.answer(query, lang, interaction.user.id)
        callback = await interaction.response.send_message(**reply.response_kwargs())
        remember_message(reply, callback.resource, self.bot)
        log_command(
            "search",
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            started=started,
            hits=reply.hits,
        )

    @search.autocomplete("query")
    async def search_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return query_choices(self.bot, current)

    # -- mentions and DMs ----------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or message.author.id == me.id:
            return
        query, mentioned = strip_mention(message.content or "", me.id)
        if not mentioned and message.guild is not None:
            return
        started = time.perf_counter()
        lang = language_for(None)
        guild_id = message.guild.id if message.guild else None
        try:
            wait = self.cooldown.retry_after(message.author.id)
            if wait > 0:
                # One public notice per wait; more mentions meanwhile are ignored.
                warn = self.cooldown.first_warning(message.author.id, wait)
                if warn:
                    text = t("cooldown", lang, seconds=max(1, round(wait)))
                    await reply_to(message, content=text)
                log_command(
                    "mention",
                    user_id=message.author.id,
                    guild_id=guild_id,
                    started=started,
                    outcome="cooldown" if warn else "cooldown_silent",
                )
                return
            reply = self.answer(query, lang, message.author.id)
            sent = await reply_to(message, **reply.message_kwargs())
            remember_message(reply, sent, self.bot)
            log_command(
                "mention",
                user_id=message.author.id,
                guild_id=guild_id,
                started=started,
                hits=reply.hits,
            )
        except discord.Forbidden as exc:
            # The bot may read here but not answer: expected, not a bug. No traceback.
            log.warning(
                "cannot answer a mention in channel %s: %s",
                message.channel.id,
                exc.text or exc.status,
                extra={"command": "mention", "guild": guild_id, "code": exc.code},
            )
        except Exception as exc:
            log.exception(
                "mention answer failed",
                extra={"command": "mention", "guild": guild_id, "error": type(exc).__name__},
            )
            try:
                await reply_to(message, content=t("error", lang))
            except discord.HTTPException:
                log.warning("could not send the error reply", exc_info=True)

    # -- menus of views that are gone ----------------------------------------

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is not discord.InteractionType.component:
            return
        data: Any = interaction.data or {}
        if not is_expired_menu(str(data.get("custom_id") or ""), self.bot):
            return
        try:
            await interaction.response.send_message(
                t("expired", language_for(interaction.locale)), ephemeral=True
            )
        except (discord.InteractionResponded, discord.HTTPException):
            log.debug("could not answer a click on an expired menu", exc_info=True)


async def reply_to(message: discord.Message, **kwargs: Any) -> discord.Message:
    """Reply without pinging; a plain message when replies are not allowed there."""
    kwargs.setdefault("allowed_mentions", discord.AllowedMentions.none())
    reference = message.to_reference(fail_if_not_exists=False)
    try:
        return await message.channel.send(reference=reference, mention_author=False, **kwargs)
    except discord.HTTPException as exc:
        if exc.code != CANNOT_REPLY_WITHOUT_HISTORY:
            raise
        return await message.channel.send(**kwargs)


def query_choices(bot: PodcastBot, current: str) -> list[app_commands.Choice[str]]:
    """What the user typed first, then matching episodes (picking one shows it)."""
    typed = " ".join((current or "").split())[: bot.settings.max_query_chars]
    choices: list[app_commands.Choice[str]] = []
    if typed:
        choices.append(app_commands.Choice(name=choice_name(typed), value=typed[:100]))
    try:
        hits = bot.catalog.complete(typed, limit=CHOICES_MAX)
        episodes = [h.episode for h in hits] if typed else bot.catalog.latest(CHOICES_MAX)
    except Exception:
        log.exception("autocomplete failed", extra={"command": "search"})
        episodes = []
    return add_episode_choices(choices, episodes)


async def setup(bot: PodcastBot) -> None:
    await bot.add_cog(SearchCog(bot))
