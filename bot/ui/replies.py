"""What the bot answers, built once for every front end (slash, mention, DM, CLI).

``search_reply(catalog, query, lang, ...)`` is the one path from a question to the
message payload (``Reply``: content, embeds, view): ``bot.library.lookup.answer``
decides what the user meant and this module renders it. The search cog sends it, and
``python -m bot ask`` renders it as text. The interactive views (browse the other
matches, page through links) live here too.
"""

from __future__ import annotations

import logging
import uuid
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import discord
from discord import app_commands

from bot.i18n import Lang, language_for, t
from bot.library.catalog import Catalog
from bot.library.lookup import answer, episode_key
from bot.logs import user_ref
from bot.models import Episode, Hit
from bot.search.query import MAX_QUERY_CHARS
from bot.ui.embeds import (
    choice_name,
    episode_embed,
    episode_links_view,
    link_buttons,
    option_description,
    option_label,
)
from bot.ui.text import CHOICES_MAX, SELECT_OPTIONS_MAX, escape_user_text

log = logging.getLogger(__name__)

VIEW_TIMEOUT = 600.0  # well inside the 15 minutes an interaction token lasts
VIEW_ID_PREFIX = "podcast-menu:"  # custom_id of every select menu and page button


@dataclass(frozen=True)
class Reply:
    """One message the bot would send."""

    content: str | None = None
    embeds: tuple[discord.Embed, ...] = ()
    view: discord.ui.View | None = None
    ephemeral: bool = False
    hits: int = 0  # how many results it is about, for the command log

    def message_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``Messageable.send`` / ``Message.reply``."""
        kwargs: dict[str, Any] = {
            "content": self.content,
            "embeds": list(self.embeds),
            "allowed_mentions": discord.AllowedMentions.none(),
        }
        if self.view is not None:
            kwargs["view"] = self.view
        return kwargs

    def response_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``InteractionResponse.send_message``."""
        return {**self.message_kwargs(), "ephemeral": self.ephemeral}


def add_episode_choices(
    choices: list[app_commands.Choice[str]], episodes: Sequence[Episode]
) -> list[app_commands.Choice[str]]:
    """``choices`` followed by one choice per episode (by ``episode_key``), no value
    twice, at most ``CHOICES_MAX`` in all (Discord's limit)."""
    seen = {c.value for c in choices}
    for episode in episodes:
        if len(choices) >= CHOICES_MAX:
            break
        key = episode_key(episode)
        if key in seen:
            continue
        seen.add(key)
        choices.append(app_commands.Choice(name=choice_name(episode.label), value=key))
    return choices


# -- replies ---------------------------------------------------------------------


def episode_reply(episode: Episode, lang: Lang, *, hit: Hit | None = None) -> Reply:
    embed = episode_embed(episode, hit=hit, locale=lang)
    embed.set_footer(text=t("footer_single", lang))
    return Reply(embeds=(embed,), view=episode_links_view(episode, lang), hits=1)


def no_match_reply(query: str, suggestions: Sequence[str], lang: Lang) -> Reply:
    lines = [t("no_match", lang, query=escape_user_text(query, 80))]
    terms = [escape_user_text(s, 40) for s in suggestions[:5] if s.strip()]
    if terms:
        lines.append(t("did_you_mean", lang, terms=", ".join(terms)))
    lines.append(t("try_latest", lang))
    return Reply(content="\n".join(lines), ephemeral=True)


def search_reply(
    catalog: Catalog,
    query: str,
    lang: Lang,
    *,
    max_chars: int = MAX_QUERY_CHARS,
    owner_id: int | None = None,
    bot_name: str = "bot",
) -> Reply:
    """The answer to a topic question, exactly as every front end sends it."""
    found = answer(catalog, query, max_chars)
    note = t("query_cut", lang, limit=max_chars) if found.cut else None
    if found.empty:
        return Reply(
            content=t("empty_query", lang, bot=escape_user_text(bot_name, 32)), ephemeral=True
        )
    if found.episode is not None:
        return episode_reply(found.episode, lang)
    if not found.hits:
        reply = no_match_reply(found.query, found.suggestions, lang)
        return Reply(content=_join(note, reply.content), ephemeral=True)
    hits = found.hits
    if len(hits) == 1:
        single = episode_reply(hits[0].episode, lang, hit=hits[0])
        return Reply(content=note, embeds=single.embeds, view=single.view, hits=1)
    view = HitBrowser(hits, lang, owner_id=owner_id)
    return Reply(content=note, embeds=(view.embed(),), view=view, hits=len(hits))


def _join(*parts: str | None) -> str | None:
    text = "\n".join(p for p in parts if p)
    return text or None


# -- interactive views -----------------------------------------------------------


