from __future__ import annotations

import threading
from collections import Counter

import pytest

import bot.search.readings as readings
from bot.search.readings import (
    MAX_SOUND_VARIANTS,
    ReadingIndex,
    name_spellings,
    pieces,
    reading_key,
    sound_variants,
    surface_readings,
)


def words(pairs: list[tuple[str, float]]) -> list[str]:
    return [w for w, _ in pairs]


# --------------------------------------------------------------------------- reading_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("資格", "視覚"),
        ("構成", "校正"),
        ("移行", "以降"),
        ("記者", "汽車"),
        ("クラウトフロント", "クラウドフロント"),
        ("CloudFront", "クラウドフロント"),
        ("せーじmaker", "セージメーカー"),
        ("jetoson", "ジェットソン"),
        ("ooto sukeeringu", "オートスケーリング"),
        ("sa-ba-resu", "サーバーレス"),
        ("どっかー", "Docker"),
        ("ＡＷＳ", "AWS"),
        ("ｶﾞｲﾄﾞ", "ガイド"),
        ("kikaigakushuu", "機械学習"),
        ("konnichiha", "こんにちは"),
        ("ōto", "オート"),
    ],
)
def test_reading_key_is_shared_by_words_that_sound_alike(a: str, b: str) -> None:
    assert reading_key(a) == reading_key(b) != ""


def test_reading_key_folds_long_vowels_dakuten_small_kana_and_sokuon() -> None:
    assert reading_key("構成") == "コセ"  # コウセイ: オウ -> オ, エイ -> エ
    assert reading_key("オートスケーリング") == "オトスケリンク"
    assert reading_key("キャッシュ") == "キヤシユ"
    assert reading_key("ジェットソン") == "シエトソン"


def test_reading_key_is_empty_when_nothing_is_readable() -> None:
    assert reading_key("") == ""
    assert reading_key("、。!?") == ""
    assert reading_key("Kubernetes") == ""  # English outside the dictionary: no guess
    assert reading_key("EC2") == ""  # numbers are not read
    assert reading_key("字" * 500) == ""  # not a word


def test_surface_readings_offer_every_dictionary_reading_of_a_latin_word() -> None:
    assert surface_readings("SageMaker") == ("セージメーカー", "サゲメーカー")
    assert "ジェットソン" in surface_readings("Jetson")  # English "ts" is t + s
    assert surface_readings("GCE") == ("ジーシーイー",)  # unknown acronym: letter names


# --------------------------------------------------------------------------- alternatives

NOTES = [
    "今回は視覚の話と、記事の構成について。",
    "汽車で移行作業をしました。",
    "CloudFrontとクラウドフロントの設定",
    "SageMakerを使ってみた",
    "セージメーカーのノートブック",
    "ジェットソンでオートスケーリング",
    "Dockerとドッカーの違い",
    "サーバーレスアーキテクチャ入門",
    "コンテナを使う",
]


@pytest.fixture(scope="module")
def index() -> ReadingIndex:
    return ReadingIndex.build(NOTES)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("資格", ["視覚"]),
        ("校正", ["構成"]),
        ("以降", ["移行"]),
        ("記者", ["汽車"]),
        ("クラウトフロント", ["CloudFront", "クラウドフロント"]),
        ("jetoson", ["ジェットソン"]),
        ("どっかー", ["Docker", "ドッカー"]),
    ],
)
def test_alternatives_find_the_notes_spelling_of_a_slip(
    index: ReadingIndex, typed: str, expected: list[str]
) -> None:
    assert index.alternatives(typed) == [(w, 0.85) for w in expected]


def test_alternatives_read_kana_typed_inside_a_latin_word(index: ReadingIndex) -> None:
    assert words(index.alternatives("せーじmaker")) == ["SageMaker", "セージメーカー"]
    only_latin = ReadingIndex.build(["SageMakerを使ってみた"])
    only_kana = ReadingIndex.build(["セージメーカーを使ってみた"])
    assert words(only_latin.alternatives("せーじmaker")) == ["SageMaker"]
    assert words(only_kana.alternatives("せーじmaker")) == ["セージメーカー"]


