"""The query reader: first and newest (bot/search/understand/order.py)."""

from __future__ import annotations

import pytest
from understand_helpers import u, year

from bot.search.understand import Order


@pytest.mark.parametrize(
    ("query", "order"),
    [
        ("一番古い", Order.FIRST),
        ("一番古い回", Order.FIRST),
        ("最初の回", Order.FIRST),
        ("一番最初のエピソード", Order.FIRST),
        ("初回", Order.FIRST),
        ("first episode", Order.FIRST),
        ("the very first episode", Order.FIRST),
        ("oldest", Order.FIRST),
        ("the earliest episode", Order.FIRST),
        ("最新", Order.LATEST),
        ("最新の回", Order.LATEST),
        ("最新回", Order.LATEST),
        ("最新エピソード", Order.LATEST),
        ("最後に配信された回", Order.LATEST),
        ("一番新しい回", Order.LATEST),
        ("最終回", Order.LATEST),
        ("newest", Order.LATEST),
        ("latest", Order.LATEST),
        ("the latest episode", Order.LATEST),
        ("most recent", Order.LATEST),
        ("last episode", Order.LATEST),
    ],
)
def test_order_phrases_are_recognised_and_removed(query: str, order: Order) -> None:
    result = u(query)
    assert result.order is order
    assert result.text == ""
    assert result.dates is None


@pytest.mark.parametrize(
    "query", ["最新技術", "最新バージョン", "初回限定", "first impressions of rust"]
)
def test_order_words_inside_other_words_are_not_order(query: str) -> None:
    result = u(query)
    assert result.order is None
    assert result.text == query


def test_order_keeps_the_topic() -> None:
    result = u("kubernetesの最新の回")
    assert (result.order, result.text) == (Order.LATEST, "kubernetes")


def test_the_earliest_order_phrase_wins() -> None:
    assert u("latest vs first episode").order is Order.LATEST


def test_order_and_date_combine() -> None:
    result = u("the first episode of 2021")
    assert (result.order, result.dates, result.text) == (Order.FIRST, year(2021), "")


@pytest.mark.parametrize("query", ["いちばん最近の配信", "最近の回", "一番最近に出たエピソード"])
def test_the_most_recent_one_is_the_newest(query: str) -> None:
    told = u(query)
    assert told.order is Order.LATEST
    assert told.text == ""
