"""Helpers shared by the CLI modules."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings


def add_content_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--content",
        type=Path,
        default=None,
        metavar="DIR",
        help="Hugo content folder (default: CONTENT_DIR or the bundled content/)",
    )


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with ``--content`` applied. Exits on bad config."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        print("Configuration error:\n" + str(exc), file=sys.stderr)
        raise SystemExit(2) from None
    content = getattr(args, "content", None)
    if content is not None:
        settings = settings.model_copy(update={"content_dir": content})
    return settings
