"""The site as a git repository (``CONTENT_GIT_URL``): clone, then pull on an interval.

The bot owns the checkout in ``DATA_DIR/site``; notes are served from its
``CONTENT_GIT_SUBDIR``. Everything goes through the git CLI in an asyncio subprocess,
never a shell. A failed clone or pull is logged and reported in ``GitSync.error``; the
checkout is left as it was, so the last good content keeps being served.

Pure core: no discord.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bot.config import Settings
from bot.logs import redact_url

log = logging.getLogger(__name__)

CHECKOUT_NAME = "site"


class GitError(Exception):
    """A git command failed; the message has the command and git's own last line."""


@dataclass(frozen=True, slots=True)
class GitSync:
    """What one ``sync()`` did."""

    ok: bool
    changed: tuple[str, ...] = ()  # notes changed, relative to the content folder
    revision: str | None = None  # checked-out commit after the sync
    cloned: bool = False  # this sync made the first clone
    error: str | None = None


def checkout_dir(settings: Settings) -> Path:
    return settings.data_dir / CHECKOUT_NAME


def content_dir_for(settings: Settings) -> Path:
    """The folder to index: the checkout's subdir with a git source, else CONTENT_DIR."""
    if not settings.content_git_url:
        return settings.content_dir
    sub = settings.content_git_subdir.strip("/")
    return checkout_dir(settings) / sub if sub else checkout_dir(settings)


class GitSource:
    def __init__(
        self,
        url: str,
        checkout: Path,
        *,
        branch: str = "main",
        subdir: str = "content",
        timeout: float = 300.0,
        git: str = "git",
    ):
        self.url = url
        self.checkout = Path(checkout)
        self.branch = branch
        self.subdir = subdir.strip("/")
        self.timeout = timeout
        self.git = git
        self.last_error: str | None = None
        self.revision: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> GitSource:
        assert settings.content_git_url, "CONTENT_GIT_URL is not set"
        return cls(
            settings.content_git_url,
            checkout_dir(settings),
            branch=settings.content_git_branch,
            subdir=settings.content_git_subdir,
        )

    @property
    def content_dir(self) -> Path:
        return self.checkout / self.subdir if self.subdir else self.checkout

    @property
    def cloned(self) -> bool:
        return (self.checkout / ".git").exists()

    async def sync(self) -> GitSync:
        """Clone when there is no checkout yet, else fetch and move to the branch head."""
        try:
            if not self.cloned:
                result = await self._clone()
            else:
                result = await self._pull()
        except GitError as exc:
            self.last_error = str(exc)
            log.warning(
                "git source %s: %s (keeping the last good content)", redact_url(self.url), exc
            )
            return GitSync(False, revision=self.revision, error=str(exc))
        self.last_error = None
        self.revision = result.revision
        return result

    async def _clone(self) -> GitSync:
        self.checkout.parent.mkdir(parents=True, exist_ok=True)
        partial = self.checkout.with_name(self.checkout.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        try:
            await self._run(
                "clone",
                "--quiet",
                "--depth",
                "1",
                "--single-branch",
                "--branch",
                self.branch,
                "--",
                self.url,
                str(partial),
                cwd=self.checkout.parent,
            )
        except GitError:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        if self.checkout.exists():  # a folder without .git: not ours to keep
            shutil.rmtree(self.checkout)
        partial.rename(self.checkout)
        revision = await self._run("rev-parse", "HEAD")
        log.info("git source %s cloned at %s", redact_url(self.url), revision[:12])
        return GitSync(True, revision=revision, cloned=True)

    async def _pull(self) -> GitSync:
        if (await self._run("remote", "get-url", "origin")) != self.url:
            await self._run("remote", "set-url", "origin", self.url)
        old = await self._run("rev-parse", "HEAD")
        ref = f"refs/remotes/origin/{self.branch}"
        await self._run(
            "fetch", "--quiet", "--depth", "1", "origin", f"+refs/heads/{self.branch}:{ref}"
        )
        new = await self._run("rev-parse", ref)
        if new == old:
            return GitSync(True, revision=old)
        diff = await self._run(
            "diff", "--name-only", "--no-renames", "-z", old, new, *self._pathspec()
        )
        await self._run("reset", "--quiet", "--hard", new)
        changed = tuple(sorted(self._relative(p) for p in diff.split("\0") if p))
        log.info(
            "git source %s: %s -> %s, %d notes changed",
            redact_url(self.url),
            old[:12],
            new[:12],
            len(changed),
        )
        return GitSync(True, changed=changed, revision=new)

    def _pathspec(self) -> tuple[str, ...]:
        return ("--", self.subdir) if self.subdir else ()

    def _relative(self, repo_path: str) -> str:
        if not self.subdir:
            return repo_path
        return str(PurePosixPath(repo_path).relative_to(self.subdir))

    async def _run(self, *args: str, cwd: Path | None = None) -> str:
        env = {
            **os.environ,
            "GIT_TERMINAL_PROMPT": "0",  # never wait for a password
            "GIT_ASKPASS": "",
            "LC_ALL": "C",
        }
        command = f"git {args[0]}"
        try:
            proc = await asyncio.create_subprocess_exec(
                self.git,
                *args,
                cwd=cwd or self.checkout,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            raise GitError(f"{command}: cannot run git: {exc}") from exc
        try:
            async with asyncio.timeout(self.timeout):
                out, err = await proc.communicate()
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise GitError(f"{command}: no answer within {self.timeout:g} s") from None
        if proc.returncode != 0:
            lines = err.decode("utf-8", "replace").strip().splitlines()
            last = (lines[-1] if lines else "").replace(self.url, redact_url(self.url))
            raise GitError(f"{command} failed ({proc.returncode}): {last}")
        return out.decode("utf-8", "replace").strip()
