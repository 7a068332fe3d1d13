"""``/settings language``: the language of mention replies and announcements in a server.

Manage Server, checked here on every call (default permissions are only a hint to
the client). Stored per server in the state file (``bot.notify.guilds``); slash replies
keep following each user's Discord locale.
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
from bot.i18n import Lang, language_for, t

if TYPE_CHECKING:
    from bot.app import PodcastBot

log = logging.getLogger(__name__)

SERVER_ONLY = app_commands.AppCommandContext(guild=True)
SERVER_INSTALL = app_commands.AppInstallationType(guild=True)


class SettingsCog(commands.Cog, name="Settings"):
    settings = app_commands.Group(
        name=_("settings"),
        description=_("Server settings of the bot"),
        allowed_contexts=SERVER_ONLY,
        allowed_installs=SERVER_INSTALL,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: PodcastBot):
        self.bot = bot

    @settings.command(
        name=_("language"), description=_("Language for mention replies and announcements here")
    )
    @app_commands.describe(language=_("Language for mention replies and announcements here"))
    @app_commands.rename(language=_("language"))
    @app_commands.choices(
        language=[
            app_commands.Choice(name=_("Japanese"), value="ja"),
            app_commands.Choice(name=_("English"), value="en"),
            app_commands.Choice(name=_("Automatic"), value="auto"),
        ]
    )
    async def language(
        self, interaction: discord.Interaction, language: app_commands.Choice[str]
    ) -> None:
        started = time.perf_counter()
        lang = language_for(interaction.locale)
        perms = interaction.permissions
        if interaction.guild_id is None or interaction.guild is None:
            await interaction.response.send_message(t("server_only", lang), ephemeral=True)
            return
        if not (perms.manage_guild or perms.administrator):
            await interaction.response.send_message(t("need_manage_guild", lang), ephemeral=True)
            log.warning("settings language refused", extra={"command": "settings language"})
            return
        chosen: Lang | None = None if language.value == "auto" else language_for(language.value)
        self.bot.guild_languages.set(interaction.guild_id, chosen)
        text = t("language_set", chosen) if chosen else t("language_auto", lang)
        await interaction.response.send_message(text, ephemeral=True)
        log_interaction("settings language", interaction, started)


async def setup(bot: PodcastBot) -> None:
    await bot.add_cog(SettingsCog(bot))
