"""Index build: parts analysed in forked processes give the index one process builds,
whatever happens to the processes; the fast term counting equals the plain one."""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from paths import FIXTURES_DIR

import bot.search.build as index_build
from bot.content import SiteOptions, load_site
from bot.models import Episode, Reference, Section
from bot.search import SearchIndex
from bot.search.postings import Memo, analyse
from bot.search.textnorm import RunTerms, count_terms, field_terms
from bot.search.vocab import Vocabulary

SITE = FIXTURES_DIR / "search"
TOPICS = ["Kubeflow", "Cloud Run", "Well-Architected", "re:Invent", "BigQuery", "Lightsail"]
KANA = ["クラウドフロント", "サーバーレス", "コンテナ", "キューブフロー", "データフロー"]
QUERIES = [
    "Kubeflow",
    "cloud run",
    "wellarchitected",
    "reinvent",
    "ビッグクエリ",
    "くらうどふろんと",
    "サーバレスの話",
    "Lightsial",
    "#12",
    "コンテナについて話した回は？",
    "まったく無関係な話題",
]


def _episode(i: int) -> Episode:
    topic, other = TOPICS[i % len(TOPICS)], TOPICS[(i * 7 + 3) % len(TOPICS)]
    kana = KANA[(i * 5) % len(KANA)]
    text = (
        f"{topic}の{kana}を試した。（第{i}回）ＦＵＬＬ幅のＡＷＳと半角ｶﾀｶﾅ、{other}も少し。\n"
        f"振り返りと寿司の握り方。Graviton{i % 4}で動かした。きゅうぶふろう。"
    )
    return Episode(
        path=f"podcast/{i:04d}/index.md",
        raw_title=f"#{i} {topic} と {kana}",
        title=f"{topic} と {kana}",
        number=i,
        category=None,
        summary=f"{topic}について話したよ。",
        date=datetime(2023, 1, 1, tzinfo=UTC) + timedelta(days=i),
        publish_date=None,
        tags=(topic,),
        references=(Reference(f"{other} 公式ブログ", "https://example.com", "話したこと"),),
        sections=(
            Section("", 0, (), "冒頭の雑談。"),
            Section(f"{topic} の話", 2, (f"{topic} の話",), text),
            Section("参考リンク", 2, ("参考リンク",), f"{other} の記事"),
        ),
    )


@pytest.fixture(scope="module")
def episodes() -> list[Episode]:
    loaded = load_site(SITE, SiteOptions())
    return [*loaded.episodes, *(_episode(i) for i in range(7, 67))]


def _state(index: SearchIndex) -> dict[str, Any]:
    """Everything the index keeps, comparable with ==."""
    vocab = index.vocab
    vocab.settle()
    return {
        "postings": {t: (list(i), list(v)) for t, (i, v) in index._postings._lists.items()},
        "docs": [(d, x.episode.path, x.body_len, x.title_terms) for d, x in index._docs.items()],
        "titles": index._titles,
        "body_total": index._body_total,
        "count": dict(vocab._count),
        "sorted": vocab._sorted,
        "sounds": vocab._sounds,
        "sound_words": vocab._sound_words,
        "surface": vocab._surface,
        "katakana": index._katakana._counts,
    }


def _answers(index: SearchIndex) -> list[object]:
    out: list[object] = []
    for query in QUERIES:
        result = index.search(query)
        out.append([(h.episode.path, h.score, h.snippet) for h in result.hits])
        out.append(result.suggestions)
        out.append([(h.episode.path, h.score) for h in index.complete(query[:4])])
    return out


@pytest.fixture(scope="module")
def one_part(episodes: list[Episode]) -> SearchIndex:
    return SearchIndex.build(episodes, parts=1)


def _grown_one_by_one(episodes: list[Episode]) -> SearchIndex:
    index = SearchIndex()
    for episode in episodes:
        index.upsert(episode)
    return index


