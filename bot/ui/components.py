"""Buttons and menus that keep working after a restart and for as long as the message
exists: discord.py ``DynamicItem``s whose ``custom_id`` holds everything needed.

Every custom id is ``pm1:<kind>:<lang>:<owner>:...`` (at most 100 characters): the
reply language (``j``/``e``), the user the message answered in base 36 (``0``: anyone),
then what to show. Pressed by its owner, a component changes its message; pressed by
anyone else, it sends them a private copy that they own. ``PodcastBot`` registers
``DYNAMIC_ITEMS`` in ``setup_hook``. What is shown is built by ``bot.ui.replies``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from bot.i18n import Lang
from bot.logs import user_ref
from bot.ui.text import BUTTON_LABEL_MAX, clip

log = logging.getLogger(__name__)

PREFIX = "pm1:"
CUSTOM_ID_MAX = 100
LEGACY_PREFIX = "podcast-menu:"  # menus of views sent before components were persistent

_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def b36(number: int | None) -> str:
    if not number:
        return "0"
    out = ""
    while number:
        number, digit = divmod(number, 36)
        out = _B36[digit] + out
    return out


def from_b36(text: str) -> int | None:
    value = int(text, 36)
    return value or None


def lang_code(lang: Lang) -> str:
    return "e" if lang == "en" else "j"


def lang_of_code(code: str) -> Lang:
    return "en" if code == "e" else "ja"


def head(kind: str, lang: Lang, owner_id: int | None) -> str:
    return f"{PREFIX}{kind}:{lang_code(lang)}:{b36(owner_id)}:"


_HEAD = r"pm1:{kind}:(?P<lang>[je]):(?P<owner>[0-9a-z]+):"


def _is_owner(owner_id: int | None, interaction: discord.Interaction) -> bool:
    return owner_id is None or interaction.user.id == owner_id


async def _show(
    interaction: discord.Interaction, owner_id: int | None, build: Any, *, always_private: bool
) -> None:
    """Edit the message for its owner; anyone else (or ``always_private``) gets a
    private copy they own. ``build(owner_id)`` returns the ``Reply``."""
    from bot.ui.replies import answer_error

    try:
        if not always_private and _is_owner(owner_id, interaction):
            reply = build(owner_id)
            kwargs = reply.message_kwargs()
            kwargs.pop("allowed_mentions", None)
            if reply.view is None:
                kwargs["view"] = None
            await interaction.response.edit_message(**kwargs)
            return
        reply = build(interaction.user.id)
        await interaction.response.send_message(**reply.message_kwargs(), ephemeral=True)
    except Exception as exc:
        log.error(
            "component failed",
            exc_info=(type(exc), exc, exc.__traceback__),
            extra={"user": user_ref(interaction.user.id), "guild": interaction.guild_id},
        )
        await answer_error(interaction)


def _catalog(interaction: discord.Interaction) -> Any:
    return interaction.client.catalog  # type: ignore[attr-defined]


def _max_chars(interaction: discord.Interaction) -> int:
    return int(interaction.client.settings.max_query_chars)  # type: ignore[attr-defined]


class PickMatch(
    discord.ui.DynamicItem[discord.ui.Select],
    template=_HEAD.format(kind="pk") + r"(?P<query>.*)",
):
    """The menu of the other matches of a search; the query is in the custom id."""

    def __init__(
        self,
        lang: Lang,
        owner_id: int | None,
        query: str,
        options: list[discord.SelectOption] | None = None,
        placeholder: str | None = None,
    ):
        start = head("pk", lang, owner_id)
        custom_id = start + query[: CUSTOM_ID_MAX - len(start)]
        super().__init__(
            discord.ui.Select(
                custom_id=custom_id, options=options or [], placeholder=placeholder, row=0
            )
        )
        self.lang, self.owner_id, self.query = lang, owner_id, query

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PickMatch:
        return cls(lang_of_code(match["lang"]), from_b36(match["owner"]), match["query"])

    async def callback(self, interaction: discord.Interaction) -> None:
        from bot.ui.replies import picked_reply

        data: Any = interaction.data or {}
        key = str((data.get("values") or [""])[0])
        catalog, limit = _catalog(interaction), _max_chars(interaction)
        await _show(
            interaction,
            self.owner_id,
            lambda owner: picked_reply(catalog, self.query, key, self.lang, owner, limit),
            always_private=False,
        )


class ShowEpisode(
    discord.ui.DynamicItem[discord.ui.Button],
    template=_HEAD.format(kind="ep") + r"(?P<key>[^:]+(?::[0-9a-f]{16})?)",
):
    """A button that shows one episode's card (previous / next)."""

    def __init__(self, lang: Lang, owner_id: int | None, key: str, label: str = "?"):
        super().__init__(
            discord.ui.Button(
                label=clip(label, BUTTON_LABEL_MAX),
                style=discord.ButtonStyle.secondary,
                custom_id=head("ep", lang, owner_id) + key,
            )
        )
        self.lang, self.owner_id, self.key = lang, owner_id, key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ShowEpisode:
        return cls(lang_of_code(match["lang"]), from_b36(match["owner"]), match["key"])

    async def callback(self, interaction: discord.Interaction) -> None:
        from bot.ui.replies import keyed_episode_reply

        catalog = _catalog(interaction)
        await _show(
            interaction,
            self.owner_id,
            lambda owner: keyed_episode_reply(catalog, self.key, self.lang, owner),
            always_private=False,
        )


