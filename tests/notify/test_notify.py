"""The notification diff: what is new, given the notes, the feed, the state file and now."""

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from notify_notes import write_note

from bot.config import Settings
from bot.content import load_site
from bot.library.catalog import site_options
from bot.notify.diff import (
    Candidate,
    Notifier,
    from_episode,
    from_feed,
    from_feed_item,
    link_identity,
    merge,
    number_in_title,
    plan,
)
from bot.notify.feed import FeedItem
from bot.notify.store import Store

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


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
        options = site_options(Settings(content_dir=self.root))
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
        ("Podcast Advent Calendar 第1回 ふりかえり", None),  # not the episode's number
        ("AWS Summit #3 の感想", None),
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
    assert link_identity(None) is None


def test_only_links_that_name_one_episode_are_identities():
    episode = "https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk"
    assert link_identity(episode) == "spotify:4rOoJ6Egrf8K2IrywzwOMk"
    assert link_identity("https://open.spotify.com/embed/episode/4rOoJ6Egrf8K2IrywzwOMk") == (
        "spotify:4rOoJ6Egrf8K2IrywzwOMk"
    )
    apple = "https://podcasts.apple.com/jp/podcast/testcast/id1491234567?i=1000470000001"
    assert link_identity(apple) == "apple:1000470000001"
    for shared in (
        "https://open.spotify.com/show/ABC",  # the whole show
        "https://open.spotify.com/embed/show/ABC",
        "https://podcasts.apple.com/jp/podcast/testcast/id1491234567",
        "https://anchor.fm/testcast",
        "https://example.com/a/b/",
    ):
        assert link_identity(shared) is None, shared


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


# -- one episode, one identity set (no false "already seen") -------------------


