"""Pages as plain data and back: what the loader's workers and the snapshot rely on."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import msgpack
import pytest
from paths import FIXTURES_DIR, ROOT_DIR

from bot.content import SiteOptions
from bot.content.loader import ReadCache, load_site
from bot.content.plain import episode_plain, unepisode
from bot.models import Episode, Section

SITES = [ROOT_DIR / "content", FIXTURES_DIR / "bot_site", FIXTURES_DIR / "content"]


def through_msgpack(value: object, use_list: bool) -> object:
    return msgpack.unpackb(msgpack.packb(value, use_bin_type=True), use_list=use_list, raw=False)


@pytest.mark.parametrize("use_list", [True, False])
@pytest.mark.parametrize("site", SITES, ids=lambda p: p.relative_to(ROOT_DIR).as_posix())
def test_every_note_read_survives_plain_data_unchanged(site: Path, use_list: bool):
    cache = ReadCache()
    load_site(site, SiteOptions(), cache)
    assert len(cache) > 0
    again = ReadCache.from_state(through_msgpack(list(cache.to_state()), use_list))  # type: ignore[arg-type]
    assert again.notes.keys() == cache.notes.keys()
    for rel, note in cache.notes.items():
        back = again.notes[rel]
        assert back == note, rel
        if note.page is not None:
            assert back.page is not None
            assert back.page.episode.extra == note.page.episode.extra  # not compared by ==
            for old, new in zip(_dates(note.page.episode), _dates(back.page.episode), strict=True):
                assert (old, getattr(old, "tzinfo", None)) == (new, getattr(new, "tzinfo", None))


def _dates(e: Episode) -> list[datetime | None]:
    return [e.date, e.publish_date, e.expiry_date, e.live_at, e.live_end]


def test_zones_come_back_as_written():
    tokyo = datetime(2026, 3, 1, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    fixed = datetime(2026, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=-5)))
    episode = Episode(
        path="podcast/1/index.md",
        raw_title="#1 t",
        title="t",
        number=1,
        category=None,
        summary="",
        date=tokyo,
        publish_date=fixed,
        sections=(Section("見出し", 2, ("見出し",), "本文", "anchor"),),
        extra=(("guest", "someone"),),
    )
    back = unepisode(through_msgpack(episode_plain(episode), False))  # type: ignore[arg-type]
    assert back == episode and back.extra == episode.extra
    assert back.date is not None and back.date.tzinfo == ZoneInfo("Asia/Tokyo")
    assert back.publish_date is not None and back.publish_date.utcoffset() == timedelta(hours=-5)


def test_a_cache_of_something_else_is_refused():
    with pytest.raises((ValueError, TypeError)):
        ReadCache.from_state([[1, 2, 3, 4, 5, 6]])
    with pytest.raises((ValueError, TypeError)):
        ReadCache.from_state([["a.md", 1, 2]])
