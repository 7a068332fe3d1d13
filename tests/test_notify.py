"""The notification diff: what is new, given the notes, the feed, the state file and now."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.content import SiteOptions, load_site
from bot.feed import FeedItem
from bot.notify import (
    Notifier,
    from_episode,
    from_feed_item,
    link_identity,
    merge,
    next_release,
    number_in_title,
    plan,
)
from bot.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "notify"
TEMPLATE = (FIXTURES / "note.md.tmpl").read_text(encoding="utf-8")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def write_note(root: Path, number: int, title: str, when: datetime, *, draft=False, slug=None):
    path = root / "podcast" / f"{number:04d}" / "index.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = when.isoformat()
    path.write_text(
        TEMPLATE.format(
            title=f"#{number} {title}",
            summary=f"{title}の回",
            date=stamp,
            publish=stamp,
            draft=str(draft).lower(),
            slug=slug or f"ep{number}-e{number:05d}",
            body=f"{title}について話した。",
        ),
        encoding="utf-8",
    )
    return f"podcast/{number:04d}/index.md"


@pytest.fixture
def site(tmp_path):
    """A site with one old episode, #1."""
    root = tmp_path / "content"
    write_note(root, 1, "S3", NOW - timedelta(days=30))
    return root


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "state.db")
    s.subscribe(1, 100, None, NOW)
    yield s
    s.close()


class Notes:
    """The site's notes as the loader reads them (the catalog without its search index)."""

    def __init__(self, root: Path):
        self.root = root
        self.all_episodes = ()
        self.load()

    def load(self):
        options = SiteOptions.from_settings(Settings(content_dir=self.root))
        self.all_episodes = load_site(self.root, options).episodes

    def refresh(self, _paths):
        self.load()


def catalog_for(root: Path) -> Notes:
    return Notes(root)


def announced(result):
    return [c.key for c in result.announced]


# -- identities --------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "number"),
    [
        ("#16 【GCP？】Kubeflow超概要", 16),
        ("＃１６ 全角", 16),
        ("EP.7 special", 7),
        ("第12回 ふりかえり", 12),
        ("re:Invent 2019 S3関連の話", None),
        ("番外編", None),
    ],
)
def test_number_is_read_from_the_title(title, number):
    assert number_in_title(title) == number


def test_anchor_links_match_across_embed_page_and_renamed_slug():
    ids = {
        link_identity("https://anchor.fm/show/embed/episodes/GCPKubeflow-efmh8l"),
        link_identity("https://anchor.fm/show/episodes/GCPKubeflow-efmh8l/"),
        link_identity("https://podcasters.spotify.com/pod/show/show/episodes/Kubeflow-efmh8l"),
    }
    assert ids == {"anchor:efmh8l"}
    assert link_identity("https://Example.com/a/b/?utm=1#x") == "url:example.com/a/b"
    assert link_identity(None) is None


def test_feed_item_and_its_note_merge_into_the_note(site):
    catalog = catalog_for(site)
    write_note(site, 3, "Cloud Run", NOW, slug="GCPCloud-Run-e3ccc3")
    catalog.refresh(["podcast/0003/index.md"])
    item = from_feed_item(
        FeedItem("guid-3", "Cloud Run (no number)", "https://anchor.fm/t/episodes/x-e3ccc3")
    )
    note = from_episode(next(e for e in catalog.all_episodes if e.number == 3))
    (merged,) = merge([item, note])
    assert merged.source == "notes"
    assert merged.key == "#3"
    assert {"#3", "anchor:e3ccc3", "guid:guid-3"} <= set(merged.identities)


def test_plan_keeps_the_newest_within_the_limit_oldest_first():
    items = [
        from_feed_item(FeedItem(f"g{n}", f"#{n} t", published=NOW + timedelta(days=n)))
        for n in (4, 1, 3, 2)
    ]
    result = plan(items, seen=set(), limit=2)
    assert [c.key for c in result.announce] == ["#3", "#4"]
    assert [c.key for c in result.over_limit] == ["#1", "#2"]


def test_next_release_ignores_drafts_and_the_past(site):
    write_note(site, 1, "past", NOW - timedelta(days=1))
    write_note(site, 2, "draft", NOW + timedelta(hours=1), draft=True)
    write_note(site, 3, "future", NOW + timedelta(hours=2))
    assert next_release(catalog_for(site).all_episodes, NOW) == NOW + timedelta(hours=2)


