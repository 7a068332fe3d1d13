"""Episodes and search hits -> Discord embeds and link buttons, within Discord's limits.

Every card is fitted to Discord's limits here (the limits, clean cuts with "…" and the
URL check live in ``bot.ui.text``): where something had to go, a link to the
show-notes page says where the rest is. Every URL goes through ``safe_url``: one
Discord would refuse ("Not a well formed URL") is dropped and its text kept. Nothing
here touches the network or the event loop; the interactive views live in
``bot.ui.replies``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import discord

from bot.content.htmltext import html_to_text
from bot.i18n import Lang, language_for, t
from bot.models import Episode, Hit, Reference
from bot.ui.text import (
    AUTHOR_MAX,
    BUTTON_LABEL_MAX,
    BUTTON_URL_MAX,
    CHOICE_MAX,
    COLOR,
    DESCRIPTION_MAX,
    EMBED_TOTAL_MAX,
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    FOOTER_MAX,
    LINK_LINES_IN_EPISODE,
    SELECT_DESCRIPTION_MAX,
    SELECT_LABEL_MAX,
    SNIPPET_BUDGET,
    SUMMARY_BUDGET,
    TITLE_MAX,
    clip,
    link_line,
    neutral,
    one_line,
    safe_url,
)

log = logging.getLogger(__name__)


def date_text(episode: Episode) -> str | None:
    when = episode.sort_date
    return when.strftime("%Y-%m-%d") if when else None


def section_url(episode: Episode, anchor: str) -> str | None:
    if not episode.page_url:
        return None
    return f"{episode.page_url}#{anchor}" if anchor else episode.page_url


# -- fitting ---------------------------------------------------------------------


def pack_lines(lines: Sequence[str], limit: int) -> tuple[str, int]:
    """As many whole lines as fit in ``limit`` characters, and how many that was."""
    out: list[str] = []
    used = 0
    for line in lines:
        extra = len(line) + (1 if out else 0)
        if used + extra > limit:
            break
        out.append(line)
        used += extra
    return "\n".join(out), len(out)


def fit_embed(
    embed: discord.Embed, *, page_url: str | None = None, lang: Lang = "ja"
) -> discord.Embed:
    """Enforce every per-part limit and the 6000 total, in place; returns ``embed``.

    Fields are dropped from the end first, then the description is cut; when
    anything was dropped a last field links to ``page_url``.
    """
    if embed.title:
        embed.title = clip(embed.title, TITLE_MAX)
    if embed.description:
        embed.description = clip(embed.description, DESCRIPTION_MAX)
    if embed.footer.text:
        embed.set_footer(text=clip(embed.footer.text, FOOTER_MAX), icon_url=embed.footer.icon_url)
    if embed.author.name:
        embed.set_author(
            name=clip(embed.author.name, AUTHOR_MAX),
            url=embed.author.url,
            icon_url=embed.author.icon_url,
        )
    fields = [
        (
            clip(f.name or "\u200b", FIELD_NAME_MAX) or "\u200b",
            clip(f.value or "\u200b", FIELD_VALUE_MAX) or "\u200b",
            bool(f.inline),
        )
        for f in embed.fields
    ]
    more = _more_field(page_url, lang)
    dropped = len(fields) > FIELDS_MAX
    fields = fields[:FIELDS_MAX]
    _set_fields(embed, fields)
    while len(embed) > EMBED_TOTAL_MAX and fields:
        fields.pop()
        dropped = True
        _set_fields(embed, fields)
    if dropped and more is not None:
        if len(fields) >= FIELDS_MAX:
            fields.pop()
        _set_fields(embed, [*fields, more])
        while len(embed) > EMBED_TOTAL_MAX and fields:
            fields.pop()
            _set_fields(embed, [*fields, more])
    if len(embed) > EMBED_TOTAL_MAX and embed.description:
        room = len(embed.description) - (len(embed) - EMBED_TOTAL_MAX)
        embed.description = clip(embed.description, max(room, 1))
    if len(embed) > EMBED_TOTAL_MAX:
        log.warning("embed still over the total limit after trimming: %d", len(embed))
    return embed


def _more_field(page_url: str | None, lang: Lang) -> tuple[str, str, bool] | None:
    url = safe_url(page_url)
    if url is None:
        return None
    return ("\u200b", f"[{t('more_on_page', lang)}]({url})", False)


def _set_fields(embed: discord.Embed, fields: Iterable[tuple[str, str, bool]]) -> None:
    embed.clear_fields()
    for name, value, inline in fields:
        embed.add_field(name=name, value=value, inline=inline)


# -- episodes --------------------------------------------------------------------


def references_for(episode: Episode, hit: Hit | None = None) -> list[Reference]:
    """The episode's references, those of the matched section first, without duplicates."""
    first = hit.section.heading if hit is not None and hit.section is not None else None
    refs = list(episode.references)
    if first is not None:
        refs.sort(key=lambda r: r.section != first)
    seen: set[str] = set()
    out = []
    for ref in refs:
        key = ref.url or ref.text
        if key in seen:
            continue
        seen.add(key)
        out.append(ref)
    return out


