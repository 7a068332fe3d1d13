"""The semantic layer's life: load the model, embed in the background, swap in the index.

``SemanticLayer.rebuild(episodes, ready)`` returns at once; a worker thread embeds
what the vector cache does not hold and calls ``ready(index)`` with the new
``SemanticIndex``. Rebuilds asked for while one runs are coalesced: the thread goes
round again with the newest episodes. ``state`` says where it stands, for ``doctor``
and the logs; a model that cannot load, or a build that fails, leaves the search
lexical and says why. Pure core: no discord, no settings.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.models import Episode
from bot.search.semantic import Embedder, SemanticIndex, VectorStore

log = logging.getLogger(__name__)

Ready = Callable[[SemanticIndex], None]


@dataclass(frozen=True, slots=True)
class LayerState:
    phase: str  # "off", "waiting", "loading", "embedding", "ready", "failed"
    detail: str = ""
    passages: int = 0
    embedded: int = 0  # passages embedded by the running or last build (not from cache)
    seconds: float = 0.0  # how long the last build took

    def __str__(self) -> str:
        if self.phase == "ready":
            return f"ready: {self.passages} passages ({self.detail})"
        if self.phase == "embedding":
            return f"embedding {self.detail}"
        return f"{self.phase}: {self.detail}" if self.detail else self.phase


class SemanticLayer:
    def __init__(
        self,
        load: Callable[[], Embedder | None],
        store: VectorStore | None,
        prepare: Callable[[Sequence[Episode]], None] | None = None,
        *,
        lines: bool = True,
    ) -> None:
        """``load`` gives the embedder (None: semantic search off); ``prepare`` runs in
        every round after the embedding, on the same thread (the reading index);
        ``lines``: each line of the notes is a passage too (``passages_of``)."""
        self._lines = lines
        self._load = load
        self._prepare = prepare
        self._store = store
        self._embedder: Embedder | None = None
        self._lock = threading.Lock()
        self._pending: tuple[Sequence[Episode], Ready] | None = None
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()
        self.state = LayerState("waiting")

    def attach(self, prepare: Callable[[Sequence[Episode]], None]) -> None:
        """Run ``prepare`` in every round, after the embedding."""
        self._prepare = prepare

    @property
    def model_id(self) -> str | None:
        return self._embedder.model_id if self._embedder is not None else None

    def rebuild(self, episodes: Sequence[Episode], ready: Ready) -> None:
        """Embed ``episodes`` in the background and hand the index to ``ready``."""
        with self._lock:
            self._pending = (tuple(episodes), ready)
            self._idle.clear()
            if self.state.phase in ("waiting", "failed"):
                self.state = LayerState("loading", "queued")
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="semantic-index", daemon=True
                )
                self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no build is running or pending (CLI, tests); False on time-out."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            with self._lock:
                job, self._pending = self._pending, None
                if job is None:
                    self._idle.set()
                    return
            episodes, ready = job
            try:
                self._build(episodes, ready)
            except Exception as exc:
                log.exception("the semantic index could not be built; search stays lexical")
                self.state = LayerState("failed", f"{type(exc).__name__}: {exc}")

    def _build(self, episodes: Sequence[Episode], ready: Ready) -> None:
        try:
            self._embed(episodes, ready)
        finally:
            # the reading index after the vectors: a warm restart has its semantic index
            # as soon as the cache is read, and the readings follow
            if self._prepare is not None:
                self._prepare(episodes)

    def _embed(self, episodes: Sequence[Episode], ready: Ready) -> None:
        if self.state.phase == "off" and self._embedder is None:
            return  # the model did not load before: not tried again on every change
        if self._embedder is None:
            self.state = LayerState("loading", "the embedding model")
            self._embedder = self._load()
            if self._embedder is None:
                self.state = LayerState("off", "the embedding model did not load")
                with self._lock:
                    self._pending = None
                return
        embedder = self._embedder
        started = time.perf_counter()
        count = {"embedded": 0}

        def progress(done: int, total: int) -> None:
            count["embedded"] = done
            self.state = LayerState("embedding", f"{done}/{total} new passages", embedded=done)

        index = SemanticIndex.build(embedder, episodes, self._store, progress, lines=self._lines)
        took = time.perf_counter() - started
        ready(index)
        self.state = LayerState(
            "ready",
            f"{embedder.model_id}; {count['embedded']} embedded in {took:.1f} s",
            passages=len(index),
            embedded=count["embedded"],
            seconds=took,
        )
