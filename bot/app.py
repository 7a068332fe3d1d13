"""The Discord bot: ``create_bot(settings)`` builds it, with no network and no token.

``PodcastBot`` is a ``commands.Bot`` holding ``.settings`` and ``.catalog`` (the live
episode set every front end searches). ``setup_hook`` reads the content folder off the
event loop, installs the ja/en command translator and loads ``EXTENSIONS``. The
command tree is never synced on start: tests sync explicitly and production syncs
with the owner-only ``/admin sync`` command.

Catalog changes: whoever changes the catalog (the owner's ``/admin reload``, a
content watcher) calls ``bot.notify_catalog_changed(change)``, which dispatches the
custom event ``catalog_changed``; listen with
``@commands.Cog.listener() async def on_catalog_changed(self, change: CatalogChange)``.
It is dispatched only when the change is not empty.

``bot.catalog_lock`` (an ``asyncio.Lock``) serialises every change to the catalog: a
whole-folder load runs in a thread, and a refresh made on the loop meanwhile would be
overwritten by its result. Hold it around ``catalog.load`` / ``catalog.refresh``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.config import Settings
from bot.i18n import command_text
from bot.library.catalog import Catalog, CatalogChange
from bot.logs import user_ref
from bot.models import Episode
from bot.ui.replies import answer_error

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.cogs.search",
    "bot.cogs.episodes",
    "bot.cogs.admin",
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
        self.catalog_lock = asyncio.Lock()
        self.started_at: float | None = None

    async def setup_hook(self) -> None:
        self.started_at = time.monotonic()
        await self.tree.set_translator(CommandTranslator())
        await self.load_catalog()
        for name in EXTENSIONS:
            await self.load_extension(name)

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: mentions and DMs are answered by the search cog."""
        return None

    # -- catalog -------------------------------------------------------------

    async def load_catalog(self) -> None:
        """Read the whole content folder off the event loop; a failure leaves it empty."""
        started = time.perf_counter()
        try:
            # ``python -m bot run`` loads it before the event loop starts, while this is
            # the only thread (the loader may fork worker processes then).
            async with self.catalog_lock:
                result = self.catalog.last_load
                if result is None:
                    result = await asyncio.to_thread(self.catalog.load)
        except Exception:
            log.exception("could not read the content folder %s", self.settings.content_dir)
            return
        for warning in result.warnings:
            log.warning("skipped or partly read note: %s", warning)
        log.info(
            "catalog loaded",
            extra={
                "episodes": len(result.episodes),
                "warnings": len(result.warnings),
                "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )

    async def reload_catalog(self) -> CatalogChange:
        """Re-read the whole content folder and tell listeners what changed."""
        async with self.catalog_lock:
            before = {e.path: e for e in self.catalog.all_episodes}
            result = await asyncio.to_thread(self.catalog.load)
        change = diff_episodes(before, {e.path: e for e in result.episodes}, result.warnings)
        self.notify_catalog_changed(change)
        return change

    def notify_catalog_changed(self, change: CatalogChange) -> None:
        """Dispatch ``catalog_changed`` (``on_catalog_changed(change)``) when not empty."""
        if change:
            self.dispatch("catalog_changed", change)

    async def is_owner(self, user: discord.abc.User, /) -> bool:
        """Owners are ``settings.owner_ids`` when set, else the application's owner(s)."""
        return await super().is_owner(user)


def diff_episodes(
    before: dict[str, Episode], after: dict[str, Episode], warnings: tuple = ()
) -> CatalogChange:
    added = tuple(after[p] for p in sorted(after.keys() - before.keys()))
    removed = tuple(sorted(before.keys() - after.keys()))
    changed = tuple(after[p] for p in sorted(after.keys() & before.keys()) if after[p] != before[p])
    return CatalogChange(added=added, changed=changed, removed=removed, warnings=tuple(warnings))


def create_bot(settings: Settings, *, catalog: Catalog | None = None) -> PodcastBot:
    """Build the bot. Nothing is read, fetched or started until ``setup_hook``."""
    return PodcastBot(settings, catalog or Catalog.from_settings(settings))