def episode_embed(
    episode: Episode, *, hit: Hit | None = None, locale: object = "ja"
) -> discord.Embed:
    """The rich card of one episode; with a ``hit``, the matched section and its links."""
    lang = language_for(locale)
    embed = discord.Embed(
        title=clip(neutral(episode.label), TITLE_MAX),
        url=safe_url(episode.page_url),
        description=clip(neutral(html_to_text(episode.summary)), SUMMARY_BUDGET) or None,
        color=COLOR,
    )
    when = date_text(episode)
    if when:
        embed.add_field(name=t("date", lang), value=when, inline=True)
    if episode.authors:
        hosts = ", ".join(neutral(one_line(a)) for a in episode.authors if a.strip())
        if hosts:
            embed.add_field(name=t("hosts", lang), value=clip(hosts, 200), inline=True)
    if hit is not None and (hit.section is not None or hit.snippet):
        section = hit.section
        where = " › ".join(p for p in section.path if p) if section else ""
        where = where or t("matched_lead", lang)
        snippet = clip(neutral(one_line(hit.snippet)), SNIPPET_BUDGET)
        target = section_url(episode, section.anchor if section else "")
        value = snippet or "\u200b"
        if target and safe_url(target):
            jump = f"[{t('more_on_page', lang)}]({safe_url(target)})"
            value = f"{clip(snippet, FIELD_VALUE_MAX - len(jump) - 1)}\n{jump}".strip()
        embed.add_field(
            name=clip(t("matched", lang, where=neutral(one_line(where))), FIELD_NAME_MAX),
            value=clip(value, FIELD_VALUE_MAX),
            inline=False,
        )
    refs = references_for(episode, hit)
    if refs:
        lines = [f"• {link_line(r.text, r.url, limit=300)}" for r in refs[:LINK_LINES_IN_EPISODE]]
        rest = len(refs) - LINK_LINES_IN_EPISODE
        tail = t("links_more", lang, count=rest) if rest > 0 else ""
        value, used = pack_lines(lines, FIELD_VALUE_MAX - len(tail) - 1)
        if used < len(lines) and not tail:
            tail = t("links_more", lang, count=len(refs) - used)
        value = f"{value}\n{tail}".strip()
        embed.add_field(name=t("links", lang), value=clip(value, FIELD_VALUE_MAX), inline=False)
    return fit_embed(embed, page_url=episode.page_url, lang=lang)


def link_buttons(episode: Episode, locale: object = "ja") -> list[discord.ui.Button]:
    """Link buttons "listen" (player) and "show notes" (page), only when present."""
    lang = language_for(locale)
    buttons: list[discord.ui.Button] = []
    for key, url in (("listen", episode.player_url), ("show_notes", episode.page_url)):
        target = safe_url(url)
        if target is not None and len(target) <= BUTTON_URL_MAX:
            label = clip(t(key, lang), BUTTON_LABEL_MAX)
            buttons.append(discord.ui.Button(label=label, url=target))
    return buttons


