"""The RSS feed client against a real HTTP server on 127.0.0.1."""

import asyncio
import threading
from datetime import UTC, datetime

import pytest
from aiohttp import web
from loopback import serve
from paths import FIXTURES_DIR

import bot.notify.feed
from bot.notify.feed import FeedError, fetch_feed, parse_feed
from bot.notify.store import FeedValidators

FEED = (FIXTURES_DIR / "notify" / "feed.xml").read_bytes()
ETAG = '"feed-v1"'
LAST_MODIFIED = "Mon, 02 Mar 2026 01:00:00 GMT"


class FeedServer:
    """Serves the fixture feed; ``mode`` picks the answer."""

    def __init__(self):
        self.mode = "ok"
        self.requests: list[dict[str, str]] = []
        self.release = asyncio.Event()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(dict(request.headers))
        if self.mode == "error":
            return web.Response(status=500, text="boom")
        if self.mode == "garbage":
            return web.Response(body=b"\x00\x01<html><body>nope</body>", content_type="text/html")
        if self.mode == "slow":
            await self.release.wait()
        if request.headers.get("If-None-Match") == ETAG:
            return web.Response(status=304)
        return web.Response(
            body=FEED,
            content_type="application/rss+xml",
            headers={"ETag": ETAG, "Last-Modified": LAST_MODIFIED},
        )


@pytest.fixture
async def feed_server():
    server = FeedServer()
    async with serve("/podcast/rss", server.handle) as url:
        server.url = url
        yield server
        server.release.set()


def test_fixture_feed_parses_items_with_links_audio_and_dates():
    items = parse_feed(FEED)
    assert [i.title for i in items] == [
        "#3 【GCP】Cloud Run入門",
        "番外編 オフ会のお知らせ",
        "#1 【AWS】S3のきほん",
    ]
    first = items[0]
    assert first.link == "https://anchor.fm/testcast/episodes/GCPCloud-Run-e3ccc3"
    assert first.audio_url.endswith("ep3.m4a")
    assert first.published == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    assert first.summary == "Cloud Runをざっくり試したよ"  # <b> is inline: no spaces
    assert items[2].number == 1


def test_garbage_is_not_a_feed():
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(b"\x00\x01 definitely not xml")


async def test_first_fetch_returns_items_and_validators(feed_server):
    result = await fetch_feed(feed_server.url)
    assert result.status == "ok"
    assert len(result.items) == 3
    assert result.validators == FeedValidators(ETAG, LAST_MODIFIED)


async def test_the_body_is_parsed_off_the_event_loop(feed_server, monkeypatch):
    threads: list[threading.Thread] = []

    def recording_parse(body, url=""):
        threads.append(threading.current_thread())
        return parse_feed(body, url)

    monkeypatch.setattr(bot.notify.feed, "parse_feed", recording_parse)
    result = await fetch_feed(feed_server.url)
    assert result.status == "ok"
    assert len(result.items) == 3
    assert threads and threads[0] is not threading.current_thread()


async def test_a_parser_crash_is_reported_not_raised(feed_server, monkeypatch):
    def crash(body, url=""):
        raise RecursionError("too deep")

    monkeypatch.setattr(bot.notify.feed, "parse_feed", crash)
    result = await fetch_feed(feed_server.url)
    assert (result.status, result.error) == ("error", "not a feed: RecursionError")


async def test_conditional_get_sends_validators_and_handles_304(feed_server):
    result = await fetch_feed(feed_server.url, FeedValidators(ETAG, LAST_MODIFIED))
    assert result.status == "not_modified"
    assert result.items == ()
    headers = feed_server.requests[-1]
    assert headers["If-None-Match"] == ETAG
    assert headers["If-Modified-Since"] == LAST_MODIFIED


async def test_server_error_is_reported_not_raised(feed_server):
    feed_server.mode = "error"
    result = await fetch_feed(feed_server.url)
    assert (result.status, result.error) == ("error", "HTTP 500")


async def test_garbage_body_is_reported_not_raised(feed_server):
    feed_server.mode = "garbage"
    result = await fetch_feed(feed_server.url)
    assert result.status == "error"
    assert "not a feed" in result.error


async def test_slow_server_times_out(feed_server):
    feed_server.mode = "slow"
    result = await fetch_feed(feed_server.url, timeout=0.3)
    assert result.status == "error"
    assert "no answer" in result.error


async def test_refused_connection_is_reported_not_raised(unused_tcp_port):
    result = await fetch_feed(f"http://127.0.0.1:{unused_tcp_port}/rss", timeout=5)
    assert result.status == "error"
    assert "Connect" in result.error or "refused" in result.error.lower()
