"""What the bot answers, built once for every front end (slash, mention, DM, CLI, and
the persistent buttons and menus of ``bot.ui.components``).

``search_reply(catalog, query, lang, ...)`` is the one path from a question to the
message payload (``Reply``: content, embeds, view): ``bot.library.lookup.answer``
decides what the user meant and this module renders it. A search hit is a short card
(``bot.ui.cards``); an episode looked up by number is the full card with related
episodes and previous / next buttons. Every button and menu encodes its state in its
custom id, so none of them expires.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from bot.i18n import Lang, language_for, t
from bot.library.catalog import Catalog
from bot.library.discover import archive_page, nearest_numbers, neighbours, related, years
from bot.library.discover import random_episode as pick_random
from bot.library.lookup import EPISODE_KEY, answer, episode_key, find_episode
from bot.models import Episode, Hit
from bot.search.query import MAX_QUERY_CHARS
from bot.ui.cards import add_related, archive_embed, hit_card
from bot.ui.components import ArchivePage, LinksPage, PickMatch, ShowEpisode
from bot.ui.embeds import (
    choice_name,
    episode_embed,
    link_buttons,
    links_pages,
    option_description,
    option_label,
)
from bot.ui.text import CHOICES_MAX, SELECT_OPTIONS_MAX, escape_user_text

log = logging.getLogger(__name__)


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


def _view(*rows: Sequence[discord.ui.Item[Any]]) -> discord.ui.View | None:
    """A view without timeout holding ``rows`` of items (empty rows skipped)."""
    view = discord.ui.View(timeout=None)
    for number, items in enumerate(r for r in rows if r):
        for item in items:
            item.row = number
            view.add_item(item)
    return view if view.children else None


# -- episodes --------------------------------------------------------------------


def episode_reply(
    catalog: Catalog, episode: Episode, lang: Lang, owner_id: int | None = None
) -> Reply:
    """The full card of one episode, its related episodes, and one row of buttons:
    previous, next, all links, listen, show notes."""
    embed = add_related(episode_embed(episode, locale=lang), related(catalog, episode), lang)
    prev, nxt = neighbours(catalog, episode)
    row: list[discord.ui.Item[Any]] = []
    if prev is not None:
        row.append(ShowEpisode(lang, owner_id, episode_key(prev), f"← {_short(prev)}"))
    if nxt is not None:
        row.append(ShowEpisode(lang, owner_id, episode_key(nxt), f"{_short(nxt)} →"))
    if episode.references:
        row.append(_all_links(episode, lang, owner_id))
    row.extend(link_buttons(episode, lang))
    return Reply(embeds=(embed,), view=_view(row), hits=1)


def _short(episode: Episode) -> str:
    return f"#{episode.number}" if episode.number is not None else episode.label[:30]


def _all_links(episode: Episode, lang: Lang, owner_id: int | None) -> LinksPage:
    count = len({r.url or r.text for r in episode.references})
    label = t("all_links", lang, count=count)
    return LinksPage(lang, owner_id, episode_key(episode), 0, open_new=True, label=label)


def keyed_episode_reply(catalog: Catalog, key: str, lang: Lang, owner_id: int | None) -> Reply:
    """The episode a component names by its key (it may have gone since)."""
    found = find_episode(catalog, key)
    if found is None:
        return missing_episode_reply(catalog, key, lang)
    return episode_reply(catalog, found, lang, owner_id)


def missing_episode_reply(catalog: Catalog, text: str, lang: Lang) -> Reply:
    """No episode by that name; for a number, the nearest numbers that exist."""
    match = EPISODE_KEY.match(text)
    if match:
        number = int(match.group(1))
        near = [f"#{n}" for n in nearest_numbers(catalog, number) if n is not None]
        if near:
            text = t("no_episode_near", lang, number=number, near=", ".join(near))
            return Reply(content=text, ephemeral=True)
    shown = escape_user_text(text, 80)
    return Reply(content=t("no_episode", lang, query=shown), ephemeral=True)


def random_reply(
    catalog: Catalog,
    topic: str,
    lang: Lang,
    owner_id: int | None,
    rng: random.Random | None = None,
) -> Reply:
    found = pick_random(catalog, topic, rng)
    if found is None:
        if topic.strip():
            text = t("random_none", lang, topic=escape_user_text(topic, 80))
        else:
            text = t("no_episodes", lang)
        return Reply(content=text, ephemeral=True)
    return episode_reply(catalog, found, lang, owner_id)


# -- links pages -----------------------------------------------------------------


def links_reply(episode: Episode, lang: Lang, owner_id: int | None, page: int = 0) -> Reply:
    """Every link of ``episode``, paged with buttons when one embed cannot hold them."""
    pages = links_pages(episode, lang)
    page = max(0, min(page, len(pages) - 1))
    row: list[discord.ui.Item[Any]] = []
    if len(pages) > 1:
        key = episode_key(episode)
        for name, target in (("prev", page - 1), ("next", page + 1)):
            row.append(
                LinksPage(
                    lang,
                    owner_id,
                    key,
                    target,
                    label=t(name, lang),
                    disabled=not 0 <= target < len(pages),
                )
            )
    row.extend(link_buttons(episode, lang))
    return Reply(embeds=(pages[page],), view=_view(row), hits=len(episode.references))


def keyed_links_reply(
    catalog: Catalog, key: str, lang: Lang, owner_id: int | None, page: int
) -> Reply:
    found = find_episode(catalog, key)
    if found is None:
        return missing_episode_reply(catalog, key, lang)
    return links_reply(found, lang, owner_id, page)


# -- archive -----------------------------------------------------------------------


def archive_reply(
    catalog: Catalog, year: int | None, page: int, lang: Lang, owner_id: int | None
) -> Reply:
    """One page of ``/episodes [year]``, oldest first, with previous / next buttons."""
    shown, page, pages = archive_page(catalog, year, page)
    known = years(catalog)
    if not shown:
        listed = ", ".join(str(y) for y in known) or "-"
        key = "archive_empty" if year else "no_episodes"
        return Reply(content=t(key, lang, year=year, years=listed), ephemeral=True)
    total = len(archive_page(catalog, year, 0, size=10**9)[0])
    embed = archive_embed(shown, lang, year=year, page=page, pages=pages, count=total, years=known)
    row: list[discord.ui.Item[Any]] = []
    if pages > 1:
        for name, target in (("prev", page - 1), ("next", page + 1)):
            disabled = not 0 <= target < pages
            row.append(
                ArchivePage(lang, owner_id, year, target, label=t(name, lang), disabled=disabled)
            )
    return Reply(embeds=(embed,), view=_view(row), hits=len(shown))


# -- search ------------------------------------------------------------------------


def no_match_reply(query: str, suggestions: Sequence[str], lang: Lang) -> Reply:
    lines = [t("no_match", lang, query=escape_user_text(query, 80))]
    terms = [escape_user_text(s, 40) for s in suggestions[:5] if s.strip()]
    if terms:
        lines.append(t("did_you_mean", lang, terms=", ".join(terms)))
    lines.append(t("try_latest", lang))
    return Reply(content="\n".join(lines), ephemeral=True)


def hits_reply(
    hits: Sequence[Hit], index: int, query: str, lang: Lang, owner_id: int | None
) -> Reply:
    """The short card of ``hits[index]``; a menu of the other matches; listen, show
    notes and all links."""
    hits = hits[:SELECT_OPTIONS_MAX]
    hit = hits[index]
    embed, total = hit_card(hit, lang, position=index + 1, count=len(hits))
    menu: list[discord.ui.Item[Any]] = []
    if len(hits) > 1:
        options = [
            discord.SelectOption(
                label=option_label(h.episode),
                value=episode_key(h.episode),
                description=option_description(h),
                default=i == index,
            )
            for i, h in enumerate(hits)
        ]
        menu.append(PickMatch(lang, owner_id, query, options, t("pick_placeholder", lang)))
    buttons: list[discord.ui.Item[Any]] = list(link_buttons(hit.episode, lang))
    if total:
        buttons.append(_all_links(hit.episode, lang, owner_id))
    return Reply(embeds=(embed,), view=_view(menu, buttons), hits=len(hits))


def search_reply(
    catalog: Catalog,
    query: str,
    lang: Lang,
    *,
    max_chars: int = MAX_QUERY_CHARS,
    owner_id: int | None = None,
    bot_name: str = "bot",
    shown: str | None = None,
) -> Reply:
    """The answer to a topic question, exactly as every front end sends it: help for
    an empty question or "help", else the episode named or the search's hits.
    ``shown`` is the user's text to echo when nothing matched (default: ``query``)."""
    if is_help_request(query):
        return help_reply(lang, bot_name)
    found = answer(catalog, query, max_chars)
    note = t("query_cut", lang, limit=max_chars) if found.cut else None
    if found.empty:
        return help_reply(lang, bot_name)
    if found.episode is not None:
        return episode_reply(catalog, found.episode, lang, owner_id)
    if not found.hits:
        if EPISODE_KEY.match(found.query):
            return missing_episode_reply(catalog, found.query, lang)
        reply = no_match_reply(shown or found.query, found.suggestions, lang)
        return Reply(content=_join(note, reply.content), ephemeral=True)
    reply = hits_reply(found.hits, 0, found.query, lang, owner_id)
    return Reply(content=note, embeds=reply.embeds, view=reply.view, hits=reply.hits)