def episode_links_view(episode: Episode, locale: object = "ja") -> discord.ui.View:
    """A view holding only the link buttons of ``episode`` (no callbacks, no timeout)."""
    view = discord.ui.View(timeout=None)
    for button in link_buttons(episode, locale):
        view.add_item(button)
    return view


def latest_embed(episodes: Sequence[Episode], locale: object = "ja") -> discord.Embed:
    """The newest episodes, one field each (title, date, summary, link)."""
    lang = language_for(locale)
    embed = discord.Embed(title=t("latest_title", lang), color=COLOR)
    if not episodes:
        embed.description = t("no_episodes", lang)
        return embed
    for episode in episodes[: FIELDS_MAX - 1]:
        parts = [
            p
            for p in (
                date_text(episode),
                clip(neutral(one_line(html_to_text(episode.summary))), 300),
            )
            if p
        ]
        url = safe_url(episode.page_url) or safe_url(episode.player_url)
        if url:
            parts.append(f"[{t('show_notes', lang)}]({url})")
        embed.add_field(
            name=clip(neutral(episode.label), FIELD_NAME_MAX),
            value=clip("\n".join(parts) or "\u200b", FIELD_VALUE_MAX),
            inline=False,
        )
    return fit_embed(embed, lang=lang)


# -- links pages -----------------------------------------------------------------

PAGE_BUDGET = 4000  # characters of fields per page, well under the 6000 total
PAGE_FIELDS = 10


def links_pages(episode: Episode, locale: object = "ja") -> list[discord.Embed]:
    """Every reference of ``episode`` grouped by section, over as many embeds as needed."""
    lang = language_for(locale)
    groups: dict[str, list[str]] = {}
    for ref in references_for(episode):
        heading = ref.section or t("lead_section", lang)
        text = ref.text
        if one_line(text) == one_line(ref.section) and ref.url:  # the heading is the link
            text = t("open_article", lang)
        groups.setdefault(heading, []).append(f"• {link_line(text, ref.url, limit=500)}")

    # (name, value) chunks: a section too long for one field continues in the next.
    chunks: list[tuple[str, str]] = []
    for heading, lines in groups.items():
        name = clip(neutral(one_line(heading)), FIELD_NAME_MAX)
        rest = lines
        while rest:
            value, used = pack_lines(rest, FIELD_VALUE_MAX)
            if used == 0:  # a single over-long line: cut it
                value, used = clip(rest[0], FIELD_VALUE_MAX), 1
            chunks.append((name, value))
            rest = rest[used:]
            name = clip(f"{name} (…)", FIELD_NAME_MAX)

    title = clip(t("links_title", lang, label=neutral(episode.label)), TITLE_MAX)
    pages: list[list[tuple[str, str]]] = [[]]
    size = 0
    for name, value in chunks:
        if pages[-1] and (
            size + len(name) + len(value) > PAGE_BUDGET or len(pages[-1]) >= PAGE_FIELDS
        ):
            pages.append([])
            size = 0
        pages[-1].append((name, value))
        size += len(name) + len(value)

    embeds = []
    for number, fields in enumerate(pages, start=1):
        embed = discord.Embed(title=title, url=safe_url(episode.page_url), color=COLOR)
        if not fields:
            embed.description = t("links_none", lang)
        for name, value in fields:
            embed.add_field(name=name, value=value, inline=False)
        if len(pages) > 1:
            embed.set_footer(text=t("links_page", lang, page=number, pages=len(pages)))
        embeds.append(fit_embed(embed, page_url=episode.page_url, lang=lang))
    return embeds


# -- select menus and autocomplete ----------------------------------------------


def option_label(episode: Episode) -> str:
    return clip(one_line(episode.label), SELECT_LABEL_MAX)


def option_description(hit: Hit) -> str | None:
    text = one_line(hit.snippet) or one_line(html_to_text(hit.episode.summary))
    return clip(text, SELECT_DESCRIPTION_MAX) or None


def choice_name(text: str) -> str:
    return clip(one_line(text), CHOICE_MAX) or "?"