def write_page(root: Path, rel: str, title: str, when: datetime, player: str) -> str:
    """A note with any title and player, outside the numbered template."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'---\ntitle: "{title}"\ndate: {when.isoformat()}\n---\n\n'
        f'<iframe src="{player}" height="102px" width="400px"></iframe>\n\n{title}の回。\n',
        encoding="utf-8",
    )
    return rel


def test_notes_sharing_a_show_level_player_are_announced_separately(tmp_path, store):
    root = tmp_path / "content"
    show = "https://open.spotify.com/embed/show/ABC"  # the whole show, not an episode
    write_page(root, "podcast/0001/index.md", "#1 S3", NOW - timedelta(days=9), show)
    catalog = catalog_for(root)
    notifier = Notifier(store, catchup_limit=5)
    assert notifier.scan(catalog.all_episodes, NOW).baseline == 1
    write_page(root, "podcast/0002/index.md", "#2 GCS", NOW - timedelta(minutes=1), show)
    catalog.load()
    assert announced(notifier.scan(catalog.all_episodes, NOW)) == ["#2"]
    assert not any("spotify.com/show" in i for i in store.seen_identities())


def test_special_with_a_number_inside_its_title_is_announced(site, store):
    catalog = catalog_for(site)  # #1 exists and is seen
    notifier = Notifier(store, catchup_limit=5)
    notifier.scan(catalog.all_episodes, NOW)
    title = "Podcast Advent Calendar 第1回 ふりかえり"
    player = "https://anchor.fm/testcast/embed/episodes/advent-e0adv1"
    write_page(site, "post/advent/index.md", title, NOW - timedelta(hours=1), player)
    catalog.load()
    result = notifier.scan(catalog.all_episodes, NOW)
    assert [(c.key, c.title) for c in result.announced] == [("path:post/advent/index.md", title)]


def note_candidate(key: str, *identities: str, path: str = "") -> Candidate:
    return Candidate(key, (key, *identities), "notes", key, None, path=path or key)


def item_candidate(*identities: str) -> Candidate:
    return Candidate(identities[0], identities, "feed", identities[0], None)


def test_two_notes_are_never_merged_but_a_feed_item_joins_one_note():
    first = note_candidate("#5", "path:podcast/0005/index.md")
    second = note_candidate("#5", "path:podcast/0005b/index.md")  # a copy-paste mistake
    item = item_candidate("#5", "guid:g5")
    other = item_candidate("#5", "guid:g5-again")
    merged = merge([first, item, second, other])
    assert [c.source for c in merged] == ["notes", "notes"]
    assert set(merged[0].identities) == {
        "#5",
        "path:podcast/0005/index.md",
        "guid:g5",
        "guid:g5-again",
    }
    assert merged[1] == second


def test_feed_items_sharing_the_show_home_page_are_separate_episodes(site, store):
    url = "https://anchor.fm/s/abc/podcast/rss"
    home = "https://example.com/podcast/"  # some feeds give every item the show's page
    notifier = Notifier(store, catchup_limit=5)
    old = FeedItem("g1", "#1 S3", home)
    notifier.scan(catalog_for(site).all_episodes, NOW, feed_url=url, feed_items=[old])
    new = FeedItem("g2", "#2 GCS", home, published=NOW)
    result = notifier.scan((), NOW, feed_url=url, feed_items=[new, old])
    assert [(c.key, c.source) for c in result.announced] == [("#2", "feed")]
    assert all(not i.startswith("url:") for c in from_feed([new, old]) for i in c.identities)


def test_merge_and_plan_stay_correct_on_ten_thousand_candidates():
    notes = [
        note_candidate(f"#{n}", f"path:podcast/{n}/index.md", f"anchor:e{n}") for n in range(5000)
    ]
    items = [
        item_candidate(f"guid:g{n}", f"#{n}" if n % 2 else f"anchor:e{n}") for n in range(5000)
    ]
    copies = [note_candidate("#7", f"path:copy/{k}/index.md") for k in range(10)]
    candidates = [*notes, *items, *copies]
    assert len(candidates) == 10_010
    merged = merge(candidates)
    assert len(merged) == 5010  # every item joined its note; the copies stay apart
    assert all(f"guid:g{n}" in merged[n].identities for n in range(5000))
    assert merged[5000:] == copies
    seen = {i for c in notes[:4900] for i in c.identities}
    result = plan(candidates, seen)
    assert [c.key for c in result.announce] == [f"#{n}" for n in range(4900, 5000)]
    assert all(
        set(c.identities) == {f"guid:g{n}"} | set(notes[n].identities)
        for n, c in zip(range(4900, 5000), result.announce, strict=True)
    )
    # the seen notes' feed items and the copies of #7 add identities, they are not new;
    # seen note #7 is left out before merging, so item g7 joins the first copy of #7
    assert len(result.known) == 4900 - 1 + 10
    assert {i for c in result.known for i in c.identities} >= {f"guid:g{n}" for n in range(4900)}


# -- robustness ----------------------------------------------------------------


def test_a_note_with_an_unusable_date_is_skipped_and_the_others_are_announced(site, store, caplog):
    catalog = catalog_for(site)
    notifier = Notifier(store, catchup_limit=5)
    notifier.scan(catalog.all_episodes, NOW)
    write_note(site, 2, "GCS", NOW - timedelta(hours=2))
    write_note(site, 3, "Cloud Run", NOW - timedelta(hours=1))
    catalog.load()
    zero_date = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=9)))  # Hugo's "no date"
    episodes = [
        dataclasses.replace(e, date=zero_date, publish_date=None) if e.number == 2 else e
        for e in catalog.all_episodes
    ]
    caplog.set_level("WARNING", logger="bot.notify")
    assert announced(notifier.scan(episodes, NOW)) == ["#3"]
    assert "podcast/0002/index.md" in caplog.text
    caplog.clear()
    notifier.scan(episodes, NOW + timedelta(seconds=2))
    assert "podcast/0002/index.md" not in caplog.text  # warned once, not every scan


def test_catch_up_limit_waits_for_a_scan_with_notes(site, store):
    Notifier(store, catchup_limit=2).scan(catalog_for(site).all_episodes, NOW)
    for n in (2, 3, 4, 5):  # written while the bot was down
        write_note(site, n, f"topic {n}", NOW - timedelta(days=10 - n))
    restarted = Notifier(store, catchup_limit=2)
    assert restarted.scan((), NOW) == restarted.scan((), NOW)  # no checkout yet: nothing
    result = restarted.scan(catalog_for(site).all_episodes, NOW)
    assert announced(result) == ["#4", "#5"]
    assert [c.key for c in result.over_limit] == ["#2", "#3"]


@pytest.mark.parametrize(
    "date",
    ['"yesterday"', '"2026-02-30"', '"9999-12-31T23:00:00-09:00"', '"2026-13-01 25:61"'],
)
def test_a_note_whose_date_cannot_be_read_is_skipped_for_announcements(site, store, date, caplog):
    notifier = Notifier(store, catchup_limit=5)
    notifier.scan(catalog_for(site).all_episodes, NOW)
    bad = site / "podcast/0002/index.md"
    bad.parent.mkdir(parents=True)
    bad.write_text(f'---\ntitle: "#2 GCS"\npublishDate: {date}\n---\nbody\n', encoding="utf-8")
    write_note(site, 3, "Cloud Run", NOW - timedelta(hours=1))
    caplog.set_level("WARNING", logger="bot.notify")
    assert announced(notifier.scan(catalog_for(site).all_episodes, NOW)) == ["#3"]
    assert "podcast/0002/index.md" in caplog.text


AUDIO = "https://anchor.fm/s/abc/podcast/play/9911/https%3A%2F%2Fcdn.example%2Fspecial.mp3"


@pytest.mark.parametrize(
    "rewrite",
    [
        {"guid": "rewritten-guid"},
        {"published": NOW - timedelta(hours=3)},
        {"title": "番外編（再掲）"},
        {"link": "https://example.com/podcast/special/"},
        {"guid": "g-9", "title": "番外編 改題", "published": NOW + timedelta(minutes=1)},
    ],
    ids=["guid", "pubDate", "title", "link", "everything"],
)
def test_a_rewritten_feed_item_with_the_same_audio_is_never_announced_again(site, store, rewrite):
    url = "https://anchor.fm/s/abc/podcast/rss"
    home = "https://example.com/podcast/"  # every item links to the show page
    notifier = Notifier(store, catchup_limit=5)
    old = FeedItem("g1", "#1 S3", home, audio_url="https://cdn.example/1.mp3")
    notifier.scan(catalog_for(site).all_episodes, NOW, feed_url=url, feed_items=[old])
    special = FeedItem("g2", "番外編", home, audio_url=AUDIO, published=NOW)
    first = notifier.scan((), NOW, feed_url=url, feed_items=[special, old])
    assert [c.title for c in first.announced] == ["番外編"]
    rewritten = dataclasses.replace(special, **rewrite)
    later = NOW + timedelta(hours=1)
    again = notifier.scan((), later, feed_url=url, feed_items=[rewritten, old])
    assert again.announced == ()
    restarted = Notifier(store, catchup_limit=5)  # and after a restart
    assert restarted.scan((), later, feed_url=url, feed_items=[rewritten, old]).announced == ()


def test_a_special_linking_to_a_show_page_another_item_left_is_still_announced(site, store):
    url = "https://anchor.fm/s/abc/podcast/rss"
    home = "https://example.com/podcast/"
    notifier = Notifier(store, catchup_limit=5)
    notifier.scan(catalog_for(site).all_episodes, NOW, feed_url=url, feed_items=[])
    first = FeedItem("g1", "番外編 1", home, audio_url="https://cdn.example/sp1.mp3", published=NOW)
    result = notifier.scan((), NOW, feed_url=url, feed_items=[first])
    assert [c.title for c in result.announced] == ["番外編 1"]
    moved = dataclasses.replace(first, link="https://example.com/podcast/special-1/")
    second = FeedItem(
        "g2", "番外編 2", home, audio_url="https://cdn.example/sp2.mp3", published=NOW
    )
    later = NOW + timedelta(hours=1)
    result = notifier.scan((), later, feed_url=url, feed_items=[second, moved])
    assert [c.title for c in result.announced] == ["番外編 2"]


FEED = "https://anchor.fm/s/abc/podcast/rss"
SHOW = "https://example.com/podcast/"  # the show page


def special(n: int, link: str = SHOW, audio: str | None = "") -> FeedItem:
    """A numberless special; ``audio=None``: an item without enclosure."""
    sound = f"https://cdn.example/sp{n}.mp3?t=1" if audio == "" else audio
    return FeedItem(f"g{n}", f"番外編 {n}", link, audio_url=sound, published=NOW)


def started(site, store) -> Notifier:
    """A notifier past its first start: the feed's baseline is taken, empty."""
    notifier = Notifier(store, catchup_limit=5)
    notifier.scan(catalog_for(site).all_episodes, NOW, feed_url=FEED, feed_items=[])
    return notifier


