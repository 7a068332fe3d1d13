"""How common a word is: the wordfreq lists, and Japanese text they hold in pieces."""

from __future__ import annotations

import pytest

from bot.search.commonness import is_coined, is_generic, zipf


@pytest.mark.parametrize("word", ["全部教えて", "知りたい", "取り上げた", "話してた", "出てきた"])
def test_an_inflected_everyday_verb_or_request_is_an_everyday_word(word: str) -> None:
    # the list holds MeCab's short units (教え, て): the phrase is as common as its
    # rarest piece
    assert is_generic(word)


@pytest.mark.parametrize("word", ["事前確保", "在宅勤務", "条件付き書き込み", "グラビトン", "分報"])
def test_a_compound_noun_or_a_coined_word_is_not_cut_into_everyday_words(word: str) -> None:
    assert zipf(word) == 0.0
    assert is_coined(word)


def test_the_cut_is_the_likeliest_one_and_needs_every_character() -> None:
    # 出 alone is a piece only as a stem before kana
    assert zipf("出てきた") >= 5.0
    # an unknown piece leaves the text uncut
    assert zipf("グラビトンした") == 0.0
