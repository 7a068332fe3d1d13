"""/search, /help and answers to mentions and DMs: thin adapters over ``search_reply``.

Mentions work without the privileged message-content intent: Discord sends the
content of messages that mention the bot and of DMs. A mention only counts when
it is written in the message (``<@bot>``); a reply that merely pings the bot does
not start a search.

A user over the search cooldown gets a private notice for each slash command, but
only one public "please wait" reply to mentions per wait; further mentions during
that wait are ignored. Buttons and menus are persistent (``bot.ui.components``); only
a menu sent by a version of the bot before that gets a private "this menu has expired".

A mention is cleaned before it is searched (``bot.library.mentions``): other mentions,
@everyone/@here, custom emoji and a leading command word go; "help", "ヘルプ", "使い方"
or nothing at all get the help. Replies to mentions use the server's language
(``/settings language``), Japanese by default; slash replies use the user's locale.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.app import cooldown_notice, log_command, log_interaction, refuse_busy, searchable
from bot.i18n import Lang, language_for, language_of_text, t
from bot.library.mentions import clean_message
from bot.ui.components import is_legacy_menu
from bot.ui.embeds import choice_name
from bot.ui.replies import Reply, add_episode_choices, help_reply, search_reply
from bot.ui.text import CHOICES_MAX

if TYPE_CHECKING:
    from bot.app import PodcastBot

log = logging.getLogger(__name__)

CANNOT_REPLY_WITHOUT_HISTORY = 160002  # the bot may not read the channel's history


def name_resolver(message: discord.Message) -> Any:
    """Names for the ids of the mentions in ``message`` (from the message, then the cache)."""
    users = {u.id: u.display_name for u in message.mentions}
    roles = {r.id: r.name for r in message.role_mentions}

    def name_of(kind: str, ident: int) -> str | None:
        if kind == "user":
            return users.get(ident)
        if kind == "role":
            if ident in roles:
                return roles[ident]
            role = message.guild.get_role(ident) if message.guild else None
            return role.name if role else None
        channel = message.guild.get_channel(ident) if message.guild else None
        return channel.name if channel else None

    return name_of


class SearchCog(commands.Cog):
    def __init__(self, bot: PodcastBot):
        self.bot = bot
        self.cooldown = bot.search_cooldown

    # -- shared --------------------------------------------------------------

    @property
    def bot_name(self) -> str:
        return self.bot.user.name if self.bot.user else "bot"

    def answer(
        self, query: str, lang: Lang, owner_id: int | None, shown: str | None = None
    ) -> Reply:
        return search_reply(
            self.bot.catalog,
            query,
            lang,
            max_chars=self.bot.settings.max_query_chars,
            owner_id=owner_id,
            bot_name=self.bot_name,
            shown=shown,
        )

    # -- /search -------------------------------------------------------------

    @searchable
    @app_commands.command(
        name=_("search"), description=_("Find the episode that talked about a topic")
    )
    @app_commands.describe(query=_("Topic, product or words to look for (Japanese or English)"))
    @app_commands.rename(query=_("query"))
    async def search(self, interaction: discord.Interaction, query: str) -> None:
        started = time.perf_counter()
        lang = language_for(interaction.locale)
        if await refuse_busy(self.cooldown, interaction, "search", started):
            return
        reply = self.answer(query, lang, interaction.user.id)
        await interaction.response.send_message(**reply.response_kwargs())
        log_interaction("search", interaction, started, hits=reply.hits)

    # -- /help ---------------------------------------------------------------

    @searchable
    @app_commands.command(name=_("help"), description=_("What the bot does and how to ask it"))
    async def help(self, interaction: discord.Interaction) -> None:
        started = time.perf_counter()
        reply = help_reply(language_for(interaction.locale), self.bot_name)
        await interaction.response.send_message(**reply.message_kwargs(), ephemeral=True)
        log_interaction("help", interaction, started)

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
        cleaned = clean_message(message.content or "", me.id, name_resolver(message))
        if not cleaned.mentioned and message.guild is not None:
            return
        started = time.perf_counter()
        guild_id = message.guild.id if message.guild else None
        # A message has no locale: a server's /settings language, or in a DM the
        # language the question is written in.
        if guild_id is not None:
            lang = self.bot.server_language(guild_id)
        else:
            lang = language_of_text(cleaned.query)
        try:
            wait = self.cooldown.retry_after(message.author.id)
            if wait > 0:
                # One public notice per wait; more mentions meanwhile are ignored.
                warn = self.cooldown.first_warning(message.author.id, wait)
                if warn:
                    await reply_to(message, content=cooldown_notice(wait, lang))
                log_command(
                    "mention",
                    user_id=message.author.id,
                    guild_id=guild_id,
                    started=started,
                    outcome="cooldown" if warn else "cooldown_silent",
                )
                return
            reply = self.answer(cleaned.query, lang, message.author.id, shown=cleaned.shown)
            await reply_to(message, **reply.message_kwargs())
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
        if not is_legacy_menu(str(data.get("custom_id") or "")):
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
