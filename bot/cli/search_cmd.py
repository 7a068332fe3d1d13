"""``python -m bot search``: the bot's search from the terminal, one query or a batch.

With QUERY: the ranked hits (number, title, score, matched section, snippet). Without
QUERY: one query per line on standard input, one answer line per query, so scripts can
batch. ``--json`` prints one JSON object per query. The ranking is ``Catalog.search``,
the same call every front end of the bot makes.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from bot.cli.common import add_content_arg, load_catalog, settings_from_args
from bot.models import Hit, SearchResult

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "search",
        help="search the episodes, like /search does",
        description=(
            "Search the episode notes and print the ranked hits. Without QUERY, read one "
            "query per line from standard input and print one answer line per query."
        ),
    )
    parser.add_argument("query", nargs="*", help='what to look for, e.g. "kubeflowの回"')
    parser.add_argument(
        "--limit", type=int, default=5, metavar="N", help="hits per query (default: 5)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per query")
    add_content_arg(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.limit < 1:
        print("--limit must be at least 1", file=sys.stderr)
        return 2
    settings = settings_from_args(args)
    if not settings.content_dir.is_dir():
        print(f"Content folder not found: {settings.content_dir}", file=sys.stderr)
        return 2
    catalog = load_catalog(settings)
    if args.query:
        result = catalog.search(" ".join(args.query), args.limit)
        print(json.dumps(result_to_dict(result), ensure_ascii=False) if args.json else text(result))
        return 0
    for line in sys.stdin:
        query = line.rstrip("\r\n")
        result = catalog.search(query, args.limit)
        if args.json:
            print(json.dumps(result_to_dict(result), ensure_ascii=False), flush=True)
        else:
            print(one_line(result), flush=True)
    return 0


def hit_to_dict(hit: Hit) -> dict[str, Any]:
    e = hit.episode
    return {
        "path": e.path,
        "number": e.number,
        "title": e.title,
        "score": round(hit.score, 1),
        "section": hit.section.heading if hit.section is not None else None,
        "snippet": hit.snippet,
        "player_url": e.player_url,
        "page_url": e.page_url,
    }


def result_to_dict(result: SearchResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "query": result.query,
        "results": [hit_to_dict(h) for h in result.hits],
    }
    if not result.hits:
        out["suggestions"] = list(result.suggestions)
    return out


def text(result: SearchResult) -> str:
    """Several lines: one block per hit, or why nothing came back."""
    if not result.hits:
        return _nothing(result)
    lines = []
    for rank, hit in enumerate(result.hits, 1):
        lines.append(f"{rank}. {hit.episode.label}  ({hit.score:.1f})")
        if hit.section is not None and hit.section.heading:
            lines.append(f"   § {hit.section.heading}")
        if hit.snippet:
            lines.append(f"   {hit.snippet}")
        lines.append(f"   {hit.episode.path}")
    return "\n".join(lines)


def one_line(result: SearchResult) -> str:
    """The answer to one query of a batch, on one line."""
    if not result.hits:
        return f"{_clean(result.query)}\t{_nothing(result)}"
    hits = " | ".join(f"{h.episode.label} ({h.score:.1f})" for h in result.hits)
    return f"{_clean(result.query)}\t{hits}"


def _nothing(result: SearchResult) -> str:
    if result.suggestions:
        return "no match; did you mean: " + ", ".join(result.suggestions)
    return "no match"


def _clean(text: str) -> str:
    return " ".join(text.split())