def titles(result) -> list[str]:
    return [c.title for c in result.announced]


def test_a_special_on_a_show_page_another_item_left_is_announced_after_a_restart(site, store):
    notifier = started(site, store)
    first = special(1)
    assert titles(notifier.scan((), NOW, feed_url=FEED, feed_items=[first])) == ["番外編 1"]
    moved = dataclasses.replace(first, link="https://example.com/podcast/special-1/")
    later = NOW + timedelta(hours=1)
    assert notifier.scan((), later, feed_url=FEED, feed_items=[moved]).announced == ()
    restarted = Notifier(store, catchup_limit=5)  # what it knows comes from the state file
    items = [special(2), moved]
    assert titles(restarted.scan((), later, feed_url=FEED, feed_items=items)) == ["番外編 2"]
    again = Notifier(store, catchup_limit=5)
    assert again.scan((), later, feed_url=FEED, feed_items=items).announced == ()


@pytest.mark.parametrize("field", ["guid", "published", "title", "link"])
def test_the_special_that_took_over_a_show_page_is_not_announced_when_rewritten(site, store, field):
    notifier = started(site, store)
    notifier.scan((), NOW, feed_url=FEED, feed_items=[special(1)])
    moved = dataclasses.replace(special(1), link="https://example.com/podcast/special-1/")
    second = special(2)
    assert titles(notifier.scan((), NOW, feed_url=FEED, feed_items=[second, moved])) == ["番外編 2"]
    value = {
        "guid": "rewritten",
        "published": NOW - timedelta(days=1),
        "title": "番外編 2（再掲）",
        "link": "https://example.com/podcast/special-2/",
    }[field]
    rewritten = dataclasses.replace(second, **{field: value})
    later = NOW + timedelta(hours=1)
    for scanner in (notifier, Notifier(store, catchup_limit=5)):
        assert scanner.scan((), later, feed_url=FEED, feed_items=[rewritten, moved]).announced == ()


