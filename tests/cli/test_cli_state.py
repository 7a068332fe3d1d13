"""``python -m bot state backup PATH`` / ``restore PATH`` on a real state file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.cli import main
from bot.notify.store import AnnouncementPayload, Store

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def state(monkeypatch, tmp_path):
    path = tmp_path / "data" / "state.db"
    monkeypatch.setenv("STATE_PATH", str(path))
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return path


def fill(store: Store) -> None:
    for guild in (1, 2):
        store.subscribe(guild, guild * 100, None, NOW)
    payload = AnnouncementPayload("#3", "notes", "#3 three", 3, None, None, None, "", NOW)
    store.record_new_episodes([("#3", ("#3",), "notes")], [payload], NOW)
    store.begin_attempt("#3", 100, NOW)
    store.mark_delivered("#3", 100, 555, NOW)


def test_a_restored_backup_has_every_subscription_and_delivered_row(state, tmp_path, capsys):
    store = Store.open(state)
    fill(store)  # still open: the newest rows are only in the WAL
    copy = tmp_path / "backups" / "state-2026-03-01.db"
    assert main(["state", "backup", str(copy)]) == 0
    store.close()
    state.write_bytes(b"")  # lost
    assert main(["state", "restore", str(copy)]) == 0
    assert "restored" in capsys.readouterr().out
    store = Store.open(state)
    assert [s.guild_id for s in store.subscriptions()] == [1, 2]
    delivered = store.announcement("#3", 100)
    assert (delivered.state, delivered.message_id) == ("delivered", 555)
    assert store.announcement("#3", 200).state == "pending"
    assert "#3" in store.seen_identities()
    store.close()


def test_restore_refuses_a_file_that_is_not_a_state_file(state, tmp_path, capsys):
    Store.open(state).close()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all" * 64)
    assert main(["state", "restore", str(junk)]) == 1
    err = capsys.readouterr().err
    assert "junk.db" in err and err.count("\n") == 1
    Store.open(state).close()  # the state file was left alone


def test_backup_of_a_missing_state_file_says_so(state, tmp_path, capsys):
    assert main(["state", "backup", str(tmp_path / "copy.db")]) == 1
    assert "no state file to back up" in capsys.readouterr().err