# -- scans -------------------------------------------------------------------


def test_first_start_on_an_existing_site_announces_nothing(site, store):
    write_note(site, 1, "S3", NOW - timedelta(days=30))
    write_note(site, 2, "GCS", NOW - timedelta(days=20))
    result = Notifier(store, catchup_limit=5).scan(catalog_for(site).all_episodes, NOW)
    assert result.announced == ()
    assert result.baseline == 2
    assert store.announcements() == []


def test_a_note_written_while_running_is_queued_once_per_channel(site, store):
    store.subscribe(2, 200, None, NOW)
    write_note(site, 1, "S3", NOW - timedelta(days=30))
    catalog = catalog_for(site)
    notifier = Notifier(store, catchup_limit=5)
    notifier.scan(catalog.all_episodes, NOW)
    catalog.refresh([write_note(site, 2, "GCS", NOW - timedelta(minutes=1))])
    first = notifier.scan(catalog.all_episodes, NOW)
    second = notifier.scan(catalog.all_episodes, NOW)
    assert announced(first) == ["#2"]
    assert sorted(a.channel_id for a in first.queued) == [100, 200]
    assert announced(second) == []


def test_restart_on_the_same_file_announces_nothing_again(site, store, tmp_path):
    write_note(site, 1, "S3", NOW - timedelta(days=30))
    catalog = catalog_for(site)
    Notifier(store, catchup_limit=5).scan(catalog.all_episodes, NOW)
    store.close()
    reopened = Store.open(tmp_path / "state.db")
    result = Notifier(reopened, catchup_limit=5).scan(catalog.all_episodes, NOW)
    reopened.close()
    assert announced(result) == []
    assert result.baseline == 0


def test_catch_up_after_downtime_is_oldest_first_and_capped(site, store, caplog):
    write_note(site, 1, "S3", NOW - timedelta(days=30))
    Notifier(store, catchup_limit=2).scan(catalog_for(site).all_episodes, NOW)
    for n in (2, 3, 4, 5):  # written while the bot was down
        write_note(site, n, f"topic {n}", NOW - timedelta(days=10 - n))
    caplog.set_level("INFO", logger="bot.notify")
    restarted = Notifier(store, catchup_limit=2)
    result = restarted.scan(catalog_for(site).all_episodes, NOW)
    assert announced(result) == ["#4", "#5"]
    assert [c.key for c in result.over_limit] == ["#2", "#3"]
    assert "topic 2" in caplog.text
    # the skipped ones stay skipped; later notes are not capped any more
    site_catalog = catalog_for(site)
    for n in (6, 7, 8):
        write_note(site, n, f"topic {n}", NOW)
    site_catalog.load()
    assert announced(restarted.scan(site_catalog.all_episodes, NOW)) == ["#6", "#7", "#8"]


def test_future_publish_date_is_announced_when_due_and_not_before(site, store):
    write_note(site, 1, "S3", NOW - timedelta(days=30))
    catalog = catalog_for(site)
    notifier = Notifier(store, catchup_limit=5)
    notifier.scan(catalog.all_episodes, NOW)
    catalog.refresh([write_note(site, 2, "予約投稿", NOW + timedelta(hours=1))])
    assert announced(notifier.scan(catalog.all_episodes, NOW)) == []
    later = NOW + timedelta(minutes=59)
    assert announced(notifier.scan(catalog.all_episodes, later)) == []
    due = NOW + timedelta(hours=1)
    assert announced(notifier.scan(catalog.all_episodes, due)) == ["#2"]


def test_future_note_present_at_first_start_is_announced_when_due(site, store):
    write_note(site, 1, "S3", NOW - timedelta(days=30))
    write_note(site, 2, "予約投稿", NOW + timedelta(hours=1))
    catalog = catalog_for(site)
    notifier = Notifier(store, catchup_limit=5)
    assert notifier.scan(catalog.all_episodes, NOW).baseline == 1
    assert announced(notifier.scan(catalog.all_episodes, NOW + timedelta(hours=2))) == ["#2"]


def test_draft_is_never_announced(site, store):
    catalog = catalog_for(site)
    notifier = Notifier(store, catchup_limit=5)
    notifier.scan(catalog.all_episodes, NOW)
    catalog.refresh([write_note(site, 9, "下書き", NOW - timedelta(days=1), draft=True)])
    assert announced(notifier.scan(catalog.all_episodes, NOW + timedelta(days=365))) == []