def test_one_part_build_equals_adding_episodes_one_by_one(
    episodes: list[Episode], one_part: SearchIndex
) -> None:
    assert _state(one_part) == _state(_grown_one_by_one(episodes))


@pytest.mark.parametrize("parts", [2, 3])
def test_parts_built_in_other_processes_give_the_same_index(
    episodes: list[Episode], one_part: SearchIndex, parts: int
) -> None:
    index = SearchIndex.build(episodes, parts=parts)
    assert _state(index) == _state(one_part)
    assert _answers(index) == _answers(one_part)


def _in_child(parent: int) -> bool:
    return os.getpid() != parent


def test_a_failing_child_costs_only_time(
    episodes: list[Episode], one_part: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent, real = os.getpid(), index_build.analyse_part
    done_here: list[int] = []

    def broken(chunk: list[Episode], start: int) -> index_build.Part:
        if _in_child(parent):
            raise RuntimeError("boom")
        done_here.append(start)
        return real(chunk, start)

    monkeypatch.setattr(index_build, "analyse_part", broken)
    assert _state(SearchIndex.build(episodes, parts=2)) == _state(one_part)
    assert done_here == [0, index_build._bounds(len(episodes), 2)[1][0]]  # redone here


def test_a_child_that_leaves_without_a_result_costs_only_time(
    episodes: list[Episode], one_part: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent, real = os.getpid(), index_build.analyse_part

    def vanishing(chunk: list[Episode], start: int) -> index_build.Part:
        if _in_child(parent):
            os._exit(0)
        return real(chunk, start)

    monkeypatch.setattr(index_build, "analyse_part", vanishing)
    assert _state(SearchIndex.build(episodes, parts=2)) == _state(one_part)


def test_a_stuck_child_is_killed_and_its_part_done_here(
    episodes: list[Episode],
    one_part: SearchIndex,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    parent, real = os.getpid(), index_build.analyse_part
    pid_file = tmp_path / "child.pid"

    def stuck(chunk: list[Episode], start: int) -> index_build.Part:
        if _in_child(parent):
            pid_file.write_text(str(os.getpid()))
            time.sleep(600)
        return real(chunk, start)

    monkeypatch.setattr(index_build, "analyse_part", stuck)
    monkeypatch.setattr(index_build, "TIMEOUT_MIN", 0.2)
    assert _state(SearchIndex.build(episodes, parts=2)) == _state(one_part)
    child = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):  # killed and reaped, not left sleeping
        os.kill(child, 0)


def test_index_built_in_parts_takes_updates(episodes: list[Episode]) -> None:
    index = SearchIndex.build(episodes, parts=2)
    index.upsert(_episode(200))
    index.remove(episodes[0].path)
    expected = _grown_one_by_one([*episodes[1:], _episode(200)])
    assert _answers(index) == _answers(expected)


def test_a_changed_note_keeps_its_place_and_the_index_is_a_fresh_builds(
    episodes: list[Episode],
) -> None:
    index = SearchIndex.build(episodes)
    at = len(episodes) // 2
    changed = replace(
        episodes[at],
        summary="Pulumi と Terraform の話に変えた。",
        number=999,
        sections=episodes[at].sections[:1],
    )
    index.upsert(changed)
    edited = [*episodes[:at], changed, *episodes[at + 1 :]]
    fresh = SearchIndex.build(edited)
    assert _state(index) == _state(fresh)
    assert _answers(index) == _answers(fresh)
    assert [h.episode.path for h in index.search("Pulumi").hits] == [changed.path]
    assert index.search("#999").hits[0].episode.path == changed.path


def test_the_same_path_twice_keeps_the_later_episode(episodes: list[Episode]) -> None:
    later = _episode(7)
    earlier = replace(later, summary="Pulumi")
    index = SearchIndex.build([earlier, *episodes[:3], later])
    assert len(index) == 4
    assert index.search("Pulumi").hits == ()


def test_a_small_site_or_a_threaded_process_is_analysed_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(index_build, "usable_cores", lambda: 2)
    monkeypatch.setattr(index_build, "only_thread", lambda: True)
    assert index_build._part_count(index_build.PARALLEL_MIN) == 2
    assert index_build._part_count(index_build.PARALLEL_MIN - 1) == 1
    monkeypatch.setattr(index_build, "only_thread", lambda: False)
    assert index_build._part_count(index_build.PARALLEL_MIN) == 1
    assert index_build._bounds(10, 1) == [(0, 10)]
    bounds = index_build._bounds(1000, 3)
    assert bounds[0][0] == 0 and bounds[-1][1] == 1000
    assert all(a[1] == b[0] for a, b in pairwise(bounds))


def test_analysis_with_a_memo_equals_a_fresh_one(episodes: list[Episode]) -> None:
    memo = Memo()
    for episode in episodes * 2:  # the second round reads everything from the memo
        assert analyse(episode, memo) == analyse(episode)


def test_an_update_reads_the_runs_its_old_version_had_from_memory(
    episodes: list[Episode], monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.search.engine as engine
    import bot.search.textnorm as textnorm

    index = SearchIndex.build(episodes)
    folded: list[str] = []  # runs worked out, not read from the memo
    real = textnorm.fold_kana
    monkeypatch.setattr(textnorm, "fold_kana", lambda run: folded.append(run) or real(run))
    old = episodes[-1]
    edited = replace(old, summary=old.summary + "追記した。")
    index.upsert(edited)  # removes the old version (analysed again), adds the new one
    assert folded and "追記" in "".join(folded)
    first = len(folded)
    folded.clear()
    index.upsert(replace(edited, summary=edited.summary + "もう一度。"))
    assert 0 < len(folded) < first / 3, "only the runs the edit brought are worked out"
    assert index.search("追記").hits[0].episode.path == old.path
    held = index._memo
    index.upsert(old)
    assert index._memo is held
    monkeypatch.setattr(engine, "UPDATE_MEMO_RUNS", 3)  # bounded: a full memo starts again
    index.upsert(edited)
    assert index._memo is not held


@pytest.mark.parametrize(
    "text",
    [
        "Well-Architected と re:Invent、ＡＷＳ（ｷｬｯｼｭ）① and café ｶﾞ",
        "について話した 振り返り 寿司の握り方 ヴァーチャル きゅうぶふろう 一",
        "node.js/a.b.c.d ß İstanbul e\u0301 ㍿",
        "",
    ],
)
@pytest.mark.parametrize("grammar", [True, False])
def test_counted_terms_equal_the_listed_ones(text: str, grammar: bool) -> None:
    runs = RunTerms(grammar=grammar)
    for _ in range(2):
        words, counts = count_terms(text, runs, joined=grammar)
        latin, ja = field_terms(text, grammar=grammar, joined=grammar)
        assert words == latin
        assert counts == Counter(latin + ja)


def test_merged_vocabularies_equal_one_fed_everything() -> None:
    first, second, whole = Vocabulary(), Vocabulary(), Vocabulary()
    batches = [
        ({"cloudfront", "docker"}, {"cloud front"}, {"cloudfront": "CloudFront"}),
        ({"docker", "bezos"}, {"jeff bezos"}, {"docker": "Docker", "bezos": "Bezos"}),
    ]
    for target, (words, pairs, surfaces) in zip((first, second), batches, strict=True):
        for vocab in (target, whole):
            vocab.add(words, pairs)
            vocab.remember_surface(surfaces)
    first.merge(second)
    assert first.with_prefix("do") == whole.with_prefix("do") == ["docker"]
    assert first.sounds_like("ベゾス") == whole.sounds_like("ベゾス")
    assert first.surface("docker") == "Docker"
    assert len(first) == len(whole)
