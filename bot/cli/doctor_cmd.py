"""``python -m bot doctor``: is this deployment fit to run? No gateway connection needed.

Checks, in order: settings, token (present, never shown), content (loads; count and
warnings), the start-up snapshot (usable; notes it holds), state and heartbeat files
writable, feed reachable (when FEED_URL is set), git remote reachable (when
CONTENT_GIT_URL is set). Exit 0 when nothing failed.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.cli.common import add_content_arg, base_url_of, base_url_warning
from bot.config import ConfigError, Settings, load_settings
from bot.library.gitsource import content_dir_for
from bot.logs import redact, redact_url

OK, WARN, FAIL, SKIP = "ok", "warn", "FAIL", "skip"
MAX_LISTED_WARNINGS = 5


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: str  # OK, WARN, FAIL or SKIP
    detail: str
    notes: tuple[str, ...] = ()


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="check settings, token, content, state, feed and git without connecting",
        description=(
            "Check a deployment without connecting to Discord: settings, token present "
            "(never shown), content loads, state file writable, feed and git remote "
            "reachable when configured. Exit 0 when it is fit to run, 1 when not."
        ),
    )
    add_content_arg(parser)
    parser.add_argument(
        "--timeout",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="network timeout for the feed and git checks (default 15)",
    )
    parser.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        print_check(Check("settings", FAIL, "invalid", tuple(exc.problems)))
        print("not fit to run: fix the settings above")
        return 1
    if args.content is not None:
        settings = settings.model_copy(update={"content_dir": args.content})
    checks = run_checks(settings, timeout=args.timeout)
    for check in checks:
        print_check(check)
    failed = [c.name for c in checks if c.status == FAIL]
    if failed:
        print(f"not fit to run: {', '.join(failed)} failed")
        return 1
    print("fit to run")
    return 0


def run_checks(settings: Settings, timeout: float = 15.0) -> list[Check]:
    steps: list[Callable[[], Check]] = [
        lambda: Check("settings", OK, "valid"),
        lambda: check_token(settings),
        lambda: check_content(settings),
        lambda: check_snapshot(settings),
        lambda: check_site_url(settings),
        lambda: check_semantic(settings),
        lambda: check_synonyms(settings),
        lambda: check_writable("state", settings.state_file, sqlite=True),
        lambda: check_writable("heartbeat", settings.health_path),
        lambda: check_feed(settings.feed_url, timeout),
        lambda: check_git(settings.content_git_url, settings.content_git_branch, timeout),
    ]
    return [step() for step in steps]


def print_check(check: Check) -> None:
    print(f"{check.status:<5} {check.name:<9} {check.detail}")
    for note in check.notes:
        print(f"{'':<16}{note}")


# -- the checks ---------------------------------------------------------------


def check_token(settings: Settings) -> Check:
    path = settings.discord_token_file
    env_token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not env_token and path is not None and not path.is_file():
        return Check("token", FAIL, f"DISCORD_TOKEN_FILE={path} cannot be read")
    token = settings.token()
    if not token:
        return Check("token", FAIL, "missing: set DISCORD_TOKEN or DISCORD_TOKEN_FILE")
    source = "DISCORD_TOKEN" if env_token else f"DISCORD_TOKEN_FILE={path}"
    if token.count(".") != 2 or any(c.isspace() for c in token):
        return Check("token", WARN, f"from {source} does not look like a bot token (not shown)")
    return Check("token", OK, f"present in {source} (not shown)")


def check_content(settings: Settings) -> Check:
    from bot.library.catalog import Catalog

    folder = content_dir_for(settings)
    if not folder.is_dir():
        if settings.content_git_url:
            return Check("content", WARN, f"{folder} not there yet: the bot clones CONTENT_GIT_URL")
        return Check("content", FAIL, f"CONTENT_DIR={folder} is not a folder")
    # the semantic layer has its own check: no embedding in the background here
    update = {"content_dir": folder, "semantic_search": False}
    catalog = Catalog.from_settings(settings.model_copy(update=update), write_snapshot=False)
    try:
        result = catalog.load()
    except Exception as exc:
        return Check("content", FAIL, f"loading {folder} failed: {type(exc).__name__}: {exc}")
    total = len(result.episodes)
    published = len(catalog.published())
    notes = tuple(str(w) for w in result.warnings[:MAX_LISTED_WARNINGS])
    if len(result.warnings) > MAX_LISTED_WARNINGS:
        notes += (f"... and {len(result.warnings) - MAX_LISTED_WARNINGS} more",)
    detail = (
        f"{total} episodes ({published} published) from {folder}, "
        f"{len(result.warnings)} warnings, {result.pages_seen} pages read"
    )
    if total == 0:
        status = WARN if settings.content_git_url else FAIL
        return Check("content", status, "no episodes: " + detail, notes)
    return Check("content", WARN if result.warnings else OK, detail, notes)


def check_snapshot(settings: Settings) -> Check:
    """The start-up snapshot: there, usable, and how much of the site it holds (read,
    never written: the bot writes it)."""
    from bot.library.catalog import site_options
    from bot.library.snapshot import load_notes

    folder = content_dir_for(settings)
    if not folder.is_dir():
        return Check("snapshot", SKIP, f"no content folder yet ({folder})")
    try:
        _, state = load_notes(settings.snapshot_path, folder, site_options(settings, folder))
    except Exception as exc:
        return Check("snapshot", WARN, f"could not be checked: {type(exc).__name__}: {exc}")
    if state.phase == "ignored":
        return Check("snapshot", WARN, f"{state}; the next start reads every note")
    if state.phase == "absent":
        return Check(
            "snapshot", OK, f"none yet in {settings.snapshot_path}: the first start writes it"
        )
    return Check("snapshot", OK, str(state))


def check_semantic(settings: Settings) -> Check:
    """The meaning-based layer: can its model load, and how much of the site is cached."""
    if not settings.semantic_search:
        return Check("semantic", SKIP, "off (SEMANTIC_SEARCH=false): search is lexical only")
    from bot.content import load_site
    from bot.library.catalog import site_options
    from bot.search.semantic import load_embedder, passages_of
    from bot.search.vectors import VectorCache

    embedder = load_embedder()
    if embedder is None:
        return Check("semantic", WARN, "the embedding model did not load: search is lexical only")
    folder = content_dir_for(settings)
    passages = []
    if folder.is_dir():
        passages = [
            p
            for e in load_site(folder, site_options(settings)).episodes
            for p in passages_of(e, settings.semantic_lines)
        ]
    keys = {p.key for p in passages}  # one text, one vector: a one-line section is its line
    cache = VectorCache(settings.vector_cache_path)
    known = cache.get_many(embedder.model_id, sorted(keys))
    cache.close()
    missing = len(keys - known.keys())
    detail = (
        f"{embedder.model_id}; {len(keys) - missing} of {len(keys)} passages cached "
        f"in {settings.vector_cache_path}"
    )
    notes: tuple[str, ...] = (cache.problem,) if cache.problem else ()
    if missing:
        notes += (f"the bot embeds the other {missing} in the background after it starts",)
    return Check("semantic", WARN if cache.problem else OK, detail, notes)


def check_synonyms(settings: Settings) -> Check:
    from bot.search.synonyms import load_synonyms

    path = settings.synonyms_path
    if not path.exists():
        return Check("synonyms", SKIP, f"none ({path} does not exist)")
    synonyms, problems = load_synonyms(path)
    detail = f"{len(synonyms.names())} terms from {path}"
    return Check(
        "synonyms", WARN if problems else OK, detail, tuple(problems[:MAX_LISTED_WARNINGS])
    )


def check_site_url(settings: Settings) -> Check:
    """Where show-notes links point, and a warning when that is only the default."""
    folder = content_dir_for(settings)
    problem = base_url_warning(settings, folder)
    if problem:
        return Check("site url", WARN, problem)
    chosen = base_url_of(settings, folder)
    return Check("site url", OK, f"{chosen.url} (from {chosen.source})")


def check_writable(name: str, path: Path, sqlite: bool = False) -> Check:
    """Can the bot create or write ``path``? Writes nothing lasting."""
    if path.is_dir():
        return Check(name, FAIL, f"{path} is a folder, not a file")
    folder = path.parent
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return Check(name, FAIL, f"{existing} is not a folder; cannot create {path}")
    if existing != folder:
        if not os.access(existing, os.W_OK | os.X_OK):
            return Check(name, FAIL, f"cannot create {folder}: {existing} is not writable")
        return Check(name, OK, f"{path} will be created ({folder} does not exist yet)")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return Check(name, FAIL, f"{folder} is not writable: {exc.strerror or exc}")
    if path.exists():
        if not os.access(path, os.W_OK):
            return Check(name, FAIL, f"{path} is not writable")
        if sqlite:
            problem = _sqlite_write_problem(path)
            if problem:
                return Check(name, FAIL, f"{path}: {problem}")
        return Check(name, OK, f"{path} writable")
    return Check(name, OK, f"{path} will be created in writable {folder}")


def _sqlite_write_problem(path: Path) -> str | None:
    try:
        conn = sqlite3.connect(path, timeout=2.0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")  # takes the write lock, changes nothing
            conn.execute("ROLLBACK")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"cannot write as SQLite: {exc}"
    return None


def check_feed(url: str | None, timeout: float) -> Check:
    if not url:
        return Check("feed", SKIP, "FEED_URL not set")
    import feedparser

    shown = redact_url(url)
    request = urllib.request.Request(url, headers={"User-Agent": "mukiudo-bot doctor"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(20_000_000)
    except urllib.error.HTTPError as exc:
        return Check("feed", FAIL, f"{shown}: HTTP {exc.code} {exc.reason}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Check("feed", FAIL, f"{shown}: unreachable ({redact(str(reason))})")
    parsed = feedparser.parse(body)
    entries = len(parsed.entries)
    if not parsed.get("version") and entries == 0:
        return Check("feed", FAIL, f"{shown}: answered, but is not an RSS/Atom feed")
    return Check("feed", OK, f"{shown}: {entries} items")


def check_git(url: str | None, branch: str, timeout: float) -> Check:
    if not url:
        return Check("git", SKIP, "CONTENT_GIT_URL not set")
    shown = redact_url(url)
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    command = ["git", "ls-remote", "--heads", "--", url, f"refs/heads/{branch}"]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env=env, check=False
        )
    except FileNotFoundError:
        return Check("git", FAIL, "the git command is not installed")
    except subprocess.TimeoutExpired:
        return Check("git", FAIL, f"{shown}: no answer within {timeout:g} s")
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        message = redact(lines[-1] if lines else f"exit status {done.returncode}", [url])
        return Check("git", FAIL, f"{shown}: {message}")
    if not done.stdout.strip():
        return Check("git", FAIL, f"{shown}: reachable, but has no branch {branch!r}")
    return Check("git", OK, f"{shown}: branch {branch} found")
