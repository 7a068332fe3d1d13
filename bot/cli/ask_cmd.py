"""``python -m bot ask QUERY``: print the reply the bot would send, as text.

The reply is built by the same function the mention handler uses
(``bot.ui.replies.search_reply``) and rendered with ``bot.ui.render``; no token and
no network are needed.
"""

from __future__ import annotations

import argparse
import logging

from bot.cli.common import add_content_arg, load_catalog, settings_from_args

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ask",
        help="print the bot's reply to a question, offline",
        description=(
            "Answer QUERY as the bot answers a mention or /search, and print the "
            "reply as text (embed fields, buttons as links)."
        ),
    )
    parser.add_argument("query", nargs="+", help='the question, e.g. "kubeflowの回ある？"')
    parser.add_argument(
        "--lang",
        choices=("ja", "en"),
        default="ja",
        help="reply language (default: ja, as for mentions)",
    )
    add_content_arg(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.ui.render import render_reply
    from bot.ui.replies import search_reply

    settings = settings_from_args(args)
    if not settings.content_dir.is_dir():
        print(f"Content folder not found: {settings.content_dir}")
        return 2
    catalog = load_catalog(settings)
    reply = search_reply(
        catalog,
        " ".join(args.query),
        args.lang,
        max_chars=settings.max_query_chars,
        owner_id=None,
    )
    print(render_reply(reply))
    return 0
