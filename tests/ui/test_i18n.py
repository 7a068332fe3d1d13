"""Which language a reply is written in."""

from __future__ import annotations

import pytest

from bot.i18n import language_for, language_of_text


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("kubeflow pipelines", "en"),
        ("what did they say about CDN?", "en"),
        ("kubeflowの回", "ja"),
        ("ラムダ", "ja"),
        ("東京", "ja"),
        ("ｶﾀｶﾅ lambda", "ja"),  # half-width katakana is Japanese too
        ("#16", "ja"),  # no words: the default
        ("", "ja"),
    ],
)
def test_a_message_without_a_locale_follows_its_script(text, lang):
    assert language_of_text(text) == lang


@pytest.mark.parametrize(
    ("locale", "lang"), [("en-US", "en"), ("en-GB", "en"), ("ja", "ja"), ("fr", "ja"), (None, "ja")]
)
def test_a_locale_picks_english_or_the_japanese_default(locale, lang):
    assert language_for(locale) == lang
