"""The ``/notify`` commands that show an announcement before anything is saved or
posted: ``template`` (write the message, preview it, Save), ``test`` (a sample, Post it)
and ``resend`` (one episode again, on purpose).

A mixin of ``NotifyCog`` beside ``commands`` (where the group, the Manage Server check
and the subscription commands are); its subcommands join the same ``/notify`` group.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

import discord
from discord import app_commands
from discord.app_commands import locale_str as _

from bot.app import log_interaction
from bot.cogs.notify.announcer import Outgoing
from bot.cogs.notify.commands import CHOICES_MAX, Destination, NotifyCommands
from bot.cogs.notify.views import ConfirmView, TemplateModal
from bot.i18n import Lang, language_for, t
from bot.library.lookup import find_episode
from bot.notify import from_episode
from bot.notify.store import AnnouncementPayload, Subscription
from bot.notify.template import PLACEHOLDERS, TemplateError, check
from bot.ui.replies import add_episode_choices

log = logging.getLogger(__name__)

notify = NotifyCommands.notify  # one /notify group: these subcommands join it


class NotifyPreviews(NotifyCommands):
    """Preview first, then one button; ``NotifyCog`` provides what they use."""

    def newest_payload(self) -> AnnouncementPayload | None:
        """The newest published episode as an announcement (None: no episode yet)."""
        latest = self.catalog.latest(1)
        return from_episode(latest[0]).payload() if latest else None

    async def show_preview(
        self,
        interaction: discord.Interaction,
        shown: Outgoing,
        lang: Lang,
        button: str,
        confirmed: Callable[[discord.Interaction], Awaitable[None]],
    ) -> None:
        """The announcement as it would go out, privately, with one confirm button."""
        view = ConfirmView(interaction.user.id, lang, t(button, lang), confirmed)
        await interaction.response.send_message(
            shown.content,
            embed=shown.embed,
            view=view,
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    # -- /notify template ----------------------------------------------------

    @notify.command(
        name=_("template"), description=_("Write the message posted with each announcement")
    )
    @app_commands.describe(channel=_("The subscribed channel (default: the first one)"))
    @app_commands.rename(channel=_("channel"))
    async def template(
        self, interaction: discord.Interaction, channel: Destination | None = None
    ) -> None:
        if await self.refuse(interaction, "notify template"):
            return
        sub = await self.chosen(interaction, channel)
        if sub is None:
            return
        lang = language_for(interaction.locale)

        async def submitted(modal_interaction: discord.Interaction, text: str) -> None:
            await self.preview_template(modal_interaction, sub, text, lang)

        await interaction.response.send_modal(TemplateModal(lang, sub.template, submitted))

    async def preview_template(
        self,
        interaction: discord.Interaction,
        sub: Subscription,
        text: str,
        lang: Lang,
    ) -> None:
        """Validate the template; show it privately on the newest episode, with Save."""
        assert self.store is not None and self.announcer is not None
        text = text.strip()
        if text:
            try:
                check(text)
            except TemplateError as exc:
                if exc.placeholder is not None:
                    error = t("template_unknown", lang, name=exc.placeholder, known=_known())
                else:
                    error = t("template_invalid", lang, error=str(exc))
                await interaction.response.send_message(
                    error, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
                )
                return
        template = text or None
        payload = self.newest_payload()
        shown = self.announcer.sample(replace(sub, template=template), payload, lang)

        async def save(button_interaction: discord.Interaction) -> None:
            assert self.store is not None
            try:
                await self.db.run(self.store.set_template, sub.channel_id, template)
            except sqlite3.Error as exc:
                await button_interaction.response.edit_message(
                    content=t("state_unwritable", lang, error=str(exc)), embed=None, view=None
                )
                return
            done = "template_saved" if template else "template_reset"
            await button_interaction.response.edit_message(
                content=t(done, lang, channel=f"<#{sub.channel_id}>"), embed=None, view=None
            )
            log_interaction("notify template", button_interaction, time.perf_counter())

        await self.show_preview(interaction, shown, lang, "save", save)

    # -- /notify test --------------------------------------------------------

    @notify.command(name=_("test"), description=_("Post a sample announcement"))
    @app_commands.describe(channel=_("The subscribed channel (default: the first one)"))
    @app_commands.rename(channel=_("channel"))
    async def test(
        self, interaction: discord.Interaction, channel: Destination | None = None
    ) -> None:
        """A private preview first; posted in the channel only when confirmed."""
        if await self.refuse(interaction, "notify test"):
            return
        assert self.store is not None and self.announcer is not None
        sub = await self.chosen(interaction, channel)
        if sub is None:
            return
        lang = language_for(interaction.locale)
        announcer = self.announcer
        shown = announcer.sample(sub, self.newest_payload(), announcer.language(sub))
        where = f"<#{sub.channel_id}>"

        async def post(button_interaction: discord.Interaction) -> None:
            started = time.perf_counter()
            # The post may wait on a rate limit past the 3 s an interaction has to answer.
            await button_interaction.response.defer()
            try:
                await announcer.send_sample(sub, shown)
            except (discord.HTTPException, Exception) as exc:
                error = (
                    f"{exc.status} {exc.text}".strip()
                    if isinstance(exc, discord.HTTPException)
                    else str(exc)
                )
                await button_interaction.edit_original_response(
                    content=t("test_failed", lang, channel=where, error=error),
                    embed=None,
                    view=None,
                )
                return
            await button_interaction.edit_original_response(
                content=t("test_sent", lang, channel=where), embed=None, view=None
            )
            log_interaction("notify test", button_interaction, started)

        await self.show_preview(interaction, shown, lang, "post_it", post)

    # -- /notify resend ------------------------------------------------------

    @notify.command(name=_("resend"), description=_("Announce one episode again, on purpose"))
    @app_commands.describe(
        episode=_("Episode number or title"),
        channel=_("The subscribed channel (default: the first one)"),
    )
    @app_commands.rename(episode=_("episode"), channel=_("channel"))
    async def resend(
        self,
        interaction: discord.Interaction,
        episode: str,
        channel: Destination | None = None,
    ) -> None:
        started = time.perf_counter()
        if await self.refuse(interaction, "notify resend"):
            return
        assert self.store is not None and self.announcer is not None
        lang = language_for(interaction.locale)
        found = find_episode(self.catalog, episode)
        if found is None or not found.is_published(self.now()):
            await interaction.response.send_message(
                t("no_episode", lang, query=episode[:100]),
                ephemeral=True,
                allowed_mentions=discord.AllowedMentions.none(),
            )
            return
        sub = await self.chosen(interaction, channel)
        if sub is None:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            row = await self.db.run(
                self.store.queue_resend,
                from_episode(found).payload(),
                sub.guild_id,
                sub.channel_id,
                self.now(),
            )
        except sqlite3.Error as exc:
            await self.unwritable(interaction, exc)
            return
        await self.announcer.deliver_due()
        done = await self.db.run(self.store.announcement, row.key, row.channel_id)
        key = "resend_done" if done is not None and done.state == "delivered" else "resend_queued"
        await interaction.followup.send(
            t(key, lang, episode=found.label, channel=f"<#{sub.channel_id}>"),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        log_interaction("notify resend", interaction, started)

    @resend.autocomplete("episode")
    async def resend_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        typed = " ".join((current or "").split())[:100]
        try:
            episodes = [h.episode for h in self.catalog.complete(typed, limit=CHOICES_MAX)]
        except Exception:
            log.exception("autocomplete failed", extra={"command": "notify resend"})
            episodes = []
        return add_episode_choices([], episodes)


def _known() -> str:
    return " ".join("{" + p + "}" for p in PLACEHOLDERS)
