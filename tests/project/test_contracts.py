"""Each contract (a ``typing.Protocol`` beside its implementation) and the classes that
keep to it, compared member by member so neither can drift alone.

mypy checks the same statically (each ``contract.py`` ends with an assignment of its
implementations to the protocol type); this test also holds where mypy is not run,
and compares parameter names, kinds, defaults and annotations as written.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest

from bot.notify.contract import StateStore
from bot.notify.sources import FeedSource, NotesSource, Source
from bot.notify.store import Store
from bot.notify.worker import StoreWorker
from bot.search import LexicalIndex, SearchIndex


def members(protocol: type) -> dict[str, Any]:
    """The protocol's own members: its methods and properties, by name."""
    return {
        name: value
        for name, value in vars(protocol).items()
        if not name.startswith("_") and (callable(value) or isinstance(value, property))
    }


def breaks(protocol: type, implementation: object) -> Iterator[str]:
    """Every way ``implementation`` (an instance) differs from ``protocol``."""
    cls = type(implementation)
    for name, wanted in members(protocol).items():
        if not hasattr(implementation, name):
            yield f"{cls.__name__} has no {name}"
            continue
        if isinstance(wanted, property):
            continue  # an attribute or a property: both answer a read
        have = inspect.signature(getattr(cls, name))
        want = inspect.signature(wanted)
        if inspect.iscoroutinefunction(wanted) != inspect.iscoroutinefunction(getattr(cls, name)):
            yield f"{cls.__name__}.{name}: async in one, not in the other"
        given = have.parameters
        for param in want.parameters.values():
            other = given.get(param.name)
            if other is None:
                yield f"{cls.__name__}.{name} has no parameter {param.name}"
            elif (other.kind, other.default, other.annotation) != (
                param.kind,
                param.default,
                param.annotation,
            ):
                yield f"{cls.__name__}.{name}({param.name}): {other} is not {param}"
        for extra in given.keys() - want.parameters.keys():
            if given[extra].default is inspect.Parameter.empty and given[extra].kind not in (
                inspect.Parameter.VAR_POSITIONAL,
                inspect.Parameter.VAR_KEYWORD,
            ):
                yield f"{cls.__name__}.{name} needs {extra}, which the contract never passes"
        if have.return_annotation != want.return_annotation:
            yield f"{cls.__name__}.{name} returns {have.return_annotation}"


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "state.db")
    yield opened
    opened.close()


@pytest.fixture
def worker():
    made = StoreWorker()
    yield made
    made.shutdown()


def test_the_lexical_index_keeps_to_its_contract():
    assert list(breaks(LexicalIndex, SearchIndex.build(()))) == []


def test_the_state_store_keeps_to_its_contract(store):
    assert list(breaks(StateStore, store)) == []


def test_every_kind_of_source_keeps_to_its_contract(store, worker):
    kinds = [NotesSource(lambda: ()), FeedSource("http://127.0.0.1:9/rss", 60.0, store, worker)]
    assert [b for source in kinds for b in breaks(Source, source)] == []


def test_a_contract_names_only_what_its_callers_use():
    """Honest contracts: each member is named (``.member``) somewhere outside the
    contracts and their implementations."""
    from paths import ROOT_DIR

    code = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (ROOT_DIR / "bot").rglob("*.py")
        if p.name not in ("contract.py", "store.py", "engine.py")
    )
    for protocol in (LexicalIndex, StateStore, Source):
        unused = [name for name in members(protocol) if f".{name}" not in code]
        assert unused == [], protocol.__name__


class _Drifted:
    """A store whose ``unsubscribe`` lost its default and gained a parameter."""

    path = fault = None

    def unsubscribe(self, guild_id: int, channel_id: int | None, reason: str) -> int:
        return 0


def test_the_check_names_a_drifted_method():
    found = list(breaks(StateStore, _Drifted()))
    assert "_Drifted has no subscribe" in found
    assert any(b.startswith("_Drifted.unsubscribe(channel_id)") for b in found)
    assert "_Drifted.unsubscribe needs reason, which the contract never passes" in found
