"""The git content source against a real bare repository in tmp_path (file:// URL)."""

import shutil
import subprocess
from pathlib import Path

import pytest

from bot.config import Settings
from bot.library.catalog import Catalog
from bot.library.gitsource import GitSource, content_dir_for
from bot.library.sync import CatalogSync
from bot.logs import redact_url

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

NOTE = '---\ntitle: "#{n} topic {n}"\ndate: 2026-01-0{n}T10:00:00+09:00\n---\n\nbody {n}\n'


def git(cwd: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "HOME": str(cwd),
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    ).stdout


class Remote:
    """A bare repository and a working clone that pushes notes to it."""

    def __init__(self, tmp_path: Path):
        self.bare = tmp_path / "site.git"
        self.work = tmp_path / "author"
        self.bare.mkdir()
        git(self.bare, "init", "--quiet", "--bare", "--initial-branch=main")
        self.work.mkdir()
        git(self.work, "init", "--quiet", "--initial-branch=main")
        git(self.work, "remote", "add", "origin", str(self.bare))
        self.url = self.bare.as_uri()

    def push_note(self, n: int, text: str | None = None) -> None:
        path = self.work / "content" / "podcast" / f"{n:04d}" / "index.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text or NOTE.format(n=n), encoding="utf-8")
        self.commit(f"episode {n}")

    def delete_note(self, n: int) -> None:
        shutil.rmtree(self.work / "content" / "podcast" / f"{n:04d}")
        self.commit(f"drop {n}")

    def commit(self, message: str) -> None:
        (self.work / "README.md").write_text(message)
        git(self.work, "add", "-A")
        git(self.work, "commit", "--quiet", "-m", message)
        git(self.work, "push", "--quiet", "origin", "main")


@pytest.fixture
def remote(tmp_path):
    return Remote(tmp_path)


def source_for(remote: Remote, tmp_path: Path, **kwargs) -> GitSource:
    return GitSource(remote.url, tmp_path / "data" / "site", subdir="content", **kwargs)


async def test_first_sync_clones_and_serves_the_subdir(remote, tmp_path):
    remote.push_note(1)
    source = source_for(remote, tmp_path)
    result = await source.sync()
    assert result.ok and result.cloned
    assert (source.content_dir / "podcast" / "0001" / "index.md").is_file()
    assert source.content_dir == tmp_path / "data" / "site" / "content"


async def test_pull_reports_added_changed_and_deleted_notes(remote, tmp_path):
    remote.push_note(1)
    remote.push_note(2)
    source = source_for(remote, tmp_path)
    await source.sync()
    remote.push_note(3)
    remote.push_note(1, NOTE.format(n=1) + "\nmore\n")
    remote.delete_note(2)
    result = await source.sync()
    assert result.ok and not result.cloned
    assert result.changed == (
        "podcast/0001/index.md",
        "podcast/0002/index.md",
        "podcast/0003/index.md",
    )
    assert not (source.content_dir / "podcast" / "0002").exists()
    assert (source.content_dir / "podcast" / "0003" / "index.md").is_file()


async def test_pull_without_new_commits_changes_nothing(remote, tmp_path):
    remote.push_note(1)
    source = source_for(remote, tmp_path)
    first = await source.sync()
    again = await source.sync()
    assert again.ok and again.changed == () and again.revision == first.revision


async def test_failed_pull_is_reported_and_keeps_the_last_good_content(remote, tmp_path, caplog):
    remote.push_note(1)
    source = source_for(remote, tmp_path)
    await source.sync()
    shutil.move(remote.bare, tmp_path / "moved.git")  # the server goes away
    result = await source.sync()
    assert not result.ok
    assert "git fetch failed" in result.error
    assert "keeping the last good content" in caplog.text
    assert (source.content_dir / "podcast" / "0001" / "index.md").is_file()
    shutil.move(tmp_path / "moved.git", remote.bare)  # back: the next pull works again
    remote.push_note(2)
    retry = await source.sync()
    assert retry.ok and retry.changed == ("podcast/0002/index.md",)


async def test_failed_first_clone_leaves_no_half_checkout(tmp_path):
    source = GitSource((tmp_path / "missing.git").as_uri(), tmp_path / "data" / "site")
    result = await source.sync()
    assert not result.ok and "git clone failed" in result.error
    assert not (tmp_path / "data" / "site").exists()
    assert not (tmp_path / "data" / "site.partial").exists()


async def test_wrong_branch_is_an_error_not_a_crash(remote, tmp_path):
    remote.push_note(1)
    result = await source_for(remote, tmp_path, branch="nope").sync()
    assert not result.ok and "nope" in result.error


async def test_the_checkouts_hugo_config_sets_the_page_links_after_the_first_clone(
    remote, tmp_path
):
    # Before the clone there is no site to read a baseURL from; the first checkout's
    # config then decides the links, as it would for a local CONTENT_DIR.
    (remote.work / "config.toml").write_text('baseURL = "https://cast.example.org/"\n')
    remote.push_note(1)
    settings = Settings(
        content_git_url=remote.url, data_dir=tmp_path / "data", semantic_search=False
    )
    catalog = Catalog.from_settings(settings)
    assert "cast.example.org" not in catalog.options.base_url
    sync = CatalogSync(catalog, git=GitSource.from_settings(settings))
    await sync.pull()
    (episode,) = catalog.all_episodes
    assert episode.page_url == "https://cast.example.org/podcast/0001/"


def test_settings_point_the_content_folder_into_the_checkout(tmp_path):
    plain = Settings(content_dir=tmp_path / "c", data_dir=tmp_path / "d")
    assert content_dir_for(plain) == tmp_path / "c"
    with_git = plain.model_copy(update={"content_git_url": "https://example.com/site.git"})
    assert content_dir_for(with_git) == tmp_path / "d" / "site" / "content"


def test_credentials_in_the_url_are_redacted():
    assert redact_url("https://user:secret@example.com/site.git") == "https://example.com/site.git"
    assert redact_url("https://token@github.com/o/r.git") == "https://github.com/o/r.git"
    assert redact_url("https://github.com/o/r.git?access_token=x") == "https://github.com/o/r.git"
    assert redact_url("file:///tmp/site.git") == "file:///tmp/site.git"
