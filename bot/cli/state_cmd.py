"""``python -m bot state backup PATH`` and ``python -m bot state restore PATH``.

Each calls one function of ``bot.notify.statefile`` on ``STATE_PATH`` and turns its
refusal into one line on standard error (exit 1). ``backup`` is safe while the bot
runs; ``restore`` replaces the state file, so the bot must be stopped first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.common import settings_from_args
from bot.notify.statefile import StoreError, backup, restore


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "state",
        help="back up or restore the notification state file",
        description=(
            "Copy the state file (STATE_PATH: subscriptions, announcement rows, seen "
            "episodes) to a backup, or replace it with one. Backing up is safe while the "
            "bot runs; stop the bot before restoring."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    save = actions.add_parser("backup", help="copy the state file to PATH")
    save.add_argument("path", type=Path, metavar="PATH")
    save.set_defaults(func=cmd_backup)
    load = actions.add_parser("restore", help="replace the state file with the copy PATH")
    load.add_argument("path", type=Path, metavar="PATH")
    load.set_defaults(func=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    state = settings_from_args(args).state_file
    try:
        backup(state, args.path)
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"backed up {state} to {args.path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    state = settings_from_args(args).state_file
    try:
        version = restore(args.path, state)
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"restored {state} from {args.path} (schema version {version}); start the bot")
    return 0
