"""The private steps of ``/notify template`` and ``/notify test``: a modal to write a
template, and an ephemeral preview with a button that saves (template) or posts (test).

Each view belongs to whoever ran the command, expires after ``TIMEOUT`` and does its
work through a callback the cog gives it, so these classes hold no state logic.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

from bot.i18n import Lang, t
from bot.notify.template import PLACEHOLDERS, TEMPLATE_MAX

log = logging.getLogger(__name__)

TIMEOUT = 600.0


class TemplateModal(discord.ui.Modal):
    """One paragraph field holding the template; empty means the default message."""

    def __init__(
        self,
        lang: Lang,
        current: str | None,
        on_submit: Callable[[discord.Interaction, str], Awaitable[None]],
    ):
        super().__init__(title=t("template_modal_title", lang), timeout=TIMEOUT)
        self._on_submit = on_submit
        self.text: discord.ui.TextInput[TemplateModal] = discord.ui.TextInput(
            label=t("template_field", lang),
            style=discord.TextStyle.paragraph,
            default=current or "",
            required=False,
            max_length=TEMPLATE_MAX,
            placeholder=" ".join("{" + p + "}" for p in PLACEHOLDERS),
            custom_id="notify:template",
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self._on_submit(interaction, self.text.value or "")


class ConfirmView(discord.ui.View):
    """A preview's buttons: confirm (save / post) or cancel; only for its owner."""

    def __init__(
        self,
        owner_id: int,
        lang: Lang,
        confirm_label: str,
        on_confirm: Callable[[discord.Interaction], Awaitable[None]],
    ):
        super().__init__(timeout=TIMEOUT)
        self.owner_id = owner_id
        self.lang = lang
        self._on_confirm = on_confirm
        confirm: discord.ui.Button[ConfirmView] = discord.ui.Button(
            label=confirm_label, style=discord.ButtonStyle.primary, custom_id="notify:confirm"
        )
        cancel: discord.ui.Button[ConfirmView] = discord.ui.Button(
            label=t("cancel", lang), style=discord.ButtonStyle.secondary, custom_id="notify:cancel"
        )
        confirm.callback = self._confirm  # type: ignore[method-assign]
        cancel.callback = self._cancel  # type: ignore[method-assign]
        self.add_item(confirm)
        self.add_item(cancel)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.owner_id

    async def _confirm(self, interaction: discord.Interaction) -> None:
        self.stop()
        await self._on_confirm(interaction)

    async def _cancel(self, interaction: discord.Interaction) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=t("cancelled", self.lang), embed=None, view=None
        )
