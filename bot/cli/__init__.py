"""Command-line interface: one thin module per group of subcommands.

Each module exposes ``register(subparsers)`` and sets ``func`` on its parsers; ``func``
takes the parsed arguments and returns the exit status. The CLI only translates
between the terminal and the core.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from bot.cli import (
    ask_cmd,
    doctor_cmd,
    library_cmds,
    run_cmd,
    search_cmd,
    state_cmd,
    sync_cmd,
)

MODULES = (run_cmd, sync_cmd, library_cmds, search_cmd, ask_cmd, doctor_cmd, state_cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Discord companion for a podcast's Hugo show notes.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe is found here, not at exit
        return status
    except BrokenPipeError:
        # the reader went away ("scripts/run list | head"): no traceback, and none at
        # exit either when Python flushes stdout again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