def test_two_specials_sharing_the_show_page_again_are_not_announced_again(site, store):
    notifier = started(site, store)
    notifier.scan((), NOW, feed_url=FEED, feed_items=[special(1)])
    moved = dataclasses.replace(special(1), link="https://example.com/podcast/special-1/")
    notifier.scan((), NOW, feed_url=FEED, feed_items=[special(2), moved])
    back = [special(3), special(2), special(1)]  # every special on the show page again
    later = NOW + timedelta(hours=1)
    assert titles(notifier.scan((), later, feed_url=FEED, feed_items=back)) == ["番外編 3"]


@pytest.mark.parametrize("number", [None, 7], ids=["numberless", "numbered"])
@pytest.mark.parametrize("field", ["guid", "published", "title", "link"])
def test_an_item_alone_on_a_page_is_never_announced_again_when_rewritten(
    site, store, number, field
):
    notifier = started(site, store)
    title = "番外編" if number is None else f"#{number} GKE"
    item = FeedItem("g1", title, SHOW, audio_url="https://cdn.example/1.mp3", published=NOW)
    assert titles(notifier.scan((), NOW, feed_url=FEED, feed_items=[item])) == [title]
    value = {
        "guid": "rewritten",
        "published": NOW - timedelta(days=1),
        "title": "番外編（再掲）",  # a numbered item may even lose its number
        "link": "https://example.com/podcast/moved/",
    }[field]
    rewritten = dataclasses.replace(item, **{field: value})
    later = NOW + timedelta(hours=1)
    for scanner in (notifier, Notifier(store, catchup_limit=5)):
        assert scanner.scan((), later, feed_url=FEED, feed_items=[rewritten]).announced == ()


