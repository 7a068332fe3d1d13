"""The content folder watcher on a real folder (events thread and polling)."""

import os
import shutil
import time

import pytest

from bot.library.watch import ContentWatcher


def write(root, rel, text="x"):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def bump(root, rel, text):
    """Rewrite a note and move its mtime, as an editor saving it a second later would."""
    path = root / rel
    path.write_text(text, encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def wait_for_changes(watcher, expected, timeout=10.0):
    """Ask until the events thread has reported every path in ``expected`` (bounded, not a
    timing assertion); returns all it reported, so extra paths still fail the test."""
    deadline = time.monotonic() + timeout
    found: set[str] = set()
    while time.monotonic() < deadline and not expected <= found:
        found |= watcher.changes()
        time.sleep(0.05)
    return found | watcher.changes()


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "content"
    write(root, "podcast/0001/index.md", "one")
    write(root, "podcast/0002/index.md", "two")
    return root


def test_polling_reports_added_changed_and_deleted_notes(site):
    watcher = ContentWatcher(site, poll_seconds=1)
    assert watcher.start() == "polling"
    assert watcher.changes() == set()
    write(site, "podcast/0003/index.md", "three")
    bump(site, "podcast/0001/index.md", "one, edited")
    (site / "podcast/0002/index.md").unlink()
    assert watcher.changes() == {
        "podcast/0001/index.md",
        "podcast/0002/index.md",
        "podcast/0003/index.md",
    }
    assert watcher.changes() == set()
    watcher.stop()


def test_renamed_folder_reports_old_and_new_paths(site):
    watcher = ContentWatcher(site, poll_seconds=1)
    watcher.start()
    shutil.move(site / "podcast" / "0002", site / "podcast" / "0020")
    assert watcher.changes() == {"podcast/0002/index.md", "podcast/0020/index.md"}


def test_images_hidden_files_and_git_metadata_are_ignored(site):
    watcher = ContentWatcher(site, poll_seconds=1)
    watcher.start()
    write(site, "podcast/0001/featured.jpg", "img")
    write(site, "podcast/0001/.index.md.swp", "swap")
    write(site, ".git/objects/ab/cdef.md", "git")
    write(site, "podcast/0001/index.md~", "backup")
    assert watcher.changes() == set()


def test_events_mode_notices_a_new_note_without_polling(site):
    watcher = ContentWatcher(site, debounce_ms=50)
    assert watcher.start() == "events"
    try:
        assert watcher.changes() == set()  # nothing happened: no rescan either
        write(site, "podcast/0003/index.md", "three")
        assert wait_for_changes(watcher, {"podcast/0003/index.md"}) == {"podcast/0003/index.md"}
        (site / "podcast/0001/index.md").unlink()
        assert wait_for_changes(watcher, {"podcast/0001/index.md"}) == {"podcast/0001/index.md"}
    finally:
        watcher.stop()
    assert watcher.mode == "stopped"


def test_missing_folder_falls_back_to_polling_and_sees_it_appear(tmp_path):
    root = tmp_path / "not-yet"
    watcher = ContentWatcher(root)
    assert watcher.start() == "polling"
    write(root, "podcast/0001/index.md", "one")
    assert watcher.changes() == {"podcast/0001/index.md"}


def test_retarget_watches_the_new_folder(site, tmp_path):
    other = tmp_path / "other"
    write(other, "a/index.md", "a")
    watcher = ContentWatcher(site, poll_seconds=1)
    watcher.start()
    watcher.retarget(other)
    assert watcher.changes() == set()
    write(other, "b/index.md", "b")
    assert watcher.changes() == {"b/index.md"}
