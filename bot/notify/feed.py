"""The podcast's RSS/Atom feed: conditional GET with aiohttp, parsing with feedparser.

``fetch_feed()`` never raises for network or content trouble: it returns a
``FeedResult`` whose ``status`` is "ok" (items parsed), "not_modified" (304 for the
ETag / Last-Modified sent) or "error" (with a one-line reason). The body (up to
``MAX_FEED_BYTES``) is parsed in a worker thread, never on the event loop. Pure core:
no discord.
"""

from __future__ import annotations

import asyncio
import calendar
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import aiohttp
import feedparser

from bot.content.htmltext import html_to_text

log = logging.getLogger(__name__)

MAX_FEED_BYTES = 20_000_000
SUMMARY_MAX = 300  # characters of a feed summary kept
USER_AGENT = "mukiudo-bot/0.1 (podcast show-notes bot)"


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One episode as the feed lists it."""

    guid: str
    title: str
    link: str | None = None  # the episode page (anchor.fm/...)
    audio_url: str | None = None  # the enclosure
    published: datetime | None = None  # aware UTC
    summary: str = ""
    number: int | None = None  # itunes:episode when the feed has it


@dataclass(frozen=True, slots=True)
class FeedValidators:
    """What the last answer said about its version, for a conditional request."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FeedResult:
    status: Literal["ok", "not_modified", "error"]
    items: tuple[FeedItem, ...] = ()
    validators: FeedValidators | None = None
    error: str | None = None
    http_status: int | None = None


class FeedError(ValueError):
    """The body is not a feed."""


def parse_feed(body: bytes | str, url: str = "") -> tuple[FeedItem, ...]:
    """Items of an RSS/Atom document, in feed order. Raises ``FeedError`` on garbage."""
    parsed: Any = feedparser.parse(body, response_headers={"content-location": url})
    entries = list(parsed.get("entries") or [])
    if not parsed.get("version") and not entries:
        reason = parsed.get("bozo_exception") or "no RSS or Atom document found"
        raise FeedError(f"not a feed: {str(reason).splitlines()[0][:200]}")
    items: list[FeedItem] = []
    for entry in entries:
        title = str(entry.get("title") or "").strip()
        link = entry.get("link") or None
        guid = str(entry.get("id") or link or title).strip()
        if not title and not link:
            continue
        items.append(
            FeedItem(
                guid=guid,
                title=title,
                link=link,
                audio_url=_audio_url(entry),
                published=_published(entry),
                summary=html_to_text(str(entry.get("summary") or ""))[:SUMMARY_MAX],
                number=_int(entry.get("itunes_episode")),
            )
        )
    return tuple(items)


def _audio_url(entry: Any) -> str | None:
    for enclosure in entry.get("enclosures") or []:
        href = enclosure.get("href")
        if href and str(enclosure.get("type", "audio")).startswith(("audio", "video")):
            return str(href)
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure" and link.get("href"):
            return str(link["href"])
    return None


def _published(entry: Any) -> datetime | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if not stamp:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(stamp), UTC)
    except (OverflowError, ValueError, OSError):  # a year no datetime holds
        return None


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


async def fetch_feed(
    url: str,
    validators: FeedValidators | None = None,
    *,
    timeout: float = 30.0,
    session: aiohttp.ClientSession | None = None,
) -> FeedResult:
    """GET the feed, sending the saved ETag / Last-Modified; parse a 200 answer."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/xml, */*"}
    if validators and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    own = session is None
    client = session or aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))
    try:
        async with asyncio.timeout(timeout):
            async with client.get(url, headers=headers) as response:
                status = response.status
                if status == 304:
                    return FeedResult("not_modified", validators=validators, http_status=304)
                if status != 200:
                    return FeedResult("error", error=f"HTTP {status}", http_status=status)
                body = await _read_capped(response)
                new_validators = FeedValidators(
                    response.headers.get("ETag"), response.headers.get("Last-Modified")
                )
    except TimeoutError:
        return FeedResult("error", error=f"no answer within {timeout:g} s")
    except aiohttp.ClientError as exc:
        return FeedResult("error", error=f"{type(exc).__name__}: {exc}"[:300])
    except OSError as exc:
        return FeedResult("error", error=f"{type(exc).__name__}: {exc}"[:300])
    finally:
        if own:
            await client.close()
    try:
        items = await asyncio.to_thread(parse_feed, body, url)
    except FeedError as exc:
        return FeedResult("error", error=str(exc), http_status=200)
    except Exception as exc:  # feedparser tripped over the body
        log.warning("feed %s could not be parsed", url, exc_info=True)
        return FeedResult("error", error=f"not a feed: {type(exc).__name__}", http_status=200)
    return FeedResult("ok", items, new_validators, http_status=200)


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(65536):
        size += len(chunk)
        if size > MAX_FEED_BYTES:
            raise aiohttp.ClientPayloadError(f"feed larger than {MAX_FEED_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