class OwnedView(discord.ui.View):
    """A view whose message can be changed only by the user it answered.

    Anyone else gets their own private (ephemeral) copy of what they picked, so the
    menus work for everyone without changing someone else's message.

    Its menus and buttons have custom ids ``VIEW_ID_PREFIX + <view token>:<name>``,
    the same across rebuilds; ``is_expired_menu`` tells a click on a view that no
    longer exists (timed out, or sent before the bot restarted) from one a bot serves.
    ``client`` is the bot that sent it (set by the cog that sends it).
    """

    _live: ClassVar[weakref.WeakValueDictionary[str, OwnedView]] = weakref.WeakValueDictionary()

    def __init__(self, lang: Lang, owner_id: int | None, timeout: float = VIEW_TIMEOUT):
        super().__init__(timeout=timeout)
        self.lang = lang
        self.owner_id = owner_id
        self.message: discord.Message | discord.InteractionMessage | None = None
        self.client: discord.Client | None = None
        self.token = uuid.uuid4().hex[:12]
        OwnedView._live[self.token] = self

    def item_id(self, name: str) -> str:
        """The custom id of this view's item ``name`` (at most 100 characters)."""
        return f"{VIEW_ID_PREFIX}{self.token}:{name}"

    def is_owner(self, interaction: discord.Interaction) -> bool:
        return self.owner_id is None or interaction.user.id == self.owner_id

    async def on_timeout(self) -> None:
        """Drop the menus, keep the link buttons."""
        if self.message is None:
            return
        try:
            await self.message.edit(view=self.frozen())
        except discord.HTTPException:
            log.debug("could not remove expired menus", exc_info=True)

    def frozen(self) -> discord.ui.View:
        view = discord.ui.View(timeout=None)
        for item in self.children:
            if isinstance(item, discord.ui.Button) and item.url:
                view.add_item(discord.ui.Button(label=item.label, url=item.url))
        return view

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        log.error(
            "view callback failed",
            exc_info=(type(error), error, error.__traceback__),
            extra={
                "view": type(self).__name__,
                "user": user_ref(interaction.user.id),
                "guild": interaction.guild_id,
            },
        )
        await answer_error(interaction)


class HitBrowser(OwnedView):
    """The best match, with a select menu to show any of the other matches."""

    def __init__(self, hits: Sequence[Hit], lang: Lang, *, owner_id: int | None, index: int = 0):
        super().__init__(lang, owner_id)
        self.hits = tuple(hits[:SELECT_OPTIONS_MAX])
        self.index = index
        self._build()

    def embed(self, index: int | None = None) -> discord.Embed:
        at = self.index if index is None else index
        hit = self.hits[at]
        embed = episode_embed(hit.episode, hit=hit, locale=self.lang)
        embed.set_footer(text=t("footer_search", self.lang, pos=at + 1, count=len(self.hits)))
        return embed

    def _build(self) -> None:
        self.clear_items()
        select: discord.ui.Select[HitBrowser] = discord.ui.Select(
            placeholder=t("pick_placeholder", self.lang),
            options=[
                discord.SelectOption(
                    label=option_label(hit.episode),
                    value=str(i),
                    description=option_description(hit),
                    default=i == self.index,
                )
                for i, hit in enumerate(self.hits)
            ],
            row=0,
            custom_id=self.item_id("pick"),
        )
        select.callback = self._picked  # type: ignore[method-assign]
        self.add_item(select)
        for button in link_buttons(self.hits[self.index].episode, self.lang):
            button.row = 1
            self.add_item(button)

    async def _picked(self, interaction: discord.Interaction) -> None:
        data: Any = interaction.data or {}
        index = int((data.get("values") or ["0"])[0])
        if not 0 <= index < len(self.hits):
            index = 0
        if self.is_owner(interaction):
            self.index = index
            self._build()
            await interaction.response.edit_message(embed=self.embed(), view=self)
            return
        hit = self.hits[index]
        reply = episode_reply(hit.episode, self.lang, hit=hit)
        await interaction.response.send_message(**reply.message_kwargs(), ephemeral=True)


class Pager(OwnedView):
    """Pages of embeds with "previous" / "next" buttons and the episode's links."""

    def __init__(
        self,
        pages: Sequence[discord.Embed],
        lang: Lang,
        *,
        owner_id: int | None,
        episode: Episode | None = None,
    ):
        super().__init__(lang, owner_id)
        self.pages = tuple(pages)
        self.page = 0
        self.episode = episode
        self._build()

    def _build(self) -> None:
        self.clear_items()
        for name, step in (("prev", -1), ("next", 1)):
            target = self.page + step
            button: discord.ui.Button[Pager] = discord.ui.Button(
                label=t(name, self.lang),
                style=discord.ButtonStyle.secondary,
                disabled=not 0 <= target < len(self.pages),
                row=0,
                custom_id=self.item_id(name),
            )
            button.callback = self._turn(step)  # type: ignore[method-assign,assignment]
            self.add_item(button)
        if self.episode is not None:
            for link in link_buttons(self.episode, self.lang):
                link.row = 0
                self.add_item(link)

    def _turn(self, step: int) -> Callable[[discord.Interaction], Any]:
        async def turn(interaction: discord.Interaction) -> None:
            target = max(0, min(len(self.pages) - 1, self.page + step))
            if self.is_owner(interaction):
                self.page = target
                self._build()
                await interaction.response.edit_message(embed=self.pages[target], view=self)
            else:
                await interaction.response.send_message(
                    embed=self.pages[target],
                    ephemeral=True,
                    allowed_mentions=discord.AllowedMentions.none(),
                )

        return turn


def remember_message(reply: Reply, message: object, client: discord.Client) -> None:
    """Let an interactive view edit its own message when it times out, and know which
    bot serves its menus."""
    if isinstance(reply.view, OwnedView):
        reply.view.client = client
        if isinstance(message, discord.Message | discord.InteractionMessage):
            reply.view.message = message


async def answer_error(interaction: discord.Interaction) -> None:
    """Tell the user something went wrong, whatever state the interaction is in."""
    if interaction.type is discord.InteractionType.autocomplete:
        return
    text = t("error", language_for(interaction.locale))
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not send the error reply", exc_info=True)


def is_expired_menu(custom_id: str, client: discord.Client) -> bool:
    """Whether ``custom_id`` belongs to one of our menus that ``client`` no longer
    serves: its view timed out, or was sent before the bot (re)started."""
    if not custom_id.startswith(VIEW_ID_PREFIX):
        return False
    token = custom_id[len(VIEW_ID_PREFIX) :].partition(":")[0]
    view = OwnedView._live.get(token)
    if view is None or view.is_finished():
        return True
    return view.client is not None and view.client is not client