def test_alternatives_join_a_multi_word_romaji_span(index: ReadingIndex) -> None:
    assert index.alternatives("ooto sukeeringu") == [("オートスケーリング", 0.85)]
    assert index.alternatives_for_span(["ooto", "sukeeringu"]) == [("オートスケーリング", 0.85)]


def test_alternatives_find_a_capitalised_latin_phrase_from_romaji() -> None:
    index = ReadingIndex.build(["EC2 Auto Scaling で台数を増やす"])
    assert words(index.alternatives("ooto sukeeringu")) == ["Auto Scaling"]


def test_alternatives_find_words_inside_mode_c_compounds() -> None:
    index = ReadingIndex.build(["視覚障害者向けの機能"])
    assert "視覚" in words(index.alternatives("資格"))


def test_alternatives_never_return_the_query_itself(index: ReadingIndex) -> None:
    assert "視覚" not in words(index.alternatives("視覚"))
    assert words(index.alternatives("docker")) == ["ドッカー"]  # Docker is the same word
    assert words(index.alternatives("ＤＯＣＫＥＲ")) == ["ドッカー"]
    assert words(index.alternatives("ドッカー")) == ["Docker"]


def test_alternatives_score_near_matches_of_long_keys_between_0_6_and_0_8(
    index: ReadingIndex,
) -> None:
    [(word, quality)] = index.alternatives("サーバーレスアーキテクチ")
    assert word == "サーバーレスアーキテクチャ"
    assert 0.6 <= quality <= 0.8


def test_alternatives_do_not_fuzzy_match_short_keys(index: ReadingIndex) -> None:
    assert index.alternatives("コンテ") == []  # コンテ/コンテナ: ratio 0.86 but keys < 5 kana


def test_alternatives_rank_exact_matches_first_then_by_surface() -> None:
    index = ReadingIndex.build(["機械と機会と奇怪、機械学習と機会学習の本"])
    result = index.alternatives("きかいがくしゅう")
    assert result == sorted(result, key=lambda wq: (-wq[1], wq[0]))
    assert words(index.alternatives("きかい")) == sorted(["機械", "機会", "奇怪"])
    assert len(index.alternatives("きかい", limit=2)) == 2
    assert index.alternatives("きかい", limit=0) == []


def test_alternatives_match_short_acronyms_only_on_their_exact_reading() -> None:
    index = ReadingIndex.build(["NGワードとnc、GCPの話"])
    assert index.alternatives("NC") == []  # エヌシー vs エヌジー: no dakuten folding for letters
    assert words(index.alternatives("じーしーぴー")) == ["GCP"]


def test_alternatives_of_unreadable_or_empty_input_are_empty(index: ReadingIndex) -> None:
    assert index.alternatives("") == []
    assert index.alternatives("Kubernetes") == []
    assert ReadingIndex().alternatives("資格") == []


def test_alternatives_work_from_another_thread(index: ReadingIndex) -> None:
    found: list[list[tuple[str, float]]] = []
    worker = threading.Thread(target=lambda: found.append(index.alternatives("校正")))
    worker.start()
    worker.join()
    assert found == [[("構成", 0.85)]]


# --------------------------------------------------------------------------- updating


def test_an_update_adds_the_new_texts_words_and_drops_the_removed_ones() -> None:
    index = ReadingIndex.build(["今回は視覚の話。"])
    assert words(index.alternatives("資格")) == ["視覚"]
    index.update(removed=["今回は視覚の話。"], added=["汽車で移動した。"])
    assert index.alternatives("資格") == []
    assert words(index.alternatives("記者")) == ["汽車"]


def test_a_word_stays_while_another_text_still_uses_it() -> None:
    index = ReadingIndex.build(["視覚の話。", "視覚障害と資料。"])
    index.update(removed=["視覚の話。"], added=[])
    assert words(index.alternatives("資格")) == ["視覚"]
    index.update(removed=["視覚障害と資料。"], added=[])
    assert index.alternatives("資格") == []
    assert len(index) == 0


def test_the_next_spelling_in_use_takes_over_from_a_removed_one() -> None:
    index = ReadingIndex.build(["Docker入門", "dockerの使い方"])
    assert words(index.alternatives("どっかー")) == ["Docker"]  # the first met
    index.update(removed=["Docker入門"], added=[])
    assert words(index.alternatives("どっかー")) == ["docker"]


