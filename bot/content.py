"""Hugo content folder -> episodes. (Interface only; being written.)"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.models import Episode, LoadResult, LoadWarning


@dataclass(frozen=True, slots=True)
class SiteOptions:
    base_url: str = "http://localhost:1313/"
    podcast_sections: tuple[str, ...] = ("podcast", "talk", "episode", "episodes")
    timezone: str = "Asia/Tokyo"
    max_bytes: int = 2_000_000

    @classmethod
    def from_settings(cls, settings: Settings) -> SiteOptions:
        return cls(
            base_url=settings.site_base_url,
            podcast_sections=settings.podcast_sections,
            timezone=settings.site_timezone,
            max_bytes=settings.max_note_bytes,
        )


def load_site(content_dir: Path, options: SiteOptions) -> LoadResult:
    """Every episode under ``content_dir``; never raises for a bad note."""
    raise NotImplementedError


def load_page(
    content_dir: Path, rel_path: str, options: SiteOptions
) -> tuple[Episode | None, list[LoadWarning]]:
    """One note by its path relative to ``content_dir``: the episode (None when the file
    is gone or is not an episode) and the warnings it raised."""
    raise NotImplementedError
