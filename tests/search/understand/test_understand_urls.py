"""The query reader: show-notes URLs and mentions (bot/search/understand/urls.py)."""

from __future__ import annotations

import pytest
from understand_helpers import u


@pytest.mark.parametrize(
    ("query", "path", "text"),
    [
        ("https://example.com/podcast/0016/", "/podcast/0016/", ""),
        ("https://example.com/podcast/0016", "/podcast/0016/", ""),
        ("http://example.com/podcast/0016/?utm=x#notes", "/podcast/0016/", ""),
        ("HTTPS://EXAMPLE.COM/Podcast/0016/", "/Podcast/0016/", ""),
        ("https://example.com/podcast/%E3%81%82/", "/podcast/あ/", ""),
        ("https://example.com/a/../podcast//0016/index.html", "/podcast/0016/", ""),
        ("https://example.com", "/", ""),
        ("<https://example.com/podcast/0016/>", "/podcast/0016/", ""),
        ("[notes](https://example.com/podcast/0016)", "/podcast/0016/", "notes"),
        ("https://example.com/podcast/0016/の内容", "/podcast/0016/", "内容"),
        ("see https://example.com/podcast/0016/.", "/podcast/0016/", "see"),
        ("/podcast/0016/", "/podcast/0016/", ""),
        ("/podcast/0016", "/podcast/0016/", ""),
        ("URLは/podcast/0016/です", "/podcast/0016/", "URL です"),
        # typed without the scheme
        ("mukiudo.dev/podcast/0009", "/podcast/0009/", ""),
        ("www.example.com/podcast/0009/?ref=x", "/podcast/0009/", ""),
        ("example.co.jp/podcast/0009/の内容", "/podcast/0009/", "内容"),
        ("localhost:1313/podcast/0009/", "/podcast/0009/", ""),
    ],
)
def test_url_paths_are_extracted_and_removed(query: str, path: str, text: str) -> None:
    result = u(query)
    assert result.url_path == path
    assert result.numbers == ()
    assert result.text == text


def test_the_first_url_in_the_query_wins() -> None:
    result = u("https://a.example/podcast/0001/ https://a.example/podcast/0002/")
    assert result.url_path == "/podcast/0001/"
    assert result.text == ""


@pytest.mark.parametrize(
    "query", ["TCP/IP", "and/or", "5/6", "I/O", "Node.js/Deno", "README.md/docs", "v1.2/v1.3"]
)
def test_slashes_inside_words_are_not_paths(query: str) -> None:
    assert u(query).url_path is None


def test_discord_mentions_are_dropped_and_not_read_as_numbers() -> None:
    result = u("<@123456789012345678> <#1234567890123> #16")
    assert result.numbers == (16,)
    assert result.text == ""