def test_an_item_without_audio_rewritten_on_its_page_is_not_announced_again(site, store):
    """Without an audio file a rewritten guid cannot be told from a new special on the
    same page: the page stays a match, so a rewrite never posts twice."""
    notifier = started(site, store)
    notifier.scan((), NOW, feed_url=FEED, feed_items=[special(1, audio=None)])
    rewritten = dataclasses.replace(special(1, audio=None), guid="rewritten")
    assert notifier.scan((), NOW, feed_url=FEED, feed_items=[rewritten]).announced == ()


def test_a_feed_item_linking_to_a_notes_page_is_that_note_whatever_its_audio(site, store):
    """A page first seen as a note's page is the note's: a feed item linking there
    with a new audio file is that episode, not a new one."""
    notifier = started(site, store)
    player = "https://anchor.fm/testcast/embed/episodes/sp-e0sp1"
    write_page(site, "podcast/special-1/index.md", "番外編 1", NOW - timedelta(hours=1), player)
    catalog = catalog_for(site)
    assert announced(notifier.scan(catalog.all_episodes, NOW)) == [
        "path:podcast/special-1/index.md"
    ]
    page = "http://localhost:1313/podcast/special-1/"
    first = special(1, link=page)
    later = NOW + timedelta(hours=1)
    result = notifier.scan(catalog.all_episodes, later, feed_url=FEED, feed_items=[first])
    assert result.announced == ()
    other_audio = dataclasses.replace(first, guid="g1b", audio_url="https://cdn.example/x.mp3")
    result = notifier.scan(catalog.all_episodes, later, feed_url=FEED, feed_items=[other_audio])
    assert result.announced == ()


def test_a_special_note_and_its_item_on_a_show_page_another_left_are_announced_once(site, store):
    notifier = started(site, store)
    notifier.scan((), NOW, feed_url=FEED, feed_items=[special(1)])
    moved = dataclasses.replace(special(1), link="https://example.com/podcast/special-1/")
    notifier.scan((), NOW, feed_url=FEED, feed_items=[moved])
    # the second special's note plays the same audio file as its feed item
    rel = site / "podcast/special-2/index.md"
    rel.parent.mkdir(parents=True)
    rel.write_text(
        f'---\ntitle: "番外編 2"\ndate: {(NOW - timedelta(hours=1)).isoformat()}\n---\n\n'
        '<audio src="https://cdn.example/sp2.mp3"></audio>\n\n番外編の回。\n',
        encoding="utf-8",
    )
    catalog = catalog_for(site)
    later = NOW + timedelta(hours=1)
    items = [special(2), moved]
    result = notifier.scan(catalog.all_episodes, later, feed_url=FEED, feed_items=items)
    assert [(c.source, c.title) for c in result.announced] == [("notes", "番外編 2")]
    restarted = Notifier(store, catchup_limit=5)
    result = restarted.scan(catalog.all_episodes, later, feed_url=FEED, feed_items=items)
    assert result.announced == ()
