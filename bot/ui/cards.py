"""The short cards that fit a phone: a search hit in about 12 lines, the related
episodes field, and a page of the archive. Pure of network; see ``bot.ui.embeds`` for
the full episode card and the limits.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import discord

from bot.content.htmltext import html_to_text
from bot.i18n import Lang, t
from bot.models import Episode, Hit, Reference
from bot.ui.embeds import date_text, fit_embed, references_for, section_url
from bot.ui.text import (
    COLOR,
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    TITLE_MAX,
    clip,
    link_line,
    neutral,
    one_line,
    safe_url,
)

CARD_SUMMARY = 90  # one line on a phone, roughly
CARD_SNIPPET = 110
CARD_LINKS = 3
CARD_LINK_TEXT = 60


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKC", one_line(text).replace("…", "")).casefold()
    return "".join(text.split())


def repeats_summary(snippet: str, summary: str) -> bool:
    """Whether the snippet says what the summary already says (then it is left out)."""
    a, b = _folded(snippet), _folded(html_to_text(summary))
    if not a or not b:
        return False
    probe = a[: min(len(a), 30)]
    return probe in b or b[: min(len(b), 30)] in a


def section_links(episode: Episode, hit: Hit | None) -> tuple[list[Reference], int]:
    """The links to show on a card (those of the matched section when it has any, else
    the first ones), at most ``CARD_LINKS``; and how many links the episode has."""
    refs = references_for(episode, hit)
    heading = hit.section.heading if hit is not None and hit.section is not None else None
    mine = [r for r in refs if heading is not None and r.section == heading]
    return (mine or refs)[:CARD_LINKS], len(refs)


def hit_card(
    hit: Hit, lang: Lang, *, position: int = 1, count: int = 1
) -> tuple[discord.Embed, int]:
    """A search hit as a short card; and how many links the episode has in all."""
    episode = hit.episode
    summary = clip(neutral(one_line(html_to_text(episode.summary))), CARD_SUMMARY)
    embed = discord.Embed(
        title=clip(neutral(episode.label), TITLE_MAX),
        url=safe_url(episode.page_url),
        description=summary or None,
        color=COLOR,
    )
    snippet = clip(neutral(one_line(hit.snippet)), CARD_SNIPPET)
    if snippet and not repeats_summary(hit.snippet, episode.summary):
        section = hit.section
        where = " › ".join(p for p in section.path if p) if section else ""
        where = where or t("matched_lead", lang)
        target = safe_url(section_url(episode, section.anchor if section else ""))
        value = f"{snippet} [{t('more_short', lang)}]({target})" if target else snippet
        embed.add_field(
            name=clip(t("matched", lang, where=neutral(one_line(where))), FIELD_NAME_MAX),
            value=clip(value, FIELD_VALUE_MAX),
            inline=False,
        )
    links, total = section_links(episode, hit)
    if links:
        lines = [f"• {link_line(r.text, r.url, limit=300)}" for r in links]
        for i, ref in enumerate(links):
            if len(ref.text) > CARD_LINK_TEXT:
                lines[i] = f"• {link_line(clip(ref.text, CARD_LINK_TEXT), ref.url, limit=300)}"
        name = (
            t("links", lang)
            if total <= len(links)
            else t("links_count", lang, shown=len(links), total=total)
        )
        embed.add_field(name=name, value=clip("\n".join(lines), FIELD_VALUE_MAX), inline=False)
    parts = []
    when = date_text(episode)
    if when:
        parts.append(t("card_footer", lang, date=when))
    if count > 1:
        parts.append(t("card_position", lang, pos=position, count=count))
    if parts:
        embed.set_footer(text=" · ".join(parts))
    return fit_embed(embed, page_url=episode.page_url, lang=lang), total


def add_related(embed: discord.Embed, related: Sequence[Episode], lang: Lang) -> discord.Embed:
    """A "related episodes" field: one linked line per episode."""
    if not related:
        return embed
    lines = [f"• {link_line(clip(e.label, 80), e.page_url, limit=300)}" for e in related]
    embed.add_field(name=t("related", lang), value=clip("\n".join(lines), FIELD_VALUE_MAX))
    return fit_embed(embed, lang=lang)


def archive_embed(
    episodes: Sequence[Episode],
    lang: Lang,
    *,
    year: int | None,
    page: int,
    pages: int,
    count: int,
    years: Sequence[int],
) -> discord.Embed:
    """One page of the archive: a linked line per episode with its date."""
    title = t("archive_title_year", lang, year=year) if year else t("archive_title", lang)
    lines = []
    for episode in episodes:
        when = date_text(episode) or ""
        label = link_line(clip(episode.label, 70), episode.page_url, limit=400)
        lines.append(f"{label} {when}".rstrip())
    embed = discord.Embed(title=title, description="\n".join(lines) or None, color=COLOR)
    shown = ", ".join(str(y) for y in years) or "-"
    embed.set_footer(
        text=t("archive_footer", lang, page=page + 1, pages=pages, count=count, years=shown)
    )
    return fit_embed(embed, lang=lang)
