import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from unwritable import CAN_FREEZE_OPEN_FILES, unwritable

from bot.notify.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    AnnouncementPayload,
    FeedValidators,
    Store,
    StoreError,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def item(key: str, title: str = "", released_at: datetime | None = None) -> AnnouncementPayload:
    return AnnouncementPayload(key=key, source="notes", title=title, released_at=released_at)


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "state.db")
    yield s
    s.close()


def tables(path):
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_new_file_is_created_in_wal_mode_on_the_latest_schema(tmp_path):
    path = tmp_path / "sub" / "state.db"
    store = Store.open(path)
    assert store.journal_mode == "wal"
    assert store.schema_version == SCHEMA_VERSION
    store.close()
    assert {"schema_version", "subscriptions", "announcements", "seen", "feed_cache"} <= tables(
        path
    )


def test_migrates_from_version_zero_with_unrelated_tables(tmp_path):
    path = tmp_path / "state.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE something_else (x INTEGER)")
    store = Store.open(path)
    assert store.schema_version == SCHEMA_VERSION
    store.close()
    assert "something_else" in tables(path)


def test_migrates_a_version_one_file_and_keeps_its_rows(tmp_path):
    path = tmp_path / "state.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.executescript(MIGRATIONS[0])
        conn.execute("INSERT INTO schema_version VALUES (1)")
        conn.execute(
            "INSERT INTO subscriptions (guild_id, channel_id, created_at, updated_at) "
            "VALUES (1, 2, 0, 0)"
        )
    store = Store.open(path)
    assert store.schema_version == SCHEMA_VERSION
    sub = store.subscription(1)
    assert (sub.channel_id, sub.lang) == (2, None)
    assert store.feed_validators("https://x/feed") == FeedValidators()
    store.close()


def test_reopening_does_not_migrate_again(tmp_path, caplog):
    Store.open(tmp_path / "state.db").close()
    caplog.set_level("INFO", logger="bot.notify.store")
    caplog.clear()  # the first open's lines, if an earlier test left INFO enabled
    Store.open(tmp_path / "state.db").close()
    assert "migrated" not in caplog.text


def test_file_from_a_newer_bot_is_refused_with_its_path(tmp_path):
    path = tmp_path / "state.db"
    Store.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_version SET version = 999")
    with pytest.raises(StoreError, match=r"state\.db.*999"):
        Store.open(path)


def test_garbage_file_is_refused_with_its_path(tmp_path):
    path = tmp_path / "state.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"state\.db"):
        Store.open(path)


def test_subscribe_replaces_channel_and_clears_broken_mark(store):
    store.subscribe(10, 100, None, NOW)
    store.mark_broken(100, "403 Missing Permissions", NOW)
    assert store.subscription(10).broken
    assert store.subscriptions() == []
    sub = store.subscribe(10, 101, 7, NOW, lang="en")
    assert (sub.channel_id, sub.role_id, sub.broken, sub.lang) == (101, 7, False, "en")
    assert sub.last_error is None
    assert [s.guild_id for s in store.subscriptions()] == [10]


def test_new_episode_queues_one_row_per_live_subscription(store):
    store.subscribe(1, 100, None, NOW)
    store.subscribe(2, 200, None, NOW)
    store.subscribe(3, 300, None, NOW)
    store.mark_broken(300, "404 Unknown Channel", NOW)
    queued = store.record_new_episodes(
        [("#5", ("#5", "path:p/5.md"), "notes")], [item("#5", "five")], NOW
    )
    assert sorted(a.channel_id for a in queued) == [100, 200]
    assert all(a.state == "pending" and a.nonce is None for a in queued)
    assert store.seen_identities() == {"#5", "path:p/5.md"}
    again = store.record_new_episodes([], [item("#5", "five")], NOW)
    assert again == []  # one row per (episode, channel), never two


def test_nonce_is_stored_before_sending_and_reused_on_retry(store):
    store.subscribe(1, 100, None, NOW)
    store.record_new_episodes([], [item("#5")], NOW)
    first = store.begin_attempt("#5", 100, NOW)
    store.mark_retry("#5", 100, "HTTP 503", NOW + timedelta(seconds=30), NOW)
    second = store.begin_attempt("#5", 100, NOW + timedelta(seconds=30))
    assert first.nonce and len(first.nonce) <= 25
    assert second.nonce == first.nonce
    assert second.attempts == 2
    assert second.first_attempt_at == NOW
    assert store.due_announcements(NOW) == []
    assert [a.key for a in store.due_announcements(NOW + timedelta(seconds=30))] == ["#5"]