def test_feed_item_then_its_note_gives_one_announcement(site, store):
    url = "https://anchor.fm/s/abc/podcast/rss"
    catalog = catalog_for(site)
    notifier = Notifier(store, catchup_limit=5)
    notifier.scan(catalog.all_episodes, NOW, feed_url=url, feed_items=[])
    item = FeedItem("g3", "#3 Cloud Run", "https://anchor.fm/t/episodes/Run-e3ccc3", published=NOW)
    by_feed = notifier.scan(catalog.all_episodes, NOW, feed_url=url, feed_items=[item])
    assert [(c.key, c.source) for c in by_feed.announced] == [("#3", "feed")]
    catalog.refresh([write_note(site, 3, "Cloud Run", NOW)])
    assert announced(notifier.scan(catalog.all_episodes, NOW)) == []
    assert "path:podcast/0003/index.md" in store.seen_identities()


def test_feed_item_without_number_matches_its_note_by_link(site, store):
    url = "https://anchor.fm/s/abc/podcast/rss"
    catalog = catalog_for(site)
    notifier = Notifier(store, catchup_limit=5)
    notifier.scan(catalog.all_episodes, NOW, feed_url=url, feed_items=[])
    item = FeedItem("g3", "番外編", "https://anchor.fm/testcast/episodes/off-kai-e9zzz9")
    assert len(notifier.scan((), NOW, feed_url=url, feed_items=[item]).announced) == 1
    catalog.refresh([write_note(site, 40, "番外編", NOW, slug="off-kai-e9zzz9")])
    assert announced(notifier.scan(catalog.all_episodes, NOW)) == []


def test_note_then_feed_item_gives_one_announcement(site, store):
    url = "https://anchor.fm/s/abc/podcast/rss"
    catalog = catalog_for(site)
    notifier = Notifier(store, catchup_limit=5)
    notifier.scan(catalog.all_episodes, NOW, feed_url=url, feed_items=[])
    catalog.refresh([write_note(site, 3, "Cloud Run", NOW)])
    assert announced(notifier.scan(catalog.all_episodes, NOW)) == ["#3"]
    item = FeedItem("g3", "#3 Cloud Run", "https://anchor.fm/t/episodes/other-slug")
    assert (
        announced(notifier.scan(catalog.all_episodes, NOW, feed_url=url, feed_items=[item])) == []
    )


def test_feed_and_note_appearing_in_one_scan_announce_the_note(site, store):
    url = "https://anchor.fm/s/abc/podcast/rss"
    catalog = catalog_for(site)
    notifier = Notifier(store, catchup_limit=5)
    notifier.scan(catalog.all_episodes, NOW, feed_url=url, feed_items=[])
    catalog.refresh([write_note(site, 3, "Cloud Run", NOW)])
    item = FeedItem("g3", "#3 Cloud Run", None)
    result = notifier.scan(catalog.all_episodes, NOW, feed_url=url, feed_items=[item])
    assert [(c.key, c.source) for c in result.announced] == [("#3", "notes")]


def test_adding_a_feed_to_an_existing_site_announces_its_old_items_never(site, store):
    write_note(site, 1, "S3", NOW - timedelta(days=30))
    catalog = catalog_for(site)
    notifier = Notifier(store, catchup_limit=5)
    notifier.scan(catalog.all_episodes, NOW)
    old = [FeedItem(f"g{n}", f"#{n} old", published=NOW - timedelta(days=n)) for n in (1, 2)]
    url = "https://anchor.fm/s/abc/podcast/rss"
    result = notifier.scan(catalog.all_episodes, NOW, feed_url=url, feed_items=old)
    assert result.announced == ()
    assert result.baseline == 2


def test_empty_folder_is_no_baseline_so_a_late_site_is_not_announced(tmp_path, store):
    site = tmp_path / "late"
    notifier = Notifier(store, catchup_limit=5)
    assert notifier.scan((), NOW).baseline == 0  # folder missing or not cloned yet
    write_note(site, 1, "S3", NOW - timedelta(days=30))
    write_note(site, 2, "GCS", NOW - timedelta(days=20))
    result = notifier.scan(catalog_for(site).all_episodes, NOW)
    assert result.announced == ()
    assert result.baseline == 2
