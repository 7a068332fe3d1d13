"""Soak: the bot in SimCord for a simulated week (issue 13). A benchmark, not a test.

Every simulated hour: the feed gets the next episode (announced from the feed), the
note of the previous one is written (the same episode: no second post), an older note
is edited, every third hour one is removed, every sixth hour a draft is added, every
twelfth hour a numberless special appears (all specials link to the show page), and one
feed item is rewritten (guid, pubDate, title or link; same audio; a special's link may
move off the show page). Now and then the post route answers 503; every simulated day
the bot restarts on the same state file.

Prints announcements expected vs made (per episode and channel), the feed requests,
RSS at start and end (VmRSS from /proc/self/status) and its growth, and event-loop
stalls over 100 ms, measured two ways while the bot runs (from ``env.start()`` to
``env.shutdown()``; the bench's own set-up and clean-up are outside):

- *callbacks*: every loop callback (``asyncio.Handle._run``) that holds the loop over
  100 ms, wall clock. Its run-queue wait (``/proc/thread-self/schedstat``: runnable, but
  another process had the CPU) and garbage collection inside it are measured, and a
  sampler thread records the main thread's stack every 20 ms while it runs. A callback
  whose hold minus run-queue wait is still over 100 ms is *gc* when a garbage
  collection inside it took over 100 ms, else the *bot's* when a sample shows a frame
  of ``bot/`` (its code held the loop: computing or blocked in I/O), else the
  *harness's* (SimCord or this script), *unknown* without a sample; the rest are
  *machine* (over 100 ms only because other processes had the CPU).
- *ticker*: late wake-ups of an ``asyncio.sleep(0.05)`` loop. Under SimCord's virtual
  time a simulated hour of work runs back to back, so this also counts many short
  callbacks in a row; kept for comparison with earlier rounds.

Exits 1 if expected != made.

    .venv/bin/python bench/soak.py            # a week: 168 hours
    .venv/bin/python bench/soak.py --hours 6  # a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import json
import logging
import os
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import discord  # noqa: E402
import simcord  # noqa: E402
from aiohttp import web  # noqa: E402

from bot.app import create_bot  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.library.catalog import Catalog  # noqa: E402

START = datetime.fromisoformat("2026-01-01T00:00:00+00:00")  # SimCord's virtual epoch
HOUR = 3600.0
SHOW_PAGE = "https://example.com/podcast/"
STALL = 0.1  # seconds
ORIGINS = ("bot", "gc", "harness", "machine", "unknown")  # whose a callback holding the loop is


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def write_note(site: Path, number: int, title: str, when: datetime, *, draft: bool = False):
    path = site / "podcast" / f"{number:04d}" / "index.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'---\ntitle: "#{number} {title}"\nsummary: "{title}の回"\ndate: {when.isoformat()}\n'
        f"publishDate: {when.isoformat()}\ndraft: {str(draft).lower()}\n---\n\n"
        f'<iframe src="https://anchor.fm/testcast/embed/episodes/ep{number}-e{number:05d}">'
        f"</iframe>\n\n# 話したこと\n\n{title}について話した。\n",
        encoding="utf-8",
    )


class Feed:
    """RSS on 127.0.0.1 with ETag/304; items are dicts, newest last."""

    def __init__(self) -> None:
        self.items: list[dict] = []
        self.version = 0
        self.requests = 0
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        etag = f'"v{self.version}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304)
        body = "".join(
            f"<item><title>{i['title']}</title><link>{i['link']}</link>"
            f'<guid isPermaLink="false">{i["guid"]}</guid>'
            f"<pubDate>{format_datetime(i['published'], usegmt=True)}</pubDate>"
            f'<enclosure url="{i["audio"]}" length="1" type="audio/mpeg"/></item>'
            for i in reversed(self.items)
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>testcast</title><link>{SHOW_PAGE}</link>{body}</channel></rss>"
        )
        return web.Response(
            body=xml.encode(), content_type="application/rss+xml", headers={"ETag": etag}
        )

    def add(self, key: str, number: int | None, title: str, link: str, audio: str, when):
        self.items.append(
            {"key": key, "number": number, "title": title, "link": link, "guid": f"g-{key}",
             "published": when, "audio": audio, "rewrites": 0}
        )  # fmt: skip
        self.version += 1

    def rewrite(self, hour: int) -> None:
        candidates = self.items[1:]  # the baseline special keeps the show page shared
        if not candidates:
            return
        item = candidates[hour % len(candidates)]
        item["rewrites"] += 1
        r = item["rewrites"]
        what = ("guid", "pubDate", "title", "link")[hour % 4]
        if what == "guid":
            item["guid"] = f"rewritten-{item['key']}-{r}"
        elif what == "pubDate":
            item["published"] -= timedelta(minutes=7 * r)
        elif what == "title":
            item["title"] = f"{item['title'].split('（')[0]}（再掲{r}）"
        elif item["number"] is not None:
            n = item["number"]
            item["link"] = f"https://anchor.fm/testcast/episodes/moved{r}-ep{n}-e{n:05d}"
        else:  # a special moves off the show page (the next one links there, and is new)
            item["link"] = f"https://example.com/podcast/{item['key'].replace(' ', '-')}-{r}/"
        item["audio"] = item["audio"].split("?")[0] + f"?t={r}"
        self.version += 1


class Stalls:
    """Wake-ups of an ``asyncio.sleep(0.05)`` later than ``STALL``, in real time."""

    def __init__(self) -> None:
        self.count = 0
        self.worst = 0.0
        self.ticks = 0

    async def run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.05)
            late = time.perf_counter() - before - 0.05
            self.ticks += 1
            self.worst = max(self.worst, late)
            if late > STALL:
                self.count += 1


@dataclass(frozen=True, slots=True)
class Hold:
    """One loop callback that held the loop over ``STALL``."""

    wall_ms: float
    waiting_ms: float  # runnable, but the CPU was another process's
    gc_ms: float
    origin: str  # "bot", "harness" or "machine"
    what: str  # the callback, or the task it stepped
    where: str  # the innermost bot (else any) frame seen while it ran


class LoopWatch:
    """Times every callback the loop runs while ``active`` (see the module docstring).

    Replaces ``asyncio.events.Handle._run`` for the run: a benchmark's probe, never
    the bot's code."""

    def __init__(self) -> None:
        self.active = False
        self.holds: list[Hold] = []
        self.callbacks = 0
        self._run = asyncio.events.Handle._run
        self._sched = _open_schedstat()
        self._main = threading.get_ident()
        self._began: float | None = None
        self._samples: list[list[traceback.FrameSummary]] = []
        self._gc = 0.0
        self._gc_began = 0.0
        self._stop = threading.Event()

    def install(self) -> None:
        watch = self

        def run(handle: asyncio.Handle) -> None:
            if not watch.active:
                return watch._run(handle)
            watch.callbacks += 1
            watch._samples, watch._gc = [], 0.0
            waited = watch._waited()
            began = watch._began = time.perf_counter()
            try:
                return watch._run(handle)
            finally:
                wall = time.perf_counter() - began
                watch._began = None
                if wall > STALL:
                    watch._record(handle, wall, watch._waited() - waited)

        asyncio.events.Handle._run = run  # type: ignore[method-assign]
        gc.callbacks.append(self._on_gc)
        threading.Thread(target=self._sample, name="stall-sampler", daemon=True).start()

    def uninstall(self) -> None:
        self.active = False
        asyncio.events.Handle._run = self._run  # type: ignore[method-assign]
        gc.callbacks.remove(self._on_gc)
        self._stop.set()

    def _waited(self) -> float:
        if self._sched is None:
            return 0.0
        return int(os.pread(self._sched, 100, 0).split()[1]) / 1e9

    def _on_gc(self, phase: str, _info: dict) -> None:
        if phase == "start":
            self._gc_began = time.perf_counter()
        elif self._began is not None:
            self._gc += time.perf_counter() - self._gc_began

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            began = self._began
            if began is not None and time.perf_counter() - began > STALL / 2:
                frame = sys._current_frames().get(self._main)
                if frame is not None and self._began == began:
                    stack = traceback.StackSummary.extract(
                        traceback.walk_stack(frame), lookup_lines=False
                    )
                    stack.reverse()  # outermost first, as extract_stack gives
                    self._samples.append(stack)

    def _record(self, handle: asyncio.Handle, wall: float, waiting: float) -> None:
        frames = [f for sample in self._samples for f in sample]
        mine = [f for f in frames if f"{os.sep}bot{os.sep}" in f.filename and _in_repo(f)]
        if wall - waiting <= STALL:
            origin = "machine"
        elif self._gc > STALL:
            origin = "gc"
        elif not self._samples:
            origin = "unknown"  # the sampler thread got no look in
        else:
            origin = "bot" if mine else "harness"
        inner = [sample[-1] for sample in self._samples if sample[-1].name != "_on_gc"]
        frame = mine[-1] if mine else (inner[-1] if inner else None)
        where = f"{_short(frame.filename)}:{frame.lineno} {frame.name}" if frame else "-"
        self.holds.append(
            Hold(round(wall * 1000, 1), round(waiting * 1000, 1), round(self._gc * 1000, 1),
                 origin, _callback_name(handle), where)
        )  # fmt: skip

    def figures(self) -> dict:
        by = Counter(h.origin for h in self.holds)
        worst = {o: max((h.wall_ms for h in self.holds if h.origin == o), default=0.0)
                 for o in ORIGINS}  # fmt: skip
        return {
            "callbacks": self.callbacks,
            "holds_over_100ms": len(self.holds),
            **{f"holds_{o}": by[o] for o in ORIGINS},
            "worst_hold_ms": worst,
            "holds": [asdict(h) for h in sorted(self.holds, key=lambda h: -h.wall_ms)],
        }  # fmt: skip