def picked_reply(
    catalog: Catalog, query: str, key: str, lang: Lang, owner_id: int | None, max_chars: int
) -> Reply:
    """The search card with the match ``key`` picked from the menu (searched again:
    the menu holds only the query)."""
    found = answer(catalog, query, max_chars)
    keys = [episode_key(h.episode) for h in found.hits]
    if key in keys:
        return hits_reply(found.hits, keys.index(key), found.query, lang, owner_id)
    return keyed_episode_reply(catalog, key, lang, owner_id)


def _join(*parts: str | None) -> str | None:
    text = "\n".join(p for p in parts if p)
    return text or None


# -- help --------------------------------------------------------------------------

HELP_WORDS = frozenset({"help", "ヘルプ", "使い方", "つかいかた", "へるぷ", "?", "？", "helpme"})


def is_help_request(text: str) -> bool:
    """Whether a mention or DM asks for help rather than an episode (also when empty)."""
    words = "".join(text.split()).lower().strip("!！。.")
    return not words or words in HELP_WORDS


def help_reply(lang: Lang, bot_name: str = "bot") -> Reply:
    """What the bot does and its commands, one example each, short enough for a phone."""
    body = t("help_body", lang, bot=escape_user_text(bot_name, 32))
    return Reply(content=f"**{t('help_title', lang)}**\n{body}")


# -- errors ------------------------------------------------------------------------


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
