"""Owner-only maintenance: ``/admin sync`` publishes the commands (as ``python -m bot
sync`` does, see ``bot.publish``), ``/admin reload`` re-reads the show notes.

The commands are hidden from non-administrators by default permissions, but that is
only a client-side hint a server admin can change: every call is checked here against
``bot.is_owner`` (``OWNER_IDS``, else the application's owner or team).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.app import log_interaction
from bot.i18n import language_for, t
from bot.publish import publish_commands

if TYPE_CHECKING:
    from bot.app import PodcastBot

log = logging.getLogger(__name__)


class AdminCog(commands.Cog):
    admin = app_commands.Group(
        name=_("admin"),
        description=_("Owner-only maintenance commands"),
        allowed_contexts=app_commands.AppCommandContext(guild=True),  # server-only
        allowed_installs=app_commands.AppInstallationType(guild=True),
        default_permissions=discord.Permissions(administrator=True),
    )

    def __init__(self, bot: PodcastBot):
        self.bot = bot

    async def refuse_non_owner(self, interaction: discord.Interaction, command: str) -> bool:
        """True (after answering) when the user is not an owner."""
        if await self.bot.is_owner(interaction.user):
            return False
        lang = language_for(interaction.locale)
        await interaction.response.send_message(t("not_owner", lang), ephemeral=True)
        log.warning(
            "owner command refused",
            extra={"command": command, "guild": interaction.guild_id},
        )
        return True

    @admin.command(name=_("sync"), description=_("Publish the slash commands to Discord"))
    @app_commands.describe(scope=_("Where to publish the commands"))
    @app_commands.rename(scope=_("scope"))
    @app_commands.choices(
        scope=[
            app_commands.Choice(name=_("global"), value="global"),
            app_commands.Choice(name=_("this server"), value="guild"),
        ]
    )
    async def sync(self, interaction: discord.Interaction, scope: str = "global") -> None:
        started = time.perf_counter()
        if await self.refuse_non_owner(interaction, "admin sync"):
            return
        lang = language_for(interaction.locale)
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild_id = interaction.guild_id or self.bot.settings.dev_guild_id
        count, where = await publish_commands(self.bot, guild_id if scope == "guild" else None)
        await interaction.followup.send(t("synced", lang, count=count, scope=where), ephemeral=True)
        log_interaction("admin sync", interaction, started, hits=count)

    @admin.command(name=_("reload"), description=_("Re-read the show notes from disk"))
    async def reload(self, interaction: discord.Interaction) -> None:
        started = time.perf_counter()
        if await self.refuse_non_owner(interaction, "admin reload"):
            return
        lang = language_for(interaction.locale)
        await interaction.response.defer(ephemeral=True, thinking=True)
        change = await self.bot.reload_catalog()
        text = t(
            "reloaded",
            lang,
            episodes=len(self.bot.catalog.all_episodes),
            added=len(change.added),
            changed=len(change.changed),
            removed=len(change.removed),
            warnings=len(self.bot.catalog.warnings),
        )
        await interaction.followup.send(text, ephemeral=True)
        log_interaction(
            "admin reload", interaction, started, hits=len(self.bot.catalog.all_episodes)
        )


async def setup(bot: PodcastBot) -> None:
    await bot.add_cog(AdminCog(bot))