def _open_schedstat() -> int | None:
    try:
        return os.open("/proc/thread-self/schedstat", os.O_RDONLY)
    except OSError:  # not Linux: run-queue wait counts as 0
        return None


def _in_repo(frame: traceback.FrameSummary) -> bool:
    return frame.filename.startswith(str(ROOT)) and "site-packages" not in frame.filename


def _short(filename: str) -> str:
    if filename.startswith(str(ROOT)) and "site-packages" not in filename:
        return os.path.relpath(filename, ROOT)
    return filename.rsplit("site-packages/", 1)[-1].rsplit("/lib/python3", 1)[-1]


def _callback_name(handle: asyncio.Handle) -> str:
    callback = getattr(handle, "_callback", None)
    callback = getattr(callback, "__simcord_original_callback__", callback)
    task = getattr(callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        coro = task.get_coro()
        return "task " + getattr(coro, "__qualname__", repr(coro))
    return getattr(callback, "__qualname__", repr(callback))


def build_bot(settings: Settings):
    return create_bot(settings, catalog=Catalog.from_settings(settings, clock=discord.utils.utcnow))


async def soak(hours: int, poll: float, channels: int, probe: bool = True) -> dict:
    feed = Feed()
    app = web.Application()
    app.router.add_get("/podcast/rss", feed.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    feed.url = f"http://127.0.0.1:{tcp._server.sockets[0].getsockname()[1]}/podcast/rss"  # type: ignore[union-attr]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        site = root / "content"
        write_note(site, 1, "S3のきほん", START - timedelta(days=30))
        write_note(site, 2, "GCSのきほん", START - timedelta(days=20))
        feed.add("special 0", None, "番外編 0", SHOW_PAGE, "https://cdn.example/sp0.mp3",
                 START - timedelta(days=3))  # fmt: skip
        settings = Settings(
            content_dir=site, data_dir=root, state_path=root / "state.db",
            health_file=root / "health.json", watch_content=True, watch_poll_seconds=poll,
            feed_url=feed.url, feed_interval_seconds=600, semantic_search=False,
        )  # fmt: skip
        # settle_timeout bounds the real time of one advance_time(HOUR): a simulated
        # hour takes 1-2 s here, more on a machine other work keeps busy.
        env = simcord.Env(build_bot(settings), settle_timeout=120.0)
        watch = LoopWatch()
        if probe:
            watch.install()
        await env.start()
        stalls = Stalls()
        ticker = asyncio.get_running_loop().create_task(stalls.run())
        watch.active = True  # from here to the shutdown: the bot runs
        try:
            with env.time_context():
                result = await drive(env, settings, site, feed, hours, channels, stalls)
        finally:
            watch.active = False
            ticker.cancel()
            await env.shutdown()
            if probe:
                watch.uninstall()
            await runner.cleanup()
    return result | watch.figures()


async def drive(env, settings, site, feed, hours, channels, stalls) -> dict:
    await env.bot.tree.sync()
    rooms = []
    for i in range(channels):
        guild = env.create_guild(name=f"fans-{i}")
        mods = guild.create_role("mods", permissions=discord.Permissions(manage_guild=True))
        news = guild.create_text_channel("news")
        admin = guild.add_member(env.create_user(f"admin{i}"), roles=[mods])
        await admin.slash(news, "notify set", channel=news)
        rooms.append(news)
    await env.advance_time(poll_step(settings))  # first start: the baseline
    # RSS from when the bot is ready: its background index (readings, word lists) built
    await asyncio.to_thread(env.bot.catalog.wait_semantic, 600)
    rss_start = rss_kib()
    expected: set[str] = set()
    notes: list[int] = []
    number, special, restarts, outages = 3, 1, 0, 0
    began = time.perf_counter()
    for hour in range(hours):
        now = env.now()
        link = f"https://anchor.fm/testcast/episodes/ep{number}-e{number:05d}"
        audio = f"https://cdn.example/audio/{number}.mp3?t=0"
        feed.add(f"#{number}", number, f"#{number} 第{number}回の話題", link, audio,
                 now - timedelta(minutes=1))  # fmt: skip
        expected.add(f"#{number}")
        if hour:  # the previous episode's notes arrive an hour after its feed item
            await asyncio.to_thread(  # the bench's own disk work stays off the bot's loop
                write_note, site, number - 1, f"第{number - 1}回の話題", now - timedelta(minutes=30)
            )
            notes.append(number - 1)
        number += 1
        if notes and hour % 2:
            edited = notes[hour % len(notes)]
            await asyncio.to_thread(
                write_note, site, edited, f"第{edited}回の話題 改訂{hour}", now - timedelta(hours=2)
            )
        if hour % 3 == 2 and len(notes) > 3:
            gone = notes.pop(0)
            await asyncio.to_thread((site / "podcast" / f"{gone:04d}" / "index.md").unlink)
        if hour % 6 == 5:
            await asyncio.to_thread(
                functools.partial(write_note, site, 9000 + hour, "下書き", now, draft=True)
            )
        if hour % 12 == 11:
            feed.add(f"special {special}", None, f"番外編 {special}", SHOW_PAGE,
                     f"https://cdn.example/sp{special}.mp3?t=0", now)  # fmt: skip
            expected.add(f"special {special}")
            special += 1
        feed.rewrite(hour)
        if hour % 5 == 4:
            env.inject_error("POST", "/channels/*/messages", status=503, times=2)
            outages += 1
        await env.advance_time(HOUR)
        if hour % 24 == 23:
            await env.restart_bot(build_bot(settings))
            restarts += 1
    await env.advance_time(2 * HOUR)  # every retry has run out
    real = time.perf_counter() - began
    rss_end = rss_kib()
    made = Counter()
    me = env.bot.user.id
    for channel in rooms:
        for message in channel.history():
            if message.author.id == me and message.embeds:
                made[(channel.id, episode_key(message.embeds[0].title or ""))] += 1
    want = Counter({(c.id, key): 1 for c in rooms for key in expected})
    return {
        "hours": hours,
        "channels": channels,
        "restarts": restarts,
        "outages": outages,
        "expected": sum(want.values()),
        "made": sum(made.values()),
        "exactly_once": made == want,
        "wrong": sorted(f"{k[1]} x{made[k]}" for k in set(made) | set(want) if made[k] != want[k]),
        "feed_requests": feed.requests,
        "rss_start_kib": rss_start,
        "rss_end_kib": rss_end,
        "rss_growth_pct": round(100.0 * (rss_end - rss_start) / rss_start, 1),
        "stalls_over_100ms": stalls.count,
        "worst_stall_ms": round(stalls.worst * 1000, 1),
        "ticker_wakeups": stalls.ticks,
        "real_seconds": round(real, 1),
    }


def poll_step(settings: Settings) -> float:
    return max(60.0, settings.watch_poll_seconds or 0)


def episode_key(title: str) -> str:
    if title.startswith("#"):
        return title.split()[0]
    if title.startswith("番外編"):
        return "special " + title.split()[1].split("（")[0]
    return f"unknown: {title}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=168, help="simulated hours (a week)")
    parser.add_argument("--poll", type=float, default=60.0, help="WATCH_POLL_SECONDS (tick)")
    parser.add_argument("--channels", type=int, default=2, help="subscribed servers")
    parser.add_argument("--json", action="store_true", help="the figures as JSON")
    parser.add_argument(
        "--no-probe", action="store_true", help="no per-callback timing (the ticker only)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)  # retries and injected 503s log on purpose
    report = asyncio.run(soak(args.hours, args.poll, args.channels, not args.no_probe))
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        r = report
        print(f"### Soak: {r['hours']} simulated hours, {r['channels']} channels\n")
        print("| figure | value |\n|---|---|")
        mib = f"{r['rss_start_kib'] / 1024:.1f} / {r['rss_end_kib'] / 1024:.1f} MiB"
        stalled = f"{r['stalls_over_100ms']} ({r['worst_stall_ms']} ms)"
        worst = r["worst_hold_ms"]
        holds = " / ".join(f"{r['holds_' + o]} ({worst[o]} ms)" for o in ORIGINS)
        rows = [
            ("announcements expected / made", f"{r['expected']} / {r['made']}"),
            ("exactly once per episode and channel", "yes" if r["exactly_once"] else "NO"),
            ("restarts / 503 outages", f"{r['restarts']} / {r['outages']}"),
            ("feed requests", r["feed_requests"]),
            ("RSS start / end", mib),
            ("RSS growth", f"{r['rss_growth_pct']} %"),
            ("loop held > 100 ms: bot / gc / harness / machine / unknown (worst)", holds),
            ("loop callbacks timed", r["callbacks"]),
            ("ticker: late wake-ups > 100 ms (worst)", stalled),
            ("ticker wake-ups", r["ticker_wakeups"]),
            ("real time", f"{r['real_seconds']} s"),
        ]  # fmt: skip
        for name, value in rows:
            print(f"| {name} | {value} |")
        for h in r["holds"]:
            if h["origin"] != "machine":
                print(
                    f"\n{h['origin']}: {h['wall_ms']} ms (run-queue {h['waiting_ms']} ms, "
                    f"GC {h['gc_ms']} ms) {h['what']} at {h['where']}",
                    end="",
                )
        print()
        if r["wrong"]:
            print("\nnot exactly once: " + ", ".join(r["wrong"]))
    return 0 if report["exactly_once"] and report["expected"] == report["made"] else 1


if __name__ == "__main__":
    sys.exit(main())
