"""The Discord bot: ``create_bot(settings)`` builds it, with no network and no token.

``PodcastBot`` is a ``commands.Bot`` holding ``.settings`` and ``.catalog`` (the live
episode set every front end searches). ``setup_hook`` reads the content folder off the
event loop, installs the ja/en command translator and loads ``EXTENSIONS``. The
command tree is never synced on start: tests sync explicitly and production syncs
with the owner-only ``/admin sync`` command.

Catalog changes: ``bot.sync`` (``bot.library.sync.CatalogSync``) is the one thing
that changes the catalog while the bot runs (the first load, the content watcher, git
pulls, the owner's ``/admin reload``), under its own lock; the loops that drive it are
in ``bot.cogs.library``. Every change that is not empty is dispatched as the custom
event ``catalog_changed``; listen with
``@commands.Cog.listener() async def on_catalog_changed(self, change: CatalogChange)``.
"""

from __future__ import annotations

import logging
import time
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.config import Settings
from bot.cooldown import Cooldown
from bot.i18n import Lang, command_text, language_for, t
from bot.library.catalog import Catalog, CatalogChange
from bot.library.gitsource import GitSource
from bot.library.sync import CatalogSync
from bot.logs import user_ref
from bot.notify.guilds import GuildLanguages
from bot.ui.components import DYNAMIC_ITEMS
from bot.ui.replies import answer_error

log = logging.getLogger(__name__)

T = TypeVar("T")

EXTENSIONS = (
    "bot.cogs.library",
    "bot.cogs.search",
    "bot.cogs.episodes",
    "bot.cogs.admin",
    "bot.cogs.settings",
    "bot.cogs.notify",
    "bot.cogs.health",
)


def hash_user(user_id: int | None) -> str:
    """A short keyed pseudonym for a user id, for logs (see ``bot.logs.user_ref``)."""
    return "-" if user_id is None else user_ref(user_id)


def log_command(
    command: str,
    *,
    user_id: int | None,
    guild_id: int | None,
    started: float,
    hits: int | None = None,
    outcome: str = "ok",
) -> None:
    """One log line per command; never the message content, only a hashed user id."""
    log.info(
        "command",
        extra={
            "command": command,
            "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            "hits": hits,
            "user": hash_user(user_id),
            "guild": guild_id,
            "outcome": outcome,
        },
    )


def log_interaction(
    command: str,
    interaction: discord.Interaction,
    started: float,
    *,
    hits: int | None = None,
    outcome: str = "ok",
) -> None:
    """``log_command`` for a slash command or component: its user and server."""
    log_command(
        command,
        user_id=interaction.user.id,
        guild_id=interaction.guild_id,
        started=started,
        hits=hits,
        outcome=outcome,
    )


def cooldown_notice(wait: float, lang: Lang) -> str:
    """What a user over the search cooldown is told (``wait``: seconds left)."""
    return t("cooldown", lang, seconds=max(1, round(wait)))


async def refuse_busy(
    cooldown: Cooldown, interaction: discord.Interaction, command: str, started: float
) -> bool:
    """True, after a private notice and the command's log line, when the user is over
    the search cooldown (one budget for ``/search``, ``/episode``, ``/links``,
    ``/random`` and mentions); else False, and the search is counted."""
    wait = cooldown.retry_after(interaction.user.id)
    if wait <= 0:
        return False
    notice = cooldown_notice(wait, language_for(interaction.locale))
    await interaction.response.send_message(notice, ephemeral=True)
    log_interaction(command, interaction, started, outcome="cooldown")
    return True


def searchable(command: T) -> T:
    """Search and look-up commands: usable in servers, in DMs with the bot and, once a
    listener installs the app to their account, anywhere (``/notify``, ``/settings``
    and ``/admin`` stay server-only)."""
    command = app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)(command)
    return app_commands.allowed_installs(guilds=True, users=True)(command)


class CommandTranslator(app_commands.Translator):
    """Japanese command names and descriptions from ``bot.i18n``."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale is discord.Locale.japanese:
            return command_text(string.message, "ja")
        return None


class PodcastTree(app_commands.CommandTree):
    """Command tree whose errors are logged with context and answered politely."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        command = interaction.command.qualified_name if interaction.command else "?"
        original = getattr(error, "original", error)
        log.error(
            "command failed",
            exc_info=(type(original), original, original.__traceback__),
            extra={
                "command": command,
                "user": hash_user(interaction.user.id if interaction.user else None),
                "guild": interaction.guild_id,
                "error": type(original).__name__,
            },
        )
        await answer_error(interaction)


class PodcastBot(commands.Bot):
    """The podcast bot. See the module docstring for the ``catalog_changed`` event."""

    def __init__(self, settings: Settings, catalog: Catalog, **options: Any) -> None:
        intents = discord.Intents.default()
        intents.message_content = False  # privileged; mentions and DMs carry content anyway
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=PodcastTree,
            owner_ids=set(settings.owner_ids) or None,
            **options,
        )
        self.settings = settings
        self.catalog = catalog
        git = GitSource.from_settings(settings) if settings.content_git_url else None
        self.sync = CatalogSync(
            catalog,
            watch=settings.watch_content,
            poll_seconds=settings.watch_poll_seconds,
            git=git,
            on_change=self.notify_catalog_changed,
        )
        # One per-user budget shared by /search, mentions and the look-up commands.
        self.search_cooldown = Cooldown(
            settings.search_cooldown_rate, settings.search_cooldown_seconds
        )
        self.started_at: float | None = None
        # The per-server reply language (/settings language), in the state file.
        self.guild_languages = GuildLanguages(settings.state_file)

    async def setup_hook(self) -> None:
        self.started_at = time.monotonic()
        await self.tree.set_translator(CommandTranslator())
        self.add_dynamic_items(*DYNAMIC_ITEMS)  # buttons and menus survive restarts
        await self.load_catalog()
        for name in EXTENSIONS:
            await self.load_extension(name)

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: mentions and DMs are answered by the search cog."""
        return None

    # -- catalog -------------------------------------------------------------

    async def load_catalog(self) -> None:
        """Read the whole content folder off the event loop; a failure leaves it empty."""
        await self.sync.load()

    async def reload_catalog(self) -> CatalogChange:
        """Re-read the whole content folder and tell listeners what changed."""
        return await self.sync.reload()

    def notify_catalog_changed(self, change: CatalogChange) -> None:
        """Dispatch ``catalog_changed`` (``on_catalog_changed(change)``) when not empty."""
        if change:
            self.dispatch("catalog_changed", change)

    def server_language(self, guild_id: int | None) -> Lang:
        """The language of mention replies and announcements in a server: its
        ``/settings language``, else Japanese."""
        chosen = self.guild_languages.get(guild_id) if guild_id is not None else None
        return language_for(chosen) if chosen else language_for(None)

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            self.guild_languages.close()

    async def is_owner(self, user: discord.abc.User, /) -> bool:
        """Owners are ``settings.owner_ids`` when set, else the application's owner(s)."""
        return await super().is_owner(user)


def create_bot(settings: Settings, *, catalog: Catalog | None = None) -> PodcastBot:
    """Build the bot. Nothing is read, fetched or started until ``setup_hook``."""
    return PodcastBot(settings, catalog or Catalog.from_settings(settings))
