"""What ``/notify status`` shows: each subscription, its queue and errors, the sources
(last success, last error), the admin channel and live events that failed.

Built on the state file's thread (it reads the store); a state file that cannot be
written shows in the errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord

from bot.i18n import Lang, t
from bot.library.gitsource import GitSource
from bot.library.watch import ContentWatcher
from bot.notify.contract import StateStore
from bot.notify.health import AlertChannel, HealthBook, SourceHealth
from bot.notify.live import LiveRow
from bot.notify.sources import Source
from bot.notify.store import Subscription
from bot.ui.text import COLOR

SUBS_SHOWN = 20  # fields left for the rest of the embed (25 at most)


def status_embed(
    store: StateStore,
    subs: list[Subscription],
    lang: Lang,
    sources: str,
    alerts: AlertChannel | None = None,
    live: list[LiveRow] | None = None,
) -> discord.Embed:
    """Every subscription of the server (one field each), the sources, the admin
    channel and the live events with an error."""
    embed = discord.Embed(title=t("status_title", lang), color=COLOR)
    if not subs:
        embed.description = t("status_off", lang)
    for sub in subs[:SUBS_SHOWN]:
        embed.add_field(
            name=t(f"kind_{sub.kind}", lang), value=subscription_text(store, sub, lang)[:1024]
        )
    if store.fault is not None:
        fault = t("state_fault", lang, path=store.path.name, error=store.fault)
        embed.add_field(name=t("errors", lang), value=fault[:1024], inline=False)
    embed.add_field(name=t("sources", lang), value=sources[:1024] or "-", inline=False)
    where = f"<#{alerts.channel_id}>" if alerts else t("none", lang)
    if alerts:
        where += " " + t("alerts_after", lang, minutes=int(alerts.after.total_seconds() // 60))
    embed.add_field(name=t("alerts_title", lang), value=where, inline=False)
    troubled = [row for row in live or () if row.last_error]
    if troubled:
        text = "\n".join(f"{row.spec.name}: {row.last_error}" for row in troubled[:5])
        embed.add_field(name=t("live_title", lang), value=text[:1024], inline=False)
    return embed


def subscription_text(store: StateStore, sub: Subscription, lang: Lang) -> str:
    """One subscription: where, role, extras, last announced, queue and errors."""
    role = f"<@&{sub.role_id}>" if sub.role_id else t("none", lang)
    lines = [f"<#{sub.channel_id}> · {t('role', lang)}: {role}"]
    extras = []
    if sub.template:
        extras.append(t("has_template", lang))
    if sub.thread:
        extras.append(t("has_thread", lang))
    if sub.forum_tag_id:
        extras.append(t("has_tag", lang))
    if extras:
        lines.append(" · ".join(extras))
    if sub.last_announced_at is not None:
        last = f"{sub.last_announced_key} ({when(sub.last_announced_at)})"
    else:
        last = t("never", lang)
    lines.append(f"{t('last_announced', lang)}: {last}")
    pending = store.pending_count(sub.channel_id)
    failed = store.failed_count(sub.channel_id)
    lines.append(f"{t('queue', lang)}: {pending} / {failed}")
    if sub.broken:
        lines.append(t("broken", lang, reason=sub.broken_reason))
    if sub.last_error and sub.last_error_at is not None:
        lines.append(t("last_error", lang, when=when(sub.last_error_at), error=sub.last_error))
    return "\n".join(lines)


def sources_text(
    store: StateStore,
    health: HealthBook,
    lang: Lang,
    watcher: ContentWatcher | None,
    sources: Sequence[Source],
    git: GitSource | None,
) -> str:
    """One line per source of new episodes: its state, last success and last error
    (the content watch, each source with a state of its own, the git pull)."""
    known = health.all()
    lines = []
    if watcher is not None:
        mode = t(f"watch_{watcher.mode}", lang)
        lines.append(t("source_watch", lang, mode=mode) + _health(known.get("watch"), lang))
    else:
        lines.append(t("source_nowatch", lang))
    for source in sources:
        state = source.state()
        if state is None:
            continue
        text = "-" if state.checked_at is None else f"{state.status} ({when(state.checked_at)})"
        if state.error:
            text += f" {state.error}"
        line = t(f"source_{source.name}", lang, status=text)
        lines.append(line + _health(known.get(source.name), lang))
    if git is not None:
        text = git.last_error or (git.revision or "-")[:12]
        lines.append(t("source_git", lang, status=text) + _health(known.get("git"), lang))
    return "\n".join(lines)


def _health(health: SourceHealth | None, lang: Lang) -> str:
    if health is None:
        return ""
    ok = when(health.last_success_at) if health.last_success_at else t("never", lang)
    text = f"\n  {t('last_success', lang)}: {ok}"
    if health.last_error and health.last_error_at:
        error = health.last_error[:200]
        text += f"\n  {t('last_error', lang, when=when(health.last_error_at), error=error)}"
    return text


def when(moment: datetime) -> str:
    return discord.utils.format_dt(moment, "R")
