"""Building the search index on every core.

Analysing the notes (normalising, counting terms) is nearly all of an index build. A
large site is cut into consecutive parts: forked child processes analyse the later parts
while this process does the first, and each sends back its part's postings lists,
episode lengths and vocabulary. Episode ids follow the order of the notes, so a part's
postings lists are appended to the index's as they are (every list stays sorted by id)
and the index is the one a build on one core gives, whichever process did the work.

Children are forked (Linux, more than one usable core, a site of ``PARALLEL_MIN`` notes or
more, and by default only while this process has one thread, as ``bot.parallel`` does):
they read the episodes this process holds and nothing is sent to them. They only compute,
write their result to a pipe and leave with ``os._exit`` (no logging, no clean-up).
Whatever goes wrong with a child (no fork, killed, too slow, a result that does not
arrive) costs time only: its part is then analysed here.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import select
import signal
import sys
import time
from array import array
from collections.abc import Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from itertools import pairwise

from bot.models import Episode
from bot.parallel import only_thread, usable_cores
from bot.search.notetext import KatakanaWords
from bot.search.postings import Memo, Postings, analyse
from bot.search.vocab import Vocabulary

log = logging.getLogger(__name__)

PARALLEL_MIN = 1000  # fewer notes than this are analysed here, on one core
MAX_PARTS = 4
CHILD_COST = 0.03  # a child's part costs this much more per episode than this process's
TIMEOUT_MIN = 60.0  # seconds a child may take beyond this process's own part, at least
_READ = 1 << 20


@dataclass(frozen=True, slots=True)
class Part:
    """The analysis of consecutive episodes, ids from ``start``."""

    start: int
    postings: Postings
    body_lens: array[int]  # terms in each episode's body, in order
    title_terms: array[int]  # distinct terms in each title
    vocab: Vocabulary  # settled
    katakana: KatakanaWords  # the part's katakana words


def analyse_part(episodes: Sequence[Episode], start: int) -> Part:
    memo = Memo()
    postings = Postings()
    vocab = Vocabulary()
    body_lens = array("I")
    title_terms = array("I")
    katakana = KatakanaWords()
    for doc_id, episode in enumerate(episodes, start):
        katakana.add(episode)
        found = analyse(episode, memo)
        postings.add(doc_id, found.packed)
        vocab.add(found.words, found.pairs)
        vocab.remember_surface(found.surfaces)
        body_lens.append(found.body_len)
        title_terms.append(found.title_terms)
    vocab.settle()
    return Part(start, postings, body_lens, title_terms, vocab, katakana)


def analyse_all(episodes: Sequence[Episode], parts: int | None = None) -> Iterator[Part]:
    """Parts covering ``episodes``, in order (ids from 0). ``parts`` defaults to one per
    usable core for a large site read by a single-threaded process, else 1; a caller
    asking for more parts says forking is safe here."""
    count = _part_count(len(episodes)) if parts is None else min(parts, len(episodes))
    if count > 1 and not _can_fork():
        count = 1
    bounds = _bounds(len(episodes), count)
    children: list[_Child | None] = [_fork(episodes, lo, hi) for lo, hi in bounds[1:]]
    try:
        started = time.perf_counter()
        lo, hi = bounds[0]
        yield analyse_part(episodes[lo:hi], lo)  # taken in while the children finish
        timeout = max(TIMEOUT_MIN, 4 * (time.perf_counter() - started))
        for (lo, hi), child in zip(bounds[1:], children, strict=True):
            part = child.receive(timeout) if child is not None else None
            if part is None or part.start != lo or len(part.body_lens) != hi - lo:
                part = analyse_part(episodes[lo:hi], lo)
            yield part
    finally:
        for child in children:
            if child is not None:
                child.stop()


def _can_fork() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def _part_count(episodes: int) -> int:
    """One part per usable core for a large site, while this is the process's only
    thread (``bot.parallel`` forks the loader's workers on the same terms)."""
    if episodes < PARALLEL_MIN or not only_thread():
        return 1
    return max(1, min(usable_cores(), MAX_PARTS))


def _bounds(total: int, parts: int) -> list[tuple[int, int]]:
    """Consecutive (start, end) ranges; the first, done here, a little larger: a child
    also copies the pages it touches and pickles its part, which this one unpickles."""
    if parts <= 1:
        return [(0, total)]
    first = min(total, round(total / parts * (1 + CHILD_COST * (parts - 1))))
    rest = total - first
    edges = [0, *(first + rest * i // (parts - 1) for i in range(parts))]
    return list(pairwise(edges))


class _Child:
    def __init__(self, pid: int, fd: int) -> None:
        self.pid = pid
        self.fd = fd
        self.done = False

    def receive(self, timeout: float) -> Part | None:
        """The child's part, or None (it failed, or sent nothing within ``timeout``)."""
        try:
            data = self._read(timeout)
            if data is None:
                log.warning("index process %d too slow; analysing its part here", self.pid)
                return None
            if self._exit_code() not in (0, None):
                log.warning("index process %d failed; analysing its part here", self.pid)
                return None
            part = pickle.loads(data)
        except Exception as exc:
            log.warning("no part from index process %d (%s); analysing it here", self.pid, exc)
            return None
        return part if isinstance(part, Part) else None

    def _exit_code(self) -> int | None:
        """None when someone else reaped the child (a SIGCHLD handler, say)."""
        self.done = True
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return None
        return os.waitstatus_to_exitcode(status)

    def _read(self, timeout: float) -> bytes | None:
        chunks: list[bytes] = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return None
            chunk = os.read(self.fd, _READ)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)

    def stop(self) -> None:
        """Close the pipe; a child still running is killed and reaped."""
        with suppress(OSError):
            os.close(self.fd)
        if not self.done:
            self.done = True
            with suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)


def _fork(episodes: Sequence[Episode], lo: int, hi: int) -> _Child | None:
    try:
        read_fd, write_fd = os.pipe()
    except OSError as exc:
        log.warning("no pipe for an index process (%s); analysing here", exc)
        return None
    try:
        pid = os.fork()
    except OSError as exc:
        os.close(read_fd)
        os.close(write_fd)
        log.warning("could not fork an index process (%s); analysing here", exc)
        return None
    if pid == 0:  # the child: compute, write, leave (no clean-up, no logging)
        code = 1
        try:
            os.close(read_fd)
            gc.disable()  # short-lived; and collections would copy the parent's pages
            data = memoryview(pickle.dumps(analyse_part(episodes[lo:hi], lo), protocol=5))
            while data:
                data = data[os.write(write_fd, data) :]
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    return _Child(pid, read_fd)
