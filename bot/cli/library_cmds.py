"""``check``, ``list`` and ``show``: look at the episode library from the terminal.

Thin over ``bot.content.load_site``: each command loads the folder once and prints.
JSON output (``--json``) has ISO 8601 dates and paths relative to the content folder.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.cli.common import add_content_arg, base_url_of, base_url_warning, settings_from_args
from bot.content import load_site
from bot.content.siteconfig import holds_content_folder
from bot.library.catalog import site_options
from bot.library.snapshot import SnapshotState, load_notes
from bot.models import Episode, LoadResult


def register(subparsers: argparse._SubParsersAction) -> None:
    check = subparsers.add_parser(
        "check",
        help="load the notes and report episodes, gaps and warnings",
        description="Load the content folder and report the episode count, episodes "
        "without a number or player, drafts and future pages, and every warning. "
        "Exit status 2 only when the folder itself is unusable.",
    )
    add_content_arg(check)
    check.set_defaults(func=run_check)

    listing = subparsers.add_parser(
        "list",
        help="list every episode (drafts and future ones marked)",
        description="List every episode read from the content folder, oldest first.",
    )
    add_content_arg(listing)
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.set_defaults(func=run_list)

    show = subparsers.add_parser(
        "show",
        help="show one episode with its sections and references",
        description="Show every field of one episode, found by number (16, #16) or by "
        "its path (podcast/0016/index.md, podcast/0016).",
    )
    add_content_arg(show)
    show.add_argument("episode", metavar="NUMBER|PATH", help="episode number or note path")
    show.add_argument("--json", action="store_true", help="print JSON for scripts")
    show.set_defaults(func=run_show)


# -- loading -------------------------------------------------------------------


def _load(
    args: argparse.Namespace, snapshot: list[SnapshotState] | None = None
) -> tuple[Path, LoadResult] | None:
    """The notes as the bot reads them; with ``snapshot`` (a list), through the start-up
    snapshot (read, never written), whose state is appended to it."""
    settings = settings_from_args(args)
    try:
        if snapshot is None:
            result = load_site(settings.content_dir, site_options(settings))
        else:
            result, state = load_notes(
                settings.snapshot_path, settings.content_dir, site_options(settings)
            )
            snapshot.append(state)
    except (FileNotFoundError, NotADirectoryError, PermissionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("Point --content (or CONTENT_DIR) at the site's content folder.", file=sys.stderr)
        return None
    return settings.content_dir, result


def _now() -> datetime:
    return datetime.now(UTC)


def _date(value: datetime | None) -> str:
    return value.date().isoformat() if value else "----------"


def _flags(episode: Episode, now: datetime) -> str:
    flags = []
    if episode.draft:
        flags.append("draft")
    if episode.released_at and episode.released_at > now:
        flags.append(f"future: {episode.released_at.isoformat()}")
    if episode.expiry_date and episode.expiry_date <= now:
        flags.append("expired")
    return f"  [{', '.join(flags)}]" if flags else ""


# -- check ---------------------------------------------------------------------


def run_check(args: argparse.Namespace) -> int:
    snapshot: list[SnapshotState] = []
    loaded = _load(args, snapshot)
    if loaded is None:
        return 2
    root, result = loaded
    now = _now()
    episodes = sorted(result.episodes, key=Episode.oldest_first_key)
    numbered = [e for e in episodes if e.number is not None]
    print(f"Content folder: {root}")
    if holds_content_folder(root):
        print(
            f"warning: {root} holds a content/ folder: it looks like the site root. "
            f"Point --content (or CONTENT_DIR) at {root / 'content'}; read as given, "
            "pages get /content/... URLs."
        )
    settings = settings_from_args(args)
    chosen = base_url_of(settings, root)
    print(f"Show-notes links: {chosen.url} (from {chosen.source})")
    problem = base_url_warning(settings, root)
    if problem:
        print(f"warning: {problem}")
    print(
        f"{len(episodes)} episodes ({len(numbered)} numbered, "
        f"{len(episodes) - len(numbered)} without a number) from {result.pages_seen} pages"
    )
    groups = (
        ("Without a number", [e for e in episodes if e.number is None]),
        ("Without a player", [e for e in episodes if e.player_url is None]),
        ("Drafts", [e for e in episodes if e.draft]),
        (
            "Not published yet (future date)",
            [e for e in episodes if e.released_at and e.released_at > now],
        ),
        ("Expired", [e for e in episodes if e.expiry_date and e.expiry_date <= now]),
    )
    for title, members in groups:
        print(f"{title}: {len(members)}")
        for e in members:
            print(f"  {e.path}  {e.label}")
    print(f"Warnings: {len(result.warnings)}")
    for warning in result.warnings:
        print(f"  {warning.path}: {warning.reason}")
    print(f"Start-up snapshot: {snapshot[0]}")
    return 0


# -- list ----------------------------------------------------------------------


def run_list(args: argparse.Namespace) -> int:
    loaded = _load(args)
    if loaded is None:
        return 2
    _, result = loaded
    episodes = sorted(result.episodes, key=Episode.oldest_first_key)
    if args.json:
        now = _now()
        payload = [episode_to_dict(e, now) for e in episodes]
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    now = _now()
    for e in episodes:
        number = f"#{e.number}" if e.number is not None else "-"
        print(f"{number:>5}  {_date(e.sort_date)}  {e.title}  ({e.path}){_flags(e, now)}")
    print(f"{len(episodes)} episodes", file=sys.stderr)
    return 0


# -- show ----------------------------------------------------------------------


def find_episodes(result: LoadResult, root: Path, key: str) -> list[Episode]:
    """Episodes matching a number (``16``, ``#16``) or a note path."""
    wanted = key.strip().lstrip("#＃")
    if wanted.isdigit():
        return [e for e in result.episodes if e.number == int(wanted)]
    by_path = {e.path: e for e in result.episodes}
    candidates = [key.strip().replace("\\", "/").strip("/")]
    given = Path(key)
    with contextlib.suppress(ValueError, OSError):  # a path outside the folder
        candidates.append(given.resolve().relative_to(root.resolve()).as_posix())
    for candidate in candidates:
        for path in (candidate, f"{candidate}/index.md", f"{candidate}.md"):
            if path in by_path:
                return [by_path[path]]
    return [e for e in result.episodes if e.path.endswith("/" + candidates[0])]


def run_show(args: argparse.Namespace) -> int:
    loaded = _load(args)
    if loaded is None:
        return 2
    root, result = loaded
    found = sorted(find_episodes(result, root, args.episode), key=lambda e: e.path)
    if not found:
        print(f"error: no episode {args.episode!r} in {root}", file=sys.stderr)
        return 1
    now = _now()
    if args.json:
        payload: Any = [episode_to_dict(e, now) for e in found]
        print(
            json.dumps(payload[0] if len(payload) == 1 else payload, ensure_ascii=False, indent=2)
        )
        return 0
    for index, episode in enumerate(found):
        if index:
            print()
        _print_episode(episode, now)
    return 0


def _print_episode(e: Episode, now: datetime) -> None:
    print(e.label + _flags(e, now))
    fields = (
        ("path", e.path),
        ("number", e.number),
        ("raw title", e.raw_title),
        ("category", e.category),
        ("date", e.date.isoformat() if e.date else None),
        ("publish date", e.publish_date.isoformat() if e.publish_date else None),
        ("expiry date", e.expiry_date.isoformat() if e.expiry_date else None),
        ("draft", "yes" if e.draft else None),
        ("authors", ", ".join(e.authors)),
        ("tags", ", ".join(e.tags)),
        ("categories", ", ".join(e.categories)),
        ("player", e.player_url),
        ("embed", e.embed_url),
        ("page", e.page_url),
    )
    for name, value in fields:
        if value not in (None, ""):
            print(f"  {name + ':':<14}{value}")
    if e.summary:
        print("  summary:")
        for line in e.summary.splitlines():
            print(f"    {line}")
    print(f"Sections ({len(e.sections)}):")
    for s in e.sections:
        heading = " > ".join(s.path) if s.path else "(lead)"
        anchor = f"  #{s.anchor}" if s.anchor else ""
        print(f"  {'#' * s.level}{' ' if s.level else ''}{heading}{anchor}")
        if s.text:
            first = s.text.splitlines()[0]
            more = " ..." if "\n" in s.text or len(first) > 70 else ""
            print(f"      {first[:70]}{more}")
    print(f"References ({len(e.references)}):")
    for r in e.references:
        section = r.section or "(lead)"
        print(f"  [{section}] {r.text}\n      {r.url}")


def episode_to_dict(e: Episode, now: datetime | None = None) -> dict[str, Any]:
    """An episode as JSON-ready data: ISO 8601 dates, paths relative to the content folder."""
    moment = now or _now()
    data: dict[str, Any] = {
        "path": e.path,
        "number": e.number,
        "label": e.label,
        "raw_title": e.raw_title,
        "title": e.title,
        "category": e.category,
        "summary": e.summary,
        "date": e.date.isoformat() if e.date else None,
        "publish_date": e.publish_date.isoformat() if e.publish_date else None,
        "expiry_date": e.expiry_date.isoformat() if e.expiry_date else None,
        "draft": e.draft,
        "published": e.is_published(moment),
        "authors": list(e.authors),
        "tags": list(e.tags),
        "categories": list(e.categories),
        "player_url": e.player_url,
        "embed_url": e.embed_url,
        "page_url": e.page_url,
    }
    data["references"] = [
        {"text": r.text, "url": r.url, "section": r.section} for r in e.references
    ]
    data["sections"] = [
        {
            "heading": s.heading,
            "level": s.level,
            "path": list(s.path),
            "anchor": s.anchor,
            "text": s.text,
        }
        for s in e.sections
    ]
    data["extra"] = dict(e.extra)
    return data