def test_delivered_row_records_message_and_subscription_last_announced(store):
    store.subscribe(1, 100, None, NOW)
    store.record_new_episodes([], [item("#5")], NOW)
    store.begin_attempt("#5", 100, NOW)
    store.mark_delivered("#5", 100, 4242, NOW)
    row = store.announcement("#5", 100)
    assert (row.state, row.message_id) == ("delivered", 4242)
    assert store.due_announcements(NOW + timedelta(days=1)) == []
    sub = store.subscription(1)
    assert (sub.last_announced_key, sub.last_announced_at) == ("#5", NOW)


def test_broken_channel_fails_its_pending_rows_only(store):
    store.subscribe(1, 100, None, NOW)
    store.subscribe(2, 200, None, NOW)
    store.record_new_episodes([], [item("#5")], NOW)
    store.mark_broken(100, "403 Missing Access", NOW)
    assert store.announcement("#5", 100).state == "failed"
    assert store.announcement("#5", 200).state == "pending"
    assert store.failed_count(100) == 1
    assert store.subscription(1).broken_reason == "403 Missing Access"


def test_due_rows_come_oldest_episode_first(store):
    store.subscribe(1, 100, None, NOW)
    store.record_new_episodes(
        [],
        [
            item("#7", released_at=datetime(2026, 2, 7, tzinfo=UTC)),
            item("#6", released_at=datetime(2026, 2, 6, tzinfo=UTC)),
        ],
        NOW,
    )
    assert [a.key for a in store.due_announcements(NOW)] == ["#6", "#7"]


def test_failed_transaction_leaves_nothing_behind(store):
    store.subscribe(1, 100, None, NOW)
    with pytest.raises(RuntimeError), store.transaction() as conn:
        conn.execute("DELETE FROM subscriptions")
        raise RuntimeError("crash mid-write")
    assert store.subscription(1) is not None


def test_failed_commit_is_rolled_back_and_the_next_transaction_works(store):
    # A COMMIT that fails (here: a deferred constraint, like SQLITE_BUSY in the field)
    # leaves SQLite inside the transaction; every later BEGIN would fail without a rollback.
    with store.transaction() as conn:
        conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        conn.execute(
            "CREATE TABLE child (parent_id INTEGER "
            "REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)"
        )
    store._db.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as conn:
        conn.execute("INSERT INTO child VALUES (1)")
        conn.execute(
            "INSERT INTO subscriptions (guild_id, channel_id, created_at, updated_at) "
            "VALUES (9, 9, 0, 0)"
        )
    assert store.subscription(9) is None  # the failed transaction left nothing
    store.subscribe(1, 100, None, NOW)
    assert store.subscription(1).channel_id == 100


def test_feed_validators_survive_a_304_and_an_error(store):
    url = "https://anchor.fm/s/abc/podcast/rss"
    store.save_feed_check(url, NOW, "ok", FeedValidators('"v1"', "Mon, 02 Mar 2026"))
    store.save_feed_check(url, NOW, "not_modified")
    store.save_feed_check(url, NOW, "error", error="HTTP 500")
    assert store.feed_validators(url) == FeedValidators('"v1"', "Mon, 02 Mar 2026")
    assert store.feed_status(url) == (NOW, "error", "HTTP 500")


def test_closed_store_refuses_work_and_closes_twice(tmp_path):
    store = Store.open(tmp_path / "state.db")
    store.close()
    store.close()
    assert store.closed
    with pytest.raises(StoreError, match="closed"):
        store.subscriptions()


def test_payload_round_trips_and_rows_of_the_old_code_still_read():
    full = AnnouncementPayload("#5", "feed", "#5 five", 5, None, "https://e.com/5", None, "s", NOW)
    assert AnnouncementPayload.from_json(full.to_json()) == full
    old = (
        '{"audio_url": null, "key": "#5", "number": 5, "path": "p/5.md", '
        '"released_at": "2026-03-01T12:00:00+00:00", "source": "notes", '
        '"summary": "", "title": "#5 five", "url": null}'
    )
    read = AnnouncementPayload.from_json(old)
    assert (read.path, read.released_at, read.to_json()) == ("p/5.md", NOW, old)


# -- files the bot must refuse, copies it must keep (issue 13) -------------------