def test_updates_leave_the_index_a_build_of_the_texts_now_gives() -> None:
    index = ReadingIndex.build(NOTES[:6])
    index.update(removed=NOTES[:3], added=NOTES[6:])
    fresh = ReadingIndex.build(NOTES[3:])
    typed = [
        "資格",
        "校正",
        "以降",
        "記者",
        "クラウトフロント",
        "jetoson",
        "どっかー",
        "せーじmaker",
    ]
    assert [index.alternatives(t) for t in typed] == [fresh.alternatives(t) for t in typed]
    assert len(index) == len(fresh)


# --------------------------------------------------------------------------- building


def test_build_keeps_content_words_and_skips_particles_and_symbols() -> None:
    index = ReadingIndex.build(["移行を使ってみた。"])
    seen = {forms[0] for forms in index._forms.values()}  # the indexed spellings
    assert {"移行", "使う"} <= seen  # noun, verb's dictionary form
    assert not seen & {"を", "て", "た", "。", "みる"}


def test_build_handles_a_50k_character_line_by_chunking() -> None:
    text = "視覚と資格の話をしました" * 4_200 + "汽車"  # ~50k chars, ~150 kB, no newline
    assert len(text) > 50_000
    index = ReadingIndex.build([text])
    assert words(index.alternatives("記者")) == ["汽車"]  # the very end was indexed


def test_build_reads_each_distinct_word_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: Counter[str] = Counter()
    real = readings.surface_readings

    def counting(surface: str) -> tuple[str, ...]:
        calls[surface] += 1
        return real(surface)

    monkeypatch.setattr(readings, "surface_readings", counting)
    index = ReadingIndex.build(["視覚と資格。視覚、視覚", "Docker docker DOCKER 視覚"])
    assert set(calls) == {"視覚", "資格", "Docker"}
    assert set(calls.values()) == {1}
    index.add(["資格と視覚と汽車"])  # incremental: only the new word is read
    assert calls["汽車"] == 1
    assert set(calls.values()) == {1}
    assert len(index) == 4


def test_add_makes_new_words_findable() -> None:
    index = ReadingIndex.build(["構成の話"])
    assert index.alternatives("記者") == []
    index.add(["汽車の話"])
    assert words(index.alternatives("記者")) == ["汽車"]
    assert words(index.alternatives("校正")) == ["構成"]


def test_len_counts_distinct_readable_surfaces() -> None:
    assert len(ReadingIndex()) == 0
    assert len(ReadingIndex.build(["Docker docker ＤＯＣＫＥＲ", "Kubernetes"])) == 1


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("deetafuroo", "データフロー"),
        ("raitoseiru", "ライトセイル"),
        ("kyuubufuroo", "キューブフロー"),
        ("テータフロー", "データフロー"),
        ("ホトルロケット", "ボトルロケット"),
        ("ヘーシ", "ページ"),
    ],
)
def test_sound_variants_offer_the_spelling_that_was_meant(typed: str, meant: str) -> None:
    assert meant in sound_variants(typed)


def test_sound_variants_put_fewest_changes_first_and_stay_bounded() -> None:
    variants = sound_variants("カキクケコサシスセソ")
    assert variants[0].count("ガ") + variants[0].count("ギ") + variants[0].count("グ") <= 1
    assert 0 < len(variants) <= MAX_SOUND_VARIANTS
    assert "カキクケコサシスセソ" not in variants


@pytest.mark.parametrize("word", ["", "資格", "SageMaker", "k8s", "x" * 500])
def test_sound_variants_leave_other_words_alone(word: str) -> None:
    assert sound_variants(word) == []


def test_pieces_split_a_compound_into_its_words() -> None:
    assert pieces("以降事例") == ["以降", "事例"]
    assert pieces("") == []


def test_a_kanji_name_is_spelled_in_kana_and_in_the_romaji_names_use():
    spelled = name_spellings("加藤")
    assert {"カトウ", "かとう", "katou", "kato", "katoh"} <= set(spelled)
    assert name_spellings("Ken") == ()  # already in letters: nothing to add
