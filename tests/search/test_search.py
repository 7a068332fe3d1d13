"""SearchIndex on a small fixture site: every query class, no-match, order, updates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from paths import FIXTURES_DIR

from bot.content import SiteOptions, load_site
from bot.models import Episode, Section
from bot.search import SearchIndex

SITE = FIXTURES_DIR / "search"
NOW = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def episodes() -> dict[int, Episode]:
    loaded = load_site(SITE, SiteOptions())
    assert not loaded.warnings
    return {e.number: e for e in loaded.episodes if e.number is not None}


@pytest.fixture(scope="module")
def index(episodes: dict[int, Episode]) -> SearchIndex:
    return SearchIndex.build(episodes.values())


def first(index: SearchIndex, query: str) -> int | None:
    hits = index.search(query).hits
    return hits[0].episode.number if hits else None


def numbers(index: SearchIndex, query: str, **kwargs: object) -> list[int | None]:
    return [h.episode.number for h in index.search(query, **kwargs).hits]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "query", ["2", "#2", "第2回", "2回目", "ep.2", "Ep 2", "エピソード2", "episode 2", "＃２"]
)
def test_episode_number_in_any_form_comes_first(index: SearchIndex, query: str) -> None:
    assert first(index, query) == 2


@pytest.mark.parametrize("query", ["#99", "第100回", "99"])
def test_number_of_no_episode_answers_nothing(index: SearchIndex, query: str) -> None:
    assert index.search(query).hits == ()


def test_a_long_bare_number_no_episode_has_is_searched_as_a_word() -> None:
    index = SearchIndex.build(
        [
            _episode("podcast/0001/index.md", 1, 1, "2024年のふりかえり"),
            _episode("podcast/0002/index.md", 2, 2),
        ]
    )
    assert [h.episode.number for h in index.search("2024").hits] == [1]
    assert index.search("#2024").hits == (), "a marked number stays an episode number"
    assert [h.episode.number for h in index.search("2").hits] == [2]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Cloud Run", 5),
        ("Well-Architected", 3),
        ("Amazon CloudFront", 2),
        ("kubeflw", 1),
        ("cloudfornt", 2),
        ("wellarchitected", 3),
        ("well architected", 3),
        ("cloud front", 2),
        ("ＫＵＢＥＦＬＯＷ", 1),
        ("ｷｭｰﾌﾞﾌﾛｰ", 1),
        ("きゅーぶふろー", 1),
        ("キューブフロー", 1),
        ("クラウドフロント", 2),
        ("ウェルアーキテクテッド", 3),
        ("Kubeflowについて話した回はどれ？", 1),
        ("which episode talks about CloudFront?", 2),
        ("ホワイトペーパー", 3),
    ],
)
def test_query_classes_find_the_episode(index: SearchIndex, query: str, expected: int) -> None:
    assert first(index, query) == expected


def test_dedicated_episode_outranks_roundup_mentioning_it(index: SearchIndex) -> None:
    found = numbers(index, "Kubeflow")
    assert found[0] == 1
    assert 4 in found  # the roundup still comes back, lower


@pytest.mark.parametrize(
    ("query", "heading"),
    [
        ("Amazon Braket", "Amazon Braketで量子コンピュータを試せる"),
        ("ジェフ・ベゾス", "Jeff Bezosのメール"),
        ("データフロー", "Dataflowの料金改定"),
        ("量子コンピュータ", "Amazon Braketで量子コンピュータを試せる"),
    ],
)
def test_minor_topic_in_a_roundup_names_its_section(
    index: SearchIndex, query: str, heading: str
) -> None:
    hit = index.search(query).hits[0]
    assert hit.episode.number == 4
    assert hit.section is not None and hit.section.heading == heading
    assert 0 < len(hit.snippet) <= 110


def test_snippet_is_around_the_match(index: SearchIndex) -> None:
    hit = index.search("エッジロケーション").hits[0]
    assert hit.episode.number == 2
    assert "エッジロケーション" in hit.snippet


@pytest.mark.parametrize("query", ["データフロー", "エッジロケーション", "Kubeflow", "#3"])
def test_snippets_left_for_later_are_the_ones_a_search_finds(
    index: SearchIndex, query: str
) -> None:
    found = index.search(query, 10, snippets=False).hits
    whole = index.search(query, 10).hits
    assert [h.episode.path for h in found] == [h.episode.path for h in whole]
    located = index.located(found)
    assert [(h.score, h.section, h.snippet) for h in located] == [
        (h.score, h.section, h.snippet) for h in whole
    ]
    assert located[0].snippet and index.located(located) == located
    # only the hits asked about are located: the first alone, here
    assert index.located(found[:1])[0] == whole[0]


@pytest.mark.parametrize(
    "query",
    ["Rust borrow checker", "寿司の握り方", "Haskell monad transformer", "ラーメンの作り方"],
)
def test_unrelated_query_answers_nothing(index: SearchIndex, query: str) -> None:
    assert index.search(query).hits == ()


def test_no_match_suggests_close_vocabulary(index: SearchIndex) -> None:
    result = index.search("cloudfrontier")
    assert result.hits == ()
    assert "CloudFront" in result.suggestions


@pytest.mark.parametrize(
    "query",
    ["", "   ", "？！。、", "!!!", "(.*)[", "\\", "🎧🎧", "\x00\x07\x1b[31m", "*" * 50],
)
def test_hostile_or_empty_input_answers_without_error(index: SearchIndex, query: str) -> None:
    result = index.search(query)
    assert result.hits == ()
    assert index.complete(query) is not None


def test_huge_query_is_cut_and_answered(index: SearchIndex) -> None:
    result = index.search("Kubeflow " + "あ" * 10_000)
    assert result.hits and result.hits[0].episode.number == 1
    assert index.search("x" * 10_000).hits == ()


def test_regex_characters_in_a_real_query(index: SearchIndex) -> None:
    assert first(index, "Cloud Run (GCP)?") == 5


def test_where_filters_before_the_limit(index: SearchIndex) -> None:
    everything = numbers(index, "Lightsail")
    assert everything[0] == 6  # dedicated, but not published yet
    published = numbers(index, "Lightsail", limit=1, where=lambda e: e.is_published(NOW))
    assert published == [4]


def test_scores_are_between_0_and_100_best_first(index: SearchIndex) -> None:
    hits = index.search("Kubeflow").hits
    assert all(0 < h.score <= 100 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def _episode(path: str, number: int, day: int, text: str = "Terraform の話") -> Episode:
    return Episode(
        path=path,
        raw_title=f"#{number} 雑談",
        title="雑談",
        number=number,
        category=None,
        summary="いろいろ話したよ。",
        date=datetime(2023, 1, day, tzinfo=UTC),
        publish_date=None,
        sections=(Section("話したこと", 1, ("話したこと",), text),),
    )


def test_ties_go_to_the_newer_episode_then_number_then_path() -> None:
    index = SearchIndex.build(
        [
            _episode("podcast/a/index.md", 1, 5),
            _episode("podcast/b/index.md", 2, 9),
            _episode("podcast/c/index.md", 3, 9),
            _episode("podcast/d/index.md", 3, 9),
        ]
    )
    hits = index.search("Terraform").hits
    assert len({h.score for h in hits}) == 1
    assert [h.episode.path for h in hits] == [
        "podcast/c/index.md",
        "podcast/d/index.md",
        "podcast/b/index.md",
        "podcast/a/index.md",
    ]


def test_a_name_finds_the_notes_that_write_it_with_a_version_number() -> None:
    index = SearchIndex.build(
        [
            _episode("podcast/a/index.md", 1, 5, "Gravitonの記事を読んだ。"),
            _episode("podcast/b/index.md", 2, 6, "Graviton2インスタンスが出た。"),
            _episode("podcast/c/index.md", 3, 7, "Gravitonsという別の話。"),
            _episode("podcast/d/index.md", 4, 8, "Terraformの話。Cloud9を使った。"),
            _episode("podcast/e/index.md", 5, 9, "Cloudの話。"),
        ]
    )
    # an everyday word does not stand for a product with a number after it
    assert [h.episode.path for h in index.search("cloud").hits] == ["podcast/e/index.md"]
    found = [h.episode.path for h in index.search("Graviton").hits]
    assert sorted(found) == ["podcast/a/index.md", "podcast/b/index.md"]
    # the note that writes the name alone ranks first
    assert found[0] == "podcast/a/index.md"


def test_upsert_adds_and_replaces_and_remove_forgets() -> None:
    index = SearchIndex.build([_episode("podcast/a/index.md", 1, 5)])
    assert index.search("Pulumi").hits == ()

    index.upsert(_episode("podcast/b/index.md", 2, 6, text="Pulumi を試した"))
    assert [h.episode.number for h in index.search("Pulumi").hits] == [2]

    index.upsert(_episode("podcast/b/index.md", 2, 6, text="Ansible を試した"))
    assert index.search("Pulumi").hits == ()
    assert [h.episode.number for h in index.search("Ansible").hits] == [2]
    assert len(index) == 2

    index.remove("podcast/b/index.md")
    assert index.search("Ansible").hits == ()
    assert len(index) == 1
    index.remove("podcast/missing/index.md")  # nothing to do, no error


def test_updates_give_the_same_answers_as_a_fresh_build(episodes: dict[int, Episode]) -> None:
    grown = SearchIndex.build([])
    for episode in episodes.values():
        grown.upsert(episode)
        grown.upsert(replace(episode, summary=episode.summary + " 追記"))
        grown.upsert(episode)
    fresh = SearchIndex.build(episodes.values())
    for query in ("Kubeflow", "Cloud Run", "クラウドフロント", "Lightsail", "#3"):
        assert [h.episode.path for h in grown.search(query).hits] == [
            h.episode.path for h in fresh.search(query).hits
        ]


def test_complete_offers_titles_numbers_and_words(index: SearchIndex) -> None:
    assert index.complete("kube")[0].episode.number == 1
    assert index.complete("Cloud")[0].episode.number in (2, 5)
    assert index.complete("#5")[0].episode.number == 5
    assert index.complete("キューブ")[0].episode.number == 1
    newest = index.complete("", where=lambda e: e.is_published(NOW))
    assert [h.episode.number for h in newest] == [5, 4, 3, 2, 1]
    assert len(index.complete("a", limit=2)) <= 2


def _roundups() -> SearchIndex:
    """Several news round-ups naming the same products in passing, and filler notes."""
    texts = [
        "Cloud Runの最小インスタンス。Graviton2の話。全部で5本。",
        "Cloud Runのアップデート。Graviton 2 がElastiCacheに。",
        "Cloud Run jobs が一般提供。データベースのライセンスの話。",
        "Lambdaのコールドスタート。Database Migration Serviceの話。",
        *(f"週末の雑談{i}。{i}本。" for i in range(8)),
    ]
    return SearchIndex.build(
        [_episode(f"podcast/{i:02d}/index.md", i, 1 + i, text) for i, text in enumerate(texts)]
    )


def _paths(index: SearchIndex, query: str) -> list[str]:
    return [h.episode.path for h in index.search(query, 10).hits]


def test_an_everyday_word_beside_a_name_does_not_veto_the_episodes_that_lack_it() -> None:
    index = _roundups()
    runs = ["podcast/00/index.md", "podcast/01/index.md", "podcast/02/index.md"]
    # 全部 is in one of them only; 出てくる is phrasing; "Run" before が is still a name
    assert sorted(_paths(index, "Cloud Runが出てくる回を全部")) == runs
    assert sorted(_paths(index, "Cloud Runが出てくる回")) == runs


def test_a_name_with_a_number_matches_it_written_with_or_without_a_space() -> None:
    index = _roundups()
    both = ["podcast/00/index.md", "podcast/01/index.md"]
    assert sorted(_paths(index, "Graviton2")) == both
    assert sorted(_paths(index, "Graviton 2")) == both


def test_the_first_word_of_a_capitalised_name_the_notes_never_use_is_no_filler() -> None:
    index = _roundups()
    # "Oracle" is an everyday English word, but it starts the name "Oracle Database"
    assert _paths(index, "Oracle Databaseのライセンス") == []
    assert _paths(index, "Database Migration Service")[:1] == ["podcast/03/index.md"]


def test_weak_matches_share_the_words_the_notes_use_however_many_they_never_do() -> None:
    index = _roundups()
    query = "Lambdaの起動の遅さを事前確保で防ぐ機能"
    assert index.search(query).hits == ()  # too little of it is in any note
    assert index.weak_matches(query) == ["podcast/03/index.md"]


def _dated(number: int, date: datetime, **fields: object) -> Episode:
    episode = _episode(f"podcast/{number}/index.md", number, 1)
    return replace(
        episode,
        raw_title=f"#{number} Serverless {number}",
        title=f"Serverless {number}",
        date=date,
        **fields,  # type: ignore[arg-type]
    )


def _scheduled_site() -> list[Episode]:
    """30 published episodes, one a day until the day before NOW, then 300 scheduled
    after it; among the newest a draft, a page scheduled by publishDate alone and an
    expired one."""
    out = [_dated(n, NOW - timedelta(days=31 - n)) for n in range(1, 31)]
    out += [_dated(n, NOW + timedelta(days=n - 30)) for n in range(31, 331)]
    out.append(_dated(400, NOW - timedelta(hours=1), draft=True))
    out.append(_dated(401, NOW - timedelta(hours=2), publish_date=NOW + timedelta(days=1)))
    out.append(_dated(402, NOW - timedelta(hours=3), expiry_date=NOW - timedelta(hours=1)))
    return out


def test_complete_offers_the_newest_published_episodes_past_many_scheduled_ones() -> None:
    index = SearchIndex.build(_scheduled_site())
    for prefix in ("S", "serverless", "", "ser"):
        got = [h.episode.number for h in index.complete(prefix, 5, published_at=NOW)]
        assert got == [30, 29, 28, 27, 26], prefix
        slow = index.complete(prefix, 5, where=lambda e: e.is_published(NOW))
        assert [h.episode.number for h in slow] == got


def test_complete_offers_a_scheduled_episode_once_its_time_comes() -> None:
    index = SearchIndex.build(_scheduled_site())
    assert [h.episode.number for h in index.complete("S", 3, published_at=NOW)] == [30, 29, 28]
    later = NOW + timedelta(days=2, minutes=1)
    got = index.complete("S", 4, published_at=later)
    assert [h.episode.number for h in got] == [32, 31, 401, 30]
    assert [h.episode.number for h in index.complete("S", 3, published_at=NOW)] == [30, 29, 28]
    index.upsert(_dated(500, NOW - timedelta(minutes=5)))
    assert [h.episode.number for h in index.complete("S", 2, published_at=NOW)] == [500, 30]
    index.remove("podcast/30/index.md")
    assert [h.episode.number for h in index.complete("S", 2, published_at=NOW)] == [500, 29]


def _sections(number: int, day: int, *sections: tuple[str, str]) -> Episode:
    return replace(
        _episode(f"podcast/{number:04d}/index.md", number, day),
        sections=tuple(Section(h, 2, (h,), t) for h, t in sections),
    )


def test_a_note_whose_one_section_holds_every_word_comes_first() -> None:
    # The roundup says both words more often, but in two asides far apart; the other
    # note has the one line where the topic came up.
    roundup = _sections(
        1,
        2,
        ("Lambdaの新機能", "Lambdaが速くなった。Lambdaの料金が下がった。Lambdaのログ。"),
        (
            "Docker Hub",
            "コンテナイメージの削除。コンテナイメージの保存期間。コンテナイメージの話。",
        ),
    )
    together = _sections(
        2,
        1,
        ("re:Invent", "Lambdaがコンテナイメージに対応した。"),
        ("その他", "EC2の新しいインスタンス。S3の値下げ。RDSの新機能。"),
    )
    index = SearchIndex.build([roundup, together])
    assert [h.episode.number for h in index.search("Lambda コンテナイメージ").hits] == [2, 1]
    # one word alone: no lift, the note that says it most comes first
    assert first(index, "コンテナイメージ") == 1
