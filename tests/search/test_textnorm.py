"""Normalisation: one normaliser for the notes and the queries."""

from __future__ import annotations

import pytest

from bot.search.textnorm import index_terms, kana_sound, latin_sound, nfkc, normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＫＵＢＥＦＬＯＷ", "kubeflow"),
        ("ｷｭｰﾌﾞﾌﾛｰ", "キュブフロ"),
        ("きゅーぶふろー", "キュブフロ"),
        ("きゅうぶふろう", "キュブフロ"),
        ("キューブフロー", "キュブフロ"),
        ("ジェフ・ベゾス", "ジェフベゾス"),
        ("ゔぁーちゃる", "バチャル"),
        ("ヴァーチャル", "バチャル"),
        ("＃１６", "#16"),
        ("Well-ARCHITECTED", "well-architected"),
        ("3ヶ月", "3カ月"),
    ],
)
def test_normalize_folds_width_case_kana_and_long_vowels(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_nfkc_fast_path_equals_full_nfkc() -> None:
    import unicodedata

    text = "ＡＷＳ（クラウド）の\u3000ｷｬｯｼｭ①、㍿ and café ｶﾞ and plain text"
    assert nfkc(text) == unicodedata.normalize("NFKC", text)
    assert nfkc("already plain") == "already plain"


def test_index_terms_give_words_joined_compounds_and_bigrams() -> None:
    terms = index_terms("Well-Architected re:Invent 認証")
    assert {"well", "architected", "wellarchitected", "re", "invent", "reinvent"} <= set(terms)
    assert "認証" in terms


def test_long_text_leaves_out_hiragana_only_bigrams() -> None:
    short = set(index_terms("について話した"))
    long = set(index_terms("について話した", grammar=False))
    assert "ニツ" in short
    assert "ニツ" not in long
    assert "話シ" in long  # a kanji with its kana ending stays


@pytest.mark.parametrize(
    ("kana", "word"),
    [
        ("クラウドフロント", "cloudfront"),
        ("ベゾス", "bezos"),
        ("データフロー", "dataflow"),
        ("ライトセイル", "lightsail"),
        ("サーバー", "server"),
        ("ドッカー", "docker"),
        ("イベントブリッジ", "eventbridge"),
    ],
)
def test_katakana_rendering_sounds_like_the_latin_name(kana: str, word: str) -> None:
    assert kana_sound(normalize(kana)) == latin_sound(word)


def test_unrelated_katakana_does_not_sound_like_the_name() -> None:
    assert kana_sound(normalize("ラーメン")) != latin_sound("lambda")