def test_an_emptied_state_file_is_refused_naming_it_and_its_newest_backup(tmp_path):
    path = tmp_path / "state.db"
    store = Store.open(path)
    store.subscribe(1, 100, None, NOW)
    store.backup_to(tmp_path / "state.db.bak-3")
    store.close()
    path.write_bytes(b"")  # truncated by a full disk, a bad copy, an editor
    with pytest.raises(StoreError, match=r"state\.db: state file is empty") as refused:
        Store.open(path)
    assert "state.db.bak-3" in str(refused.value)
    assert "\n" not in str(refused.value)
    assert path.stat().st_size == 0  # never re-created behind the operator's back


def test_a_schema_version_that_is_not_a_number_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "state.db"
    Store.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_version SET version = 'three'")
    with pytest.raises(StoreError, match=r"state\.db: schema version 'three' is not a number"):
        Store.open(path)


def test_a_read_only_state_file_is_refused_at_start_naming_it(tmp_path):
    path = tmp_path / "state.db"
    Store.open(path).close()
    with unwritable(path), pytest.raises(StoreError, match=r"state\.db: cannot write"):
        Store.open(path)
    Store.open(path).close()  # writable again: opens


def test_a_copy_is_kept_beside_the_file_before_a_migration(tmp_path):
    path = tmp_path / "state.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.executescript(MIGRATIONS[0])
        conn.execute("INSERT INTO schema_version VALUES (1)")
        conn.execute(
            "INSERT INTO subscriptions (guild_id, channel_id, created_at, updated_at) "
            "VALUES (1, 2, 0, 0)"
        )
    Store.open(path).close()
    copy = tmp_path / "state.db.bak-1"
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchone() == (1,)
        assert conn.execute("SELECT channel_id FROM subscriptions").fetchall() == [(2,)]
    Store.open(path).close()  # no migration now: no new copy
    assert sorted(p.name for p in tmp_path.glob("state.db.bak-*")) == ["state.db.bak-1"]


def test_a_new_file_needs_no_copy(tmp_path):
    Store.open(tmp_path / "state.db").close()
    assert list(tmp_path.glob("*.bak-*")) == []


@pytest.mark.skipif(not CAN_FREEZE_OPEN_FILES, reason="needs root and chattr")
def test_writes_failing_while_open_are_remembered_and_clear_when_they_work(store):
    store.subscribe(1, 100, None, NOW)
    with unwritable(store.path, store.path.with_name("state.db-wal")):
        with pytest.raises(sqlite3.OperationalError):
            store.subscribe(2, 200, None, NOW)
        assert store.fault is not None
        assert not store.check_writable()
        assert store.subscription(1) is not None  # reads still work
    assert store.check_writable()
    assert store.fault is None
    store.subscribe(2, 200, None, NOW)


def test_a_state_file_written_before_several_subscriptions_opens_with_its_rows(tmp_path):
    """``state-v3.db`` was written by the bot before issue 12 (schema 3): one
    subscription per guild, a delivered row and pending ones, seen episodes, a feed."""
    import shutil

    from paths import ROOT_DIR

    path = tmp_path / "state.db"
    shutil.copy(ROOT_DIR / "tests" / "fixtures" / "notify" / "state-v3.db", path)
    store = Store.open(path)
    try:
        assert store.schema_version == SCHEMA_VERSION
        assert (tmp_path / "state.db.bak-3").exists()
        (first,) = store.subscriptions_of(111)
        assert (first.channel_id, first.role_id, first.lang, first.kind) == (222, 333, "ja", "text")
        assert first.template is None and not first.thread
        rows = {(a.key, a.channel_id): a for a in store.announcements()}
        assert rows["#1", 222].state == "delivered" and rows["#1", 222].message_id == 9001
        assert [rows[k].state for k in (("#1", 555), ("#2", 222), ("#2", 555))] == ["pending"] * 3
        assert all(a.purpose == "auto" for a in rows.values())
        assert {"#1", "#2"} <= store.seen_identities()
        assert store.feed_validators("https://example.com/rss") == FeedValidators('"v1"', None)
        # the one subscription is the first of the list; another channel is added after it
        store.subscribe(111, 777, None, NOW, kind="news")
        assert [s.channel_id for s in store.subscriptions_of(111)] == [222, 777]
        assert store.subscription(111).channel_id == 222
    finally:
        store.close()
