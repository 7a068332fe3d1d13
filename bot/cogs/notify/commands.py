"""The ``/notify`` group and its subscription commands: ``set``, ``off``, ``status``,
``alerts`` (Manage Server, checked on every call). Each turns what the user chose into
one call of the state store.

A mixin of ``NotifyCog`` (``cog``), which owns the state file, the loops and the
announcer; kept apart so the loops and the commands each read in one file. The
commands that preview an announcement (``template``, ``test``, ``resend``) are in
``previews``.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.app import log_interaction
from bot.cogs.notify.status import sources_text, status_embed
from bot.i18n import Lang, language_for, t
from bot.notify.health import DEFAULT_AFTER
from bot.notify.store import Kind, Subscription

if TYPE_CHECKING:
    from bot.app import PodcastBot
    from bot.cogs.notify.announcer import Announcer
    from bot.library.catalog import Catalog
    from bot.library.sync import CatalogSync
    from bot.notify.contract import StateStore
    from bot.notify.health import HealthBook
    from bot.notify.live import LiveBook
    from bot.notify.sources import Source
    from bot.notify.worker import StoreWorker

log = logging.getLogger(__name__)

REQUIRED = ("view_channel", "send_messages", "embed_links")
THREAD_REQUIRED = ("create_public_threads", "send_messages_in_threads")
CHOICES_MAX = 25
Destination = discord.TextChannel | discord.ForumChannel


def kind_of(channel: Destination) -> Kind:
    if isinstance(channel, discord.ForumChannel):
        return "forum"
    return "news" if channel.is_news() else "text"


class NotifyCommands(commands.Cog):
    """The commands; ``NotifyCog`` provides what they use."""

    bot: PodcastBot
    catalog: Catalog
    sync: CatalogSync
    sources: list[Source]
    store: StateStore | None
    db: StoreWorker
    announcer: Announcer | None
    health: HealthBook
    live: LiveBook

    def now(self) -> datetime:
        raise NotImplementedError  # NotifyCog: the catalog's clock

    notify = app_commands.Group(
        name=_("notify"),
        description=_("Announce new episodes in this server"),
        allowed_contexts=app_commands.AppCommandContext(guild=True),  # server-only
        allowed_installs=app_commands.AppInstallationType(guild=True),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    async def refuse(self, interaction: discord.Interaction, command: str) -> bool:
        """Manage Server, checked here: default permissions are only a client-side hint."""
        perms = interaction.permissions
        if interaction.guild_id is not None and (perms.manage_guild or perms.administrator):
            return False
        lang = language_for(interaction.locale)
        await interaction.response.send_message(t("need_manage_guild", lang), ephemeral=True)
        log.warning("notify command refused", extra={"command": command})
        return True

    async def unwritable(self, interaction: discord.Interaction, exc: Exception) -> None:
        lang = language_for(interaction.locale)
        text = t("state_unwritable", lang, error=str(exc))
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)

    async def chosen(
        self, interaction: discord.Interaction, channel: Destination | None
    ) -> Subscription | None:
        """The subscription of ``channel``, or the server's first; answers when none."""
        assert self.store is not None and interaction.guild_id is not None
        lang = language_for(interaction.locale)
        if channel is not None:
            sub = await self.db.run(self.store.subscription_for, channel.id)
            if sub is not None and sub.guild_id != interaction.guild_id:
                sub = None
        else:
            sub = await self.db.run(self.store.subscription, interaction.guild_id)
        if sub is None:
            where = channel.mention if channel is not None else ""
            text = t("not_subscribed", lang, channel=where) if where else t("status_off", lang)
            await interaction.response.send_message(text, ephemeral=True)
        return sub

    # -- /notify set ---------------------------------------------------------

    @notify.command(name=_("set"), description=_("Announce new episodes in a channel"))
    @app_commands.describe(
        channel=_("Channel for the announcements"),
        role=_("Role to mention (optional)"),
        thread=_("Start a discussion thread under each announcement (text channels)"),
        tag=_("Tag for each forum post (forum channels)"),
    )
    @app_commands.rename(channel=_("channel"), role=_("role"), thread=_("thread"), tag=_("tag"))
    async def set_channel(
        self,
        interaction: discord.Interaction,
        channel: Destination,
        role: discord.Role | None = None,
        thread: bool | None = None,
        tag: str | None = None,
    ) -> None:
        started = time.perf_counter()
        if await self.refuse(interaction, "notify set"):
            return
        assert self.store is not None and interaction.guild is not None
        lang = language_for(interaction.locale)
        kind = kind_of(channel)
        problem, tag_id = self.check_channel(interaction.guild, channel, role, lang, thread, tag)
        if problem is not None:
            await interaction.response.send_message(
                problem, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
            return
        try:
            await self.db.run(
                self.store.subscribe,
                interaction.guild.id,
                channel.id,
                role.id if role else None,
                self.now(),
                lang,
                kind=kind,
                thread=bool(thread) and kind == "text",
                forum_tag_id=tag_id,
            )
        except sqlite3.Error as exc:
            await self.unwritable(interaction, exc)
            return
        lines = [t(f"set_done_{kind}", lang, channel=channel.mention)]
        if thread and kind == "text":
            lines.append(t("set_thread", lang))
        me = interaction.guild.me
        if (
            me is not None
            and kind != "forum"
            and not channel.permissions_for(me).read_message_history
        ):
            lines.append(t("no_history", lang))
        if role is not None:
            lines.append(t("set_role", lang, role=role.mention))
            if not role.mentionable and not (me and me.guild_permissions.mention_everyone):
                lines.append(t("role_not_pingable", lang, role=role.mention))
        if me is not None and not me.guild_permissions.manage_events:
            lines.append(t("no_manage_events", lang))
        await interaction.response.send_message(
            "\n".join(lines), ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )
        log_interaction("notify set", interaction, started)

    def check_channel(
        self,
        guild: discord.Guild,
        channel: Destination,
        role: discord.Role | None,
        lang: Lang,
        thread: bool | None = None,
        tag: str | None = None,
    ) -> tuple[str | None, int | None]:
        """What stops the bot from posting there, as the user's message; and the tag's id."""
        if role is not None and role.is_default():
            return t("role_everyone", lang), None
        kind = kind_of(channel)
        if thread and kind != "text":
            return t("thread_text_only", lang), None
        tag_id: int | None = None
        if tag:
            if not isinstance(channel, discord.ForumChannel):
                return t("tag_forum_only", lang), None
            wanted = tag.strip().casefold()
            found = next((x for x in channel.available_tags if x.name.casefold() == wanted), None)
            if found is None:
                names = ", ".join(x.name for x in channel.available_tags) or t("none", lang)
                return t("tag_unknown", lang, tag=tag, tags=names), None
            tag_id = found.id
        me = guild.me
        if me is None:
            return None, tag_id
        perms = channel.permissions_for(me)
        required = REQUIRED + (THREAD_REQUIRED if thread and kind == "text" else ())
        missing = [name for name in required if not getattr(perms, name)]
        if missing:
            text = "bot_cannot_publish" if kind == "news" else "bot_cannot_post"
            names = ", ".join(t(f"perm_{name}", lang) for name in missing)
            return t(text, lang, channel=channel.mention, missing=names), None
        return None, tag_id

    @set_channel.autocomplete("tag")
    async def tag_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        channel = getattr(interaction.namespace, "channel", None)
        forum = self.bot.get_channel(channel.id) if channel is not None else None
        if not isinstance(forum, discord.ForumChannel):
            return []
        typed = current.casefold()
        names = [x.name for x in forum.available_tags if typed in x.name.casefold()]
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names[:CHOICES_MAX]]

    # -- /notify off ---------------------------------------------------------

    @notify.command(name=_("off"), description=_("Stop announcing new episodes here"))
    @app_commands.describe(channel=_("Only this channel (default: every channel)"))
    @app_commands.rename(channel=_("channel"))
    async def off(
        self, interaction: discord.Interaction, channel: Destination | None = None
    ) -> None:
        started = time.perf_counter()
        if await self.refuse(interaction, "notify off"):
            return
        assert self.store is not None and interaction.guild_id is not None
        lang = language_for(interaction.locale)
        try:
            removed = await self.db.run(
                self.store.unsubscribe, interaction.guild_id, channel.id if channel else None
            )
        except sqlite3.Error as exc:
            await self.unwritable(interaction, exc)
            return
        if not removed:
            text = t("off_none", lang)
        elif channel is not None:
            text = t("off_channel", lang, channel=channel.mention)
        else:
            text = t("off_done", lang)
        await interaction.response.send_message(text, ephemeral=True)
        log_interaction("notify off", interaction, started)

    # -- /notify status ------------------------------------------------------

    @notify.command(
        name=_("status"), description=_("Show where and how new episodes are announced")
    )
    async def status(self, interaction: discord.Interaction) -> None:
        started = time.perf_counter()
        if await self.refuse(interaction, "notify status"):
            return
        assert self.store is not None and interaction.guild_id is not None
        lang = language_for(interaction.locale)
        store = self.store
        subs = await self.db.run(store.subscriptions_of, interaction.guild_id)
        sources = await self.db.run(
            sources_text, store, self.health, lang, self.sync.watcher, self.sources, self.sync.git
        )
        alerts = await self.db.run(self.health.alert_channel, interaction.guild_id)
        live = await self.db.run(self.live.of_guild, interaction.guild_id)
        embed = await self.db.run(status_embed, store, subs, lang, sources, alerts, live)
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )
        log_interaction("notify status", interaction, started)

    # -- /notify alerts ------------------------------------------------------

    @notify.command(
        name=_("alerts"), description=_("Tell an admin channel when a source of episodes fails")
    )
    @app_commands.describe(
        channel=_("Admin channel for the notices (leave out to turn them off)"),
        after=_("Minutes a source must have failed before a notice (default 30)"),
    )
    @app_commands.rename(channel=_("channel"), after=_("after"))
    async def alerts(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | None = None,
        after: app_commands.Range[int, 1, 1440] | None = None,
    ) -> None:
        started = time.perf_counter()
        if await self.refuse(interaction, "notify alerts"):
            return
        assert self.store is not None and interaction.guild is not None
        lang = language_for(interaction.locale)
        if channel is not None:
            problem, _tag = self.check_channel(interaction.guild, channel, None, lang)
            if problem is not None:
                await interaction.response.send_message(problem, ephemeral=True)
                return
        wait = timedelta(minutes=after) if after else DEFAULT_AFTER
        try:
            await self.db.run(
                self.health.set_alerts,
                interaction.guild.id,
                channel.id if channel else None,
                wait,
                self.now(),
            )
        except sqlite3.Error as exc:
            await self.unwritable(interaction, exc)
            return
        if channel is None:
            text = t("alerts_off", lang)
        else:
            minutes = int(wait.total_seconds() // 60)
            text = t("alerts_set", lang, channel=channel.mention, minutes=minutes)
        await interaction.response.send_message(text, ephemeral=True)
        log_interaction("notify alerts", interaction, started)