class LinksPage(
    discord.ui.DynamicItem[discord.ui.Button],
    template=_HEAD.format(kind=r"(?P<mode>l[ko])") + r"(?P<page>-?\d+):(?P<key>.+)",
):
    """A page of an episode's links: ``lk`` turns the page in place, ``lo`` ("all
    links" under a card) always opens them in a private message."""

    def __init__(
        self,
        lang: Lang,
        owner_id: int | None,
        key: str,
        page: int,
        *,
        open_new: bool = False,
        label: str = "?",
        disabled: bool = False,
    ):
        kind = "lo" if open_new else "lk"
        super().__init__(
            discord.ui.Button(
                label=clip(label, BUTTON_LABEL_MAX),
                style=discord.ButtonStyle.secondary,
                custom_id=head(kind, lang, owner_id) + f"{page}:{key}",
                disabled=disabled,
            )
        )
        self.lang, self.owner_id, self.key, self.page = lang, owner_id, key, page
        self.open_new = open_new

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> LinksPage:
        return cls(
            lang_of_code(match["lang"]),
            from_b36(match["owner"]),
            match["key"],
            int(match["page"]),
            open_new=match["mode"] == "lo",
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        from bot.ui.replies import keyed_links_reply

        catalog = _catalog(interaction)
        await _show(
            interaction,
            self.owner_id,
            lambda owner: keyed_links_reply(catalog, self.key, self.lang, owner, self.page),
            always_private=self.open_new,
        )


class ArchivePage(
    discord.ui.DynamicItem[discord.ui.Button],
    template=_HEAD.format(kind="ar") + r"(?P<year>\d+):(?P<page>-?\d+)",
):
    """A page of the archive (``/episodes [year]``); year 0 is every year."""

    def __init__(
        self,
        lang: Lang,
        owner_id: int | None,
        year: int | None,
        page: int,
        *,
        label: str = "?",
        disabled: bool = False,
    ):
        super().__init__(
            discord.ui.Button(
                label=clip(label, BUTTON_LABEL_MAX),
                style=discord.ButtonStyle.secondary,
                custom_id=head("ar", lang, owner_id) + f"{year or 0}:{page}",
                disabled=disabled,
            )
        )
        self.lang, self.owner_id, self.year, self.page = lang, owner_id, year, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ArchivePage:
        year = int(match["year"]) or None
        return cls(lang_of_code(match["lang"]), from_b36(match["owner"]), year, int(match["page"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        from bot.ui.replies import archive_reply

        catalog = _catalog(interaction)
        await _show(
            interaction,
            self.owner_id,
            lambda owner: archive_reply(catalog, self.year, self.page, self.lang, owner),
            always_private=False,
        )


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    PickMatch,
    ShowEpisode,
    LinksPage,
    ArchivePage,
)


def is_legacy_menu(custom_id: str) -> bool:
    """A menu of a view from before components were persistent: it can only say that
    it has expired."""
    return custom_id.startswith(LEGACY_PREFIX)
