"""Typed settings, built by one function and validated at start.

Nothing happens at import time. ``Settings`` can be built directly in code (tests do);
``load_settings()`` reads the process environment and an optional ``.env`` file and
turns every wrong value into one line naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from bot.search.query import MAX_QUERY_CHARS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CONTENT = PROJECT_ROOT / "content"


class ConfigError(Exception):
    """One or more settings are wrong; ``str()`` has one line per variable."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class Settings(BaseModel):
    """Every setting of the bot. Field ``foo_bar`` is read from variable ``FOO_BAR``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Content
    content_dir: Path = Field(BUNDLED_CONTENT, description="Hugo content folder to index.")
    site_base_url: str = Field(
        "http://localhost:1313/",
        description=(
            "Base URL of the Hugo site, for show-notes links "
            "(unset: `baseURL` from the site's Hugo config when found)."
        ),
    )
    podcast_sections: tuple[str, ...] = Field(
        ("podcast", "talk", "episode", "episodes"),
        description="Top-level sections whose pages are episodes (comma-separated).",
    )
    site_timezone: str = Field(
        "Asia/Tokyo", description="Time zone for front matter dates written without one."
    )
    max_note_bytes: int = Field(
        2_000_000, gt=0, description="Notes larger than this are skipped with a warning."
    )

    # State
    data_dir: Path = Field(
        Path("data"), description="Folder for the state file, git checkout and start-up snapshot."
    )
    state_path: Path | None = Field(
        None, description="SQLite state file (default: DATA_DIR/state.db)."
    )

    # Discord
    discord_token: SecretStr | None = Field(None, description="Bot token (never logged).")
    discord_token_file: Path | None = Field(
        None, description="File holding the bot token (Docker secrets)."
    )
    owner_ids: tuple[int, ...] = Field(
        (), description="User ids allowed to run owner commands (default: the app owner)."
    )
    dev_guild_id: int | None = Field(
        None, description="Guild to sync commands to instantly while developing."
    )
    search_cooldown_rate: int = Field(5, gt=0, description="Searches a user may make per period.")
    search_cooldown_seconds: float = Field(
        30.0, gt=0, description="Length of the per-user search cooldown period."
    )
    max_query_chars: int = Field(
        MAX_QUERY_CHARS, gt=0, description="Longer queries are cut to this length."
    )
    semantic_search: bool = Field(
        True,
        description="Add meaning-based search (sentence embeddings, built in the background).",
    )
    semantic_lines: bool = Field(
        True,
        description=(
            "Embed each line of the notes too, not only each section: concepts are found in"
            " the line that names them; about 8x the passages, embedding time and vectors."
        ),
    )
    semantic_threads: int = Field(
        2,
        gt=0,
        le=16,
        description=(
            "Threads that embed the notes in the background, each with its own copy of the"
            " model (made for a batch and let go after it); on two cores 2 take 58% of the"
            " time of 1."
        ),
    )
    vector_cache: Path | None = Field(
        None, description="Cache of passage embeddings (default: DATA_DIR/vectors.db)."
    )
    synonyms_file: Path | None = Field(
        None,
        description="Site-owner synonyms, YAML (default: synonyms.yaml beside the content folder).",
    )

    # Notifications
    watch_content: bool = Field(True, description="Watch the content folder for changes.")
    watch_poll_seconds: float = Field(
        0.0,
        ge=0,
        description=(
            "Poll the content folder every N seconds instead of OS events (0: use events)."
        ),
    )
    feed_url: str | None = Field(None, description="Podcast RSS feed to poll for new episodes.")
    feed_interval_seconds: float = Field(600.0, gt=0, description="Feed polling interval.")
    content_git_url: str | None = Field(
        None, description="Git repository of the site to clone and pull."
    )
    content_git_branch: str = Field("main", description="Branch of CONTENT_GIT_URL.")
    content_git_subdir: str = Field(
        "content", description="Content folder inside the git repository."
    )
    content_git_interval_seconds: float = Field(300.0, gt=0, description="Git pull interval.")
    catchup_limit: int = Field(
        5, ge=0, description="At most this many missed episodes are announced after downtime."
    )

    # Operations
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level."
    )
    log_format: Literal["text", "json"] = Field("text", description="Log line format.")
    health_file: Path | None = Field(
        None,
        description="Heartbeat file for the health check (default: DATA_DIR/health.json).",
    )

    @field_validator("podcast_sections", "owner_ids", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("site_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value if value.endswith("/") else value + "/"

    @field_validator("site_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def base_url_setting(self) -> str | None:
        """SITE_BASE_URL when it was set, None when it is only the default."""
        return self.site_base_url if "site_base_url" in self.model_fields_set else None

    @property
    def state_file(self) -> Path:
        return self.state_path or self.data_dir / "state.db"

    @property
    def synonyms_path(self) -> Path:
        """SYNONYMS_FILE, else synonyms.yaml in the site (the folder above content/),
        else in the site's Hugo data/ folder."""
        if self.synonyms_file is not None:
            return self.synonyms_file
        site = self.content_dir.parent
        beside = site / "synonyms.yaml"
        return beside if beside.exists() else site / "data" / "synonyms.yaml"

    @property
    def vector_cache_path(self) -> Path:
        return self.vector_cache or self.data_dir / "vectors.db"

    @property
    def snapshot_path(self) -> Path:
        """The start-up snapshot's folder (``bot.library.snapshot``): DATA_DIR/snapshot."""
        return self.data_dir / "snapshot"

    @property
    def health_path(self) -> Path:
        return self.health_file or self.data_dir / "health.json"

    def token(self) -> str | None:
        """The bot token from DISCORD_TOKEN or DISCORD_TOKEN_FILE, or None."""
        if self.discord_token is not None and self.discord_token.get_secret_value().strip():
            return self.discord_token.get_secret_value().strip()
        if self.discord_token_file is not None:
            try:
                text = self.discord_token_file.read_text(encoding="utf-8").strip()
            except OSError:
                return None
            return text or None
        return None


def env_name(field: str) -> str:
    return field.upper()


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | str | None = ".env"
) -> Settings:
    """Build ``Settings`` from the environment (and ``env_file`` when it exists).

    Variables in the environment win over the file. Raises ``ConfigError`` with one
    line per wrong variable; values of secrets are never included.
    """
    env = dict(os.environ if environ is None else environ)
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(env)

    raw: dict[str, object] = {}
    for name in Settings.model_fields:
        value = values.get(env_name(name))
        if value is None or value == "":
            continue
        raw[name] = value
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            message = err["msg"].removeprefix("Value error, ")
            problems.append(f"{env_name(field)}: {message}")
        raise ConfigError(problems) from None
