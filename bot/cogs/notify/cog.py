"""``/notify`` commands and the background loops that find and announce new episodes.

Loops (``discord.ext.tasks``, so they stop with the bot and tests drive them with
virtual time):

- ``tick``: the first run starts up (once the content is there: a git source's first
  clone; then the first feed fetch and the catch-up scan); every later run takes the
  watcher's pending changes (``bot.sync.apply_watched``, so a note saved just now is
  seen in this very round), queues what became published (new notes, future-dated
  notes now due) and sends what is due (new announcements and retries). A start-up
  that fails is tried again after 30 s, 60 s, ... up to 10 min.
- ``feed_loop`` (FEED_URL): conditional GET, scan with the items, send.
- ``on_catalog_changed``: any other change to the catalog (a git pull, a reload) is
  scanned and sent at once.

The catalog itself is kept fresh by ``bot.sync`` and the loops in ``bot.cogs.library``.

State lives in ``bot.store.Store``; what is new is decided by ``bot.notify.Notifier``;
sending is ``Announcer``'s job. The store is closed and the loops cancelled in
``cog_unload`` (``Bot.close()`` unloads every extension); a send cut short stays
pending and is retried, with the same nonce, after the next start.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands, tasks

from bot.app import log_command
from bot.cogs.notify.announcer import Announcer, backoff
from bot.cogs.notify.status import sources_text, status_embed
from bot.i18n import Lang, language_for, t
from bot.library.catalog import CatalogChange
from bot.library.sync import CatalogSync
from bot.notify import Notifier, from_episode
from bot.notify.feed import FeedItem, fetch_feed
from bot.notify.store import Store
from bot.notify.worker import StoreWorker

if TYPE_CHECKING:
    from bot.app import PodcastBot

log = logging.getLogger(__name__)

TICK_WATCHING = 2.0  # seconds: watcher flag, due notes and retries while watching
TICK_IDLE = 30.0  # seconds: due notes and retries when the folder is not watched
FEED_TIMEOUT = 30.0
START_RETRY_MAX = 600.0  # seconds: the longest wait between two start-up attempts
REQUIRED = ("view_channel", "send_messages", "embed_links")


class NotifyCog(commands.Cog, name="Notify"):
    notify = app_commands.Group(
        name=_("notify"),
        description=_("Announce new episodes in this server"),
        allowed_contexts=app_commands.AppCommandContext(guild=True),  # server-only
        allowed_installs=app_commands.AppInstallationType(guild=True),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: PodcastBot):
        self.bot = bot
        self.settings = bot.settings
        self.catalog = bot.catalog
        self.sync: CatalogSync = bot.sync
        self.feed_url = self.settings.feed_url
        self.store: Store | None = None
        self.db = StoreWorker()  # every store call runs on this thread, never on the loop
        self.notifier: Notifier | None = None
        self.announcer: Announcer | None = None
        self.started = False
        self.start_failures = 0
        self.start_again_at: datetime | None = None

    def now(self) -> datetime:
        return self.catalog.clock()

    # -- lifecycle -----------------------------------------------------------

    async def cog_load(self) -> None:
        store = await self.db.run(Store.open, self.settings.state_file)
        try:
            self.store = store
            self.notifier = await self.db.run(Notifier, store, self.settings.catchup_limit)
            self.announcer = Announcer(self.bot, store, self.db, self.now)
            # Of two notes with one number, the one the state file saw first keeps it.
            for warning in self.catalog.adopt_first_seen(await self.db.run(store.first_seen_paths)):
                log.warning("skipped or partly read note: %s", warning)
            if self.feed_url:
                self.feed_loop.change_interval(seconds=self.settings.feed_interval_seconds)
            self.tick.change_interval(seconds=self.tick_seconds())
            self.tick.start()
        except BaseException:
            # cog_unload never runs for a cog that did not load: close the file here.
            await self.db.run(store.close)
            self.store = None
            self.db.shutdown()
            raise

    async def cog_unload(self) -> None:
        loops = (self.tick, self.feed_loop)
        running = [t for loop in loops if (t := loop.get_task()) is not None and not t.done()]
        for loop in loops:
            loop.cancel()
        if running:  # let them finish cancelling before the state file closes
            await asyncio.wait(running, timeout=10)
        if self.store is not None:
            await self.db.run(self.store.close)
        await asyncio.to_thread(self.db.shutdown)
        log.info("notifications stopped; undelivered announcements stay pending")

    def tick_seconds(self) -> float:
        if not self.settings.watch_content:
            return TICK_IDLE
        return self.settings.watch_poll_seconds or TICK_WATCHING

    @property
    def content_ready(self) -> bool:
        """False until a git source has its first checkout (no baseline from nothing)."""
        return self.sync.content_ready

    # -- loops ---------------------------------------------------------------

    @tasks.loop(seconds=TICK_IDLE)
    async def tick(self) -> None:
        assert self.announcer is not None
        if not await self.store_writable():
            return  # /notify status and the heartbeat show it; the next tick tries again
        try:
            if not self.started:
                await self.try_start_up()
            else:
                await self.sync.apply_watched()
                await self.scan()
        except Exception as exc:
            self.log_failure("notification tick failed; trying again next tick", exc)
        try:
            await self.announcer.deliver_due()
        except Exception as exc:
            self.log_failure("sending announcements failed; trying again next tick", exc)

    async def store_writable(self) -> bool:
        """False while the state file cannot be written: then one small test write per
        tick (no scan, no send) until it works, and announcing resumes by itself."""
        if self.store is None or self.store.fault is None:
            return True
        return await self.db.run(self.store.check_writable)

    def log_failure(self, what: str, exc: Exception) -> None:
        """A state file that cannot be written costs one line per tick, not a traceback
        (the store has logged the fault once; ``/notify status`` shows it)."""
        if isinstance(exc, sqlite3.OperationalError):
            log.warning("%s: state file %s: %s", what, self.settings.state_file, exc)
        else:
            log.exception(what)

    @tick.before_loop
    async def before_tick(self) -> None:
        await self.bot.wait_until_ready()

    async def try_start_up(self) -> None:
        """Start up, or after a failure wait (30 s, doubling up to 10 min) before the
        next attempt instead of trying again every tick."""
        now = self.now()
        if not self.content_ready:
            return  # the git source's first clone is not there yet: no baseline from nothing
        if self.start_again_at is not None and now < self.start_again_at:
            return
        try:
            await self.start_up()
        except Exception:
            self.start_failures += 1
            delay = min(START_RETRY_MAX, backoff(self.start_failures))
            self.start_again_at = now + timedelta(seconds=delay)
            log.exception("notifications could not start; trying again in %.0f s", delay)
            return
        self.started = True
        self.start_again_at = None

    async def start_up(self) -> None:
        """The feed's first round, then the catch-up scan (the baseline on a first start).

        The feed's first round runs here once, then its loop takes over (and retries it
        at its interval if it failed); a start-up tried again only redoes the scan.
        """
        self.sync.start_watching()
        if self.feed_url and not self.feed_loop.is_running():
            try:
                await self.poll_feed()  # scans with the feed items on success
            except Exception:
                log.exception("first feed round failed; the feed loop tries again")
            self.feed_loop.start()
        await self.scan()

    @tasks.loop(seconds=600)
    async def feed_loop(self) -> None:
        if self.feed_loop.current_loop == 0:
            return  # start_up has just fetched
        assert self.announcer is not None
        try:
            await self.poll_feed()
            await self.announcer.deliver_due()
        except Exception:
            log.exception("feed round failed")

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Removed from a server: forget its subscription (and its pending posts)."""
        if self.store is not None and await self.db.run(self.store.unsubscribe, guild.id):
            log.info("left guild %s: its announcements are off", guild.id)

    # -- sources -------------------------------------------------------------

    @commands.Cog.listener()
    async def on_catalog_changed(self, change: CatalogChange) -> None:
        """A git pull or a reload changed the catalog: announce what became new now."""
        if not self.started or self.announcer is None:
            return  # the start-up scan takes the baseline
        if self.store is not None and self.store.fault is not None:
            return  # the next tick scans once the state file can be written again
        try:
            await self.scan()
            await self.announcer.deliver_due()
        except Exception as exc:
            self.log_failure("announcing after a catalog change failed; next tick tries again", exc)

    async def poll_feed(self) -> None:
        assert self.store is not None and self.feed_url
        url = self.feed_url
        store, run = self.store, self.db.run
        result = await fetch_feed(url, await run(store.feed_validators, url), timeout=FEED_TIMEOUT)
        if result.status == "ok":
            await self.scan(result.items)
            # Validators only after the scan: a crash in between fetches the whole feed again.
            await run(store.save_feed_check, url, self.now(), "ok", result.validators)
        elif result.status == "not_modified":
            await run(store.save_feed_check, url, self.now(), "not_modified")
        else:
            log.warning("feed %s: %s (will try again)", url, result.error)
            await run(store.save_feed_check, url, self.now(), "error", error=result.error)

    async def scan(self, feed_items: tuple[FeedItem, ...] | None = None) -> None:
        assert self.notifier is not None
        episodes = self.catalog.all_episodes if self.content_ready else ()
        await self.db.run(
            self.notifier.scan, episodes, self.now(), feed_url=self.feed_url, feed_items=feed_items
        )

    # -- commands ------------------------------------------------------------

    async def refuse(self, interaction: discord.Interaction, command: str) -> bool:
        """Manage Server, checked here: default permissions are only a client-side hint."""
        perms = interaction.permissions
        if interaction.guild_id is not None and (perms.manage_guild or perms.administrator):
            return False
        lang = language_for(interaction.locale)
        await interaction.response.send_message(t("need_manage_guild", lang), ephemeral=True)
        log.warning("notify command refused", extra={"command": command})
        return True

    @notify.command(name=_("set"), description=_("Announce new episodes in a channel"))
    @app_commands.describe(
        channel=_("Channel for the announcements"), role=_("Role to mention (optional)")
    )
    @app_commands.rename(channel=_("channel"), role=_("role"))
    async def set_channel(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        role: discord.Role | None = None,
    ) -> None:
        started = time.perf_counter()
        if await self.refuse(interaction, "notify set"):
            return
        assert self.store is not None and interaction.guild is not None
        lang = language_for(interaction.locale)
        problem = self.check_channel(interaction.guild, channel, role, lang)
        if problem is not None:
            await interaction.response.send_message(problem, ephemeral=True)
            return
        try:
            await self.db.run(
                self.store.subscribe,
                interaction.guild.id,
                channel.id,
                role.id if role else None,
                self.now(),
                lang,
            )
        except sqlite3.Error as exc:
            await interaction.response.send_message(
                t("state_unwritable", lang, error=str(exc)), ephemeral=True
            )
            return
        lines = [t("set_done", lang, channel=channel.mention)]
        me = interaction.guild.me
        if me is not None and not channel.permissions_for(me).read_message_history:
            lines.append(t("no_history", lang))
        if role is not None:
            lines.append(t("set_role", lang, role=role.mention))
            if not role.mentionable and not (me and me.guild_permissions.mention_everyone):
                lines.append(t("role_not_pingable", lang, role=role.mention))
        await interaction.response.send_message(
            "\n".join(lines), ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )
        log_command(
            "notify set",
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            started=started,
        )

    def check_channel(
        self,
        guild: discord.Guild,
        channel: discord.TextChannel,
        role: discord.Role | None,
        lang: Lang,
    ) -> str | None:
        if role is not None and role.is_default():
            return t("role_everyone", lang)
        me = guild.me
        if me is None:
            return None
        perms = channel.permissions_for(me)
        missing = [name for name in REQUIRED if not getattr(perms, name)]
        if missing:
            names = ", ".join(t(f"perm_{name}", lang) for name in missing)
            return t("bot_cannot_post", lang, channel=channel.mention, missing=names)
        return None

    @notify.command(name=_("off"), description=_("Stop announcing new episodes here"))
    async def off(self, interaction: discord.Interaction) -> None:
        started = time.perf_counter()
        if await self.refuse(interaction, "notify off"):
            return
        assert self.store is not None and interaction.guild_id is not None
        lang = language_for(interaction.locale)
        try:
            removed = await self.db.run(self.store.unsubscribe, interaction.guild_id)
        except sqlite3.Error as exc:
            await interaction.response.send_message(
                t("state_unwritable", lang, error=str(exc)), ephemeral=True
            )
            return
        text = t("off_done", lang) if removed else t("off_none", lang)
        await interaction.response.send_message(text, ephemeral=True)
        log_command(
            "notify off",
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            started=started,
        )

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
        sub = await self.db.run(store.subscription, interaction.guild_id)
        sources = await self.db.run(
            sources_text, store, lang, self.sync.watcher, self.feed_url, self.sync.git
        )
        embed = await self.db.run(status_embed, store, sub, lang, sources)
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )
        log_command(
            "notify status",
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            started=started,
        )

    @notify.command(name=_("test"), description=_("Post a sample announcement"))
    async def test(self, interaction: discord.Interaction) -> None:
        started = time.perf_counter()
        if await self.refuse(interaction, "notify test"):
            return
        assert self.store is not None and self.announcer is not None
        assert interaction.guild_id is not None
        lang = language_for(interaction.locale)
        sub = await self.db.run(self.store.subscription, interaction.guild_id)
        if sub is None:
            await interaction.response.send_message(t("status_off", lang), ephemeral=True)
            return
        latest = self.catalog.latest(1)
        payload = from_episode(latest[0]).payload() if latest else None
        channel = self.announcer.channel(sub.channel_id, interaction.guild_id)
        where = f"<#{sub.channel_id}>"
        # The post may wait on a rate limit past the 3 s an interaction has to answer.
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            await self.announcer.send_sample(
                channel, payload, self.announcer.language(sub), sub.role_id
            )
        except discord.HTTPException as exc:
            error = f"{exc.status} {exc.text}".strip()
            await interaction.followup.send(
                t("test_failed", lang, channel=where, error=error), ephemeral=True
            )
            return
        await interaction.followup.send(t("test_sent", lang, channel=where), ephemeral=True)
        log_command(
            "notify test",
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            started=started,
        )
