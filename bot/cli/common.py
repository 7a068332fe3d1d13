"""Helpers shared by the CLI modules."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import BUNDLED_CONTENT, ConfigError, Settings, load_settings
from bot.content.siteconfig import BaseUrl, choose_base_url

if TYPE_CHECKING:
    from bot.library.catalog import Catalog

log = logging.getLogger(__name__)


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


def load_catalog(settings: Settings) -> Catalog:
    """The catalog the bot would serve, read in full, with its semantic index built
    (from the vector cache, else embedded now: the first run on a site takes a while),
    so the CLI answers exactly what the bot answers once it is warm."""
    from bot.library.catalog import Catalog

    catalog = Catalog.from_settings(settings)
    result = catalog.load()
    for warning in result.warnings:
        log.warning("skipped or partly read note: %s", warning)
    if not catalog.wait_semantic(2.0):
        print(
            "Building the meaning-based index (first run on this site; "
            "SEMANTIC_SEARCH=false skips it) ...",
            file=sys.stderr,
        )
        catalog.wait_semantic()
    return catalog


def base_url_of(settings: Settings, folder: Path | None = None) -> BaseUrl:
    """The show-notes base URL the bot uses for ``folder`` (default CONTENT_DIR)."""
    return choose_base_url(settings.base_url_setting, folder or settings.content_dir)


def base_url_warning(settings: Settings, folder: Path | None = None) -> str | None:
    """Why the show-notes links would be wrong: the default base URL on a site that is
    not the bundled sample. None when they are fine."""
    folder = folder or settings.content_dir
    chosen = base_url_of(settings, folder)
    if not chosen.is_default or _same(folder, BUNDLED_CONTENT):
        return None
    return (
        f"SITE_BASE_URL is not set and no Hugo config with baseURL was found beside "
        f"{folder}: show-notes links would point at {chosen.url}. "
        "Set SITE_BASE_URL to the site's address (e.g. https://example.com/)."
    )


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
