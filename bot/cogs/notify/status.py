"""What ``/notify status`` shows: the subscription, its queue and errors, and the sources.

Built on the state file's thread (it reads the store); a state file that cannot be
written shows in the errors.
"""

from __future__ import annotations

from datetime import datetime

import discord

from bot.i18n import Lang, t
from bot.library.gitsource import GitSource
from bot.library.watch import ContentWatcher
from bot.notify.store import Store, Subscription
from bot.ui.text import COLOR


def status_embed(store: Store, sub: Subscription | None, lang: Lang, sources: str) -> discord.Embed:
    embed = discord.Embed(title=t("status_title", lang), color=COLOR)
    if sub is None:
        embed.description = t("status_off", lang)
    else:
        embed.add_field(name=t("channel", lang), value=f"<#{sub.channel_id}>", inline=True)
        role = f"<@&{sub.role_id}>" if sub.role_id else t("none", lang)
        embed.add_field(name=t("role", lang), value=role, inline=True)
        if sub.last_announced_at is not None:
            last = f"{sub.last_announced_key} ({when(sub.last_announced_at)})"
        else:
            last = t("never", lang)
        embed.add_field(name=t("last_announced", lang), value=last[:1024], inline=False)
        pending = store.pending_count(sub.channel_id)
        failed = store.failed_count(sub.channel_id)
        embed.add_field(name=t("queue", lang), value=f"{pending} / {failed}", inline=True)
        errors: list[str] = []
        if store.fault is not None:
            errors.append(t("state_fault", lang, path=store.path.name, error=store.fault))
        if sub.broken:
            errors.append(t("broken", lang, reason=sub.broken_reason))
        if sub.last_error and sub.last_error_at is not None:
            at = when(sub.last_error_at)
            errors.append(t("last_error", lang, when=at, error=sub.last_error))
        text = "\n".join(errors) or t("no_errors", lang)
        embed.add_field(name=t("errors", lang), value=text[:1024], inline=False)
    embed.add_field(name=t("sources", lang), value=sources[:1024] or "-", inline=False)
    return embed


def sources_text(
    store: Store,
    lang: Lang,
    watcher: ContentWatcher | None,
    feed_url: str | None,
    git: GitSource | None,
) -> str:
    """One line per source of new episodes, with its last result."""
    lines = []
    if watcher is not None:
        lines.append(t("source_watch", lang, mode=t(f"watch_{watcher.mode}", lang)))
    else:
        lines.append(t("source_nowatch", lang))
    if feed_url:
        checked, status, error = store.feed_status(feed_url)
        text = "-" if checked is None else f"{status} ({when(checked)})"
        if error:
            text += f" {error}"
        lines.append(t("source_feed", lang, status=text))
    if git is not None:
        text = git.last_error or (git.revision or "-")[:12]
        lines.append(t("source_git", lang, status=text))
    return "\n".join(lines)


def when(moment: datetime) -> str:
    return discord.utils.format_dt(moment, "R")
