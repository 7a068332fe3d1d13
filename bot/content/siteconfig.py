"""The site's own ``baseURL``, read from its Hugo config next to the content folder.

Show-notes links are only right when they start with the site's address. Hugo keeps it
as ``baseURL`` in ``hugo.toml`` / ``config.toml`` (or ``.yaml`` / ``.json``) in the site
root, or in ``config/_default/``. ``choose_base_url`` decides which address the bot
uses and says where it came from: ``SITE_BASE_URL`` when set, else the Hugo config
when there is one beside the content folder, else the default (right only for the
bundled sample). Pure: reads files, never the network.
"""

from __future__ import annotations

import json
import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path

import yaml

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "http://localhost:1313/"
CONFIG_NAMES = tuple(
    f"{stem}.{ext}" for stem in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json")
)
CONFIG_DIRS = ("", "config/_default")


@dataclass(frozen=True, slots=True)
class BaseUrl:
    """The base URL of show-notes links and where it came from."""

    url: str
    source: str  # "SITE_BASE_URL", "baseURL in <path>" or "default"

    @property
    def is_default(self) -> bool:
        return self.source == "default"


def config_files(site_root: Path) -> list[Path]:
    """Hugo config files of ``site_root``, in the order Hugo prefers them."""
    found = []
    for folder in CONFIG_DIRS:
        for name in CONFIG_NAMES:
            path = site_root / folder / name if folder else site_root / name
            if path.is_file():
                found.append(path)
    return found


def read_base_url(path: Path) -> str | None:
    """``baseURL`` of one Hugo config file (any key case), or None."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            data: object = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        log.warning("cannot read the Hugo config %s: %s", path, exc)
        return None
    if not isinstance(data, dict):
        return None
    for key, value in data.items():
        if str(key).lower() == "baseurl" and isinstance(value, str) and value.strip():
            url = value.strip()
            if url.startswith(("http://", "https://")):
                return url if url.endswith("/") else url + "/"
    return None


def hugo_base_url(content_dir: Path) -> BaseUrl | None:
    """The ``baseURL`` of the Hugo site whose content folder is ``content_dir``."""
    for path in config_files(content_dir.parent):
        url = read_base_url(path)
        if url:
            return BaseUrl(url, f"baseURL in {path}")
    return None


def choose_base_url(configured: str | None, content_dir: Path) -> BaseUrl:
    """``configured`` (SITE_BASE_URL) when set, else the site's Hugo config, else the
    default."""
    if configured:
        return BaseUrl(configured, "SITE_BASE_URL")
    return hugo_base_url(content_dir) or BaseUrl(DEFAULT_BASE_URL, "default")


def holds_content_folder(folder: Path) -> bool:
    """Whether ``folder`` looks like a Hugo site root (it has a ``content/`` folder)
    rather than the content folder itself."""
    return (folder / "content").is_dir()
