"""The sources of new episodes without Discord: what a round found goes to the notifier
(the notes with each feed), and the two kinds keep to their contract."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from notify_notes import write_note

from bot.config import Settings
from bot.content import load_site
from bot.library.catalog import site_options
from bot.notify.diff import Notifier
from bot.notify.feed import FeedItem
from bot.notify.sources import FeedFound, NotesFound, NotesSource, scan
from bot.notify.store import Store

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def episodes(tmp_path):
    root = tmp_path / "content"
    write_note(root, 1, "S3", NOW - timedelta(days=30))
    write_note(root, 2, "GCS", NOW - timedelta(days=20))
    return load_site(root, site_options(Settings(content_dir=root))).episodes


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "state.db")
    s.subscribe(1, 100, None, NOW)
    yield s
    s.close()


def feed_item(n: int, guid: str | None = None) -> FeedItem:
    return FeedItem(
        guid=guid or f"guid-{n}",
        title=f"#{n} topic {n}",
        link=f"https://anchor.fm/testcast/episodes/ep{n}-e{n:05d}",
        published=NOW,
        number=n,
    )


def keys(results) -> list[str]:
    return [c.key for r in results for c in r.announced]


def test_each_feed_has_its_own_baseline_and_an_episode_is_announced_once(episodes, store):
    notifier = Notifier(store, catchup_limit=5)
    notes = NotesFound(tuple(episodes))
    first = scan(notifier, [notes, FeedFound("a", (feed_item(2),)), FeedFound("b", ())], NOW)
    assert keys(first) == []  # a new state file: the baseline of the notes and of "a"
    assert store.get_meta("baseline:feed:a") is not None

    later = NOW + timedelta(hours=1)
    found = [notes, FeedFound("a", (feed_item(3), feed_item(2))), FeedFound("b", ())]
    assert keys(scan(notifier, found, later)) == ["#3"]
    # "b" lists #3 too, later and under another guid: the same episode, never again
    again = [notes, FeedFound("a", ()), FeedFound("b", (feed_item(3, "urn:b:3"),))]
    assert keys(scan(notifier, again, later + timedelta(hours=1))) == []


def test_the_notes_alone_are_one_scan(episodes, store):
    notifier = Notifier(store, catchup_limit=5)
    (result,) = scan(notifier, [NotesFound(tuple(episodes))], NOW)
    assert result.baseline == 2


async def test_the_notes_source_hands_on_what_the_catalog_holds_now(episodes):
    held: list = []
    source = NotesSource(lambda: held)
    assert (await source.poll(NOW)).found == NotesFound(())
    held.extend(episodes)
    poll = await source.poll(NOW)
    assert poll.found == NotesFound(tuple(episodes)) and poll.error is None
    assert source.interval is None and source.state() is None
