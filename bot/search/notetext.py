"""Per-note values the query path needs, worked out once per version of a note.

- ``NoteTexts``: an episode's text as :func:`light_normalize` gives it: its Japanese
  runs (to check a Japanese chunk as written), kept for every note once worked out;
  section by section (to find the snippet of a shown hit) and whole (to check Latin
  words written together), kept for the notes asked for most recently. Without it
  every query re-normalised the whole text of each of its candidates.
- ``KatakanaWords``: the notes' katakana words by sound shape, for Latin words the
  notes spell only in katakana (``serverless`` -> サーバーレス). Built with the index
  (or kept in the start-up snapshot), then kept up to date one note at a time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from bot.models import Episode
from bot.search.snippets import SectionTexts, section_texts
from bot.search.textnorm import JA_RUN, fold_kana, kana_sound, light_normalize

T = TypeVar("T")
NOTE_TEXTS = 2048  # notes whose sections' (and whole) normalised text is kept (about 12 MB each)
SKELETON_MIN = 5  # consonants a sound skeleton needs before it may match alone
_KATAKANA_RUN = re.compile("[\u30a1-\u30fa\u30fc]{3,}")


def whole_text(episode: Episode) -> str:
    """Normalised text of every field, to check Japanese chunks as written."""
    parts = [episode.raw_title, episode.summary, *episode.tags, *episode.categories]
    parts.extend(s.heading for s in episode.sections)
    parts.extend(r.text for r in episode.references)
    parts.append(episode.text)
    return light_normalize("\n".join(parts))


def japanese_runs(episode: Episode) -> str:
    """The Japanese runs (``JA_RUN``) of :func:`whole_text`, one a line: a pattern made
    of Japanese characters alone (a query's chunk, ``kana_pattern``) matches here when
    and only when it matches the whole text, in half the memory of a Japanese note and
    a fraction of that of one mostly in English."""
    return "\n".join(JA_RUN.findall(whole_text(episode)))


class NoteTexts:
    """The normalised text of the notes, by id: the Japanese runs of every note asked
    for (a few MB a thousand notes), the sections of the ``capacity`` asked for most
    recently."""

    def __init__(self, capacity: int = NOTE_TEXTS) -> None:
        self.capacity = capacity
        self._japanese: dict[int, tuple[Episode, str]] = {}
        self._sections: dict[int, tuple[Episode, SectionTexts]] = {}
        self._whole: dict[int, tuple[Episode, str]] = {}

    def japanese(self, doc_id: int, episode: Episode) -> str:
        """:func:`japanese_runs` of the note, worked out once per version of it."""
        held = self._japanese.get(doc_id)
        if held is None or held[0] is not episode:
            held = self._japanese[doc_id] = (episode, japanese_runs(episode))
        return held[1]

    def sections(self, doc_id: int, episode: Episode) -> SectionTexts:
        return self._recent(self._sections, doc_id, episode, section_texts)

    def whole(self, doc_id: int, episode: Episode) -> str:
        """:func:`whole_text` of one of the notes asked for most recently (Latin words
        checked together: "vs code")."""
        return self._recent(self._whole, doc_id, episode, whole_text)

    def forget(self, doc_id: int) -> None:
        self._japanese.pop(doc_id, None)
        self._sections.pop(doc_id, None)
        self._whole.pop(doc_id, None)

    def _recent(
        self,
        store: dict[int, tuple[Episode, T]],
        doc_id: int,
        episode: Episode,
        make: Callable[[Episode], T],
    ) -> T:
        """``make(episode)``, kept for the ``capacity`` notes asked for most recently."""
        held = store.pop(doc_id, None)  # re-inserted last: most recent
        if held is None or held[0] is not episode:
            held = (episode, make(episode))
            while len(store) >= self.capacity:
                del store[next(iter(store))]
        store[doc_id] = held
        return held[1]


def skeleton(shape: str) -> str:
    """A sound shape without its vowels: katakana adds vowels English does not write
    (リモートワーク ~ remote work), so only the consonants are compared."""
    return shape.replace("a", "")


def _run_shapes(run: str) -> tuple[str, ...]:
    """The sound shape of a katakana run (and its skeleton when long enough); none
    when it folds to fewer than three kana."""
    folded = fold_kana(run)
    if len(folded) < 3:
        return ()
    shape = kana_sound(folded)
    return (shape, skeleton(shape)) if len(skeleton(shape)) >= SKELETON_MIN else (shape,)


class KatakanaWords:
    """Sound shape (and, for long words, its consonant skeleton) -> katakana words of
    three or more kana in the notes, shortest first.

    Kept up to date with the index a note at a time, and built with it: by the index
    build's parts (``merge``), or restored from the start-up snapshot (``from_state``),
    so no query builds it."""

    def __init__(self) -> None:
        self._counts: dict[str, dict[str, int]] = {}  # shape -> katakana run -> notes
        self._sorted: dict[str, tuple[str, ...]] = {}
        self._shapes: dict[str, tuple[str, ...]] = {}  # katakana run -> its shapes

    def get(self, shape: str) -> tuple[str, ...]:
        """The words of ``shape``."""
        found = self._sorted.get(shape)
        if found is None:
            words = self._counts.get(shape, {})
            found = self._sorted[shape] = tuple(sorted(words, key=lambda w: (len(w), w)))
        return found

    def add(self, episode: Episode) -> None:
        self._change(episode, 1)

    def remove(self, episode: Episode) -> None:
        self._change(episode, -1)

    def merge(self, other: KatakanaWords) -> None:
        """Add the notes ``other`` counted (another part of the same build)."""
        for shape, words in other._counts.items():
            mine = self._counts.setdefault(shape, {})
            for run, count in words.items():
                mine[run] = mine.get(run, 0) + count
            self._sorted.pop(shape, None)

    def to_state(self) -> list[list[Any]]:
        """Plain data: [shape, runs, counts] for each shape."""
        return [[shape, list(words), list(words.values())] for shape, words in self._counts.items()]

    @classmethod
    def from_state(cls, state: Iterable[Sequence[Any]]) -> KatakanaWords:
        """The table ``to_state`` gave ``state`` for; ``ValueError`` (or ``TypeError``)
        for anything else."""
        table = cls()
        for shape, runs, counts in state:
            words = dict(zip(map(str, runs), map(int, counts), strict=True))
            if not isinstance(shape, str) or not words or min(words.values()) <= 0:
                raise ValueError("not a katakana table")
            table._counts[shape] = words
        return table

    def _change(self, episode: Episode, by: int) -> None:
        counts = self._counts
        e = episode
        text = "\n".join((e.raw_title, e.summary, *(s.heading for s in e.sections), e.text))
        pairs: set[tuple[str, str]] = set()
        for run in set(_KATAKANA_RUN.findall(text)):
            shapes = self._shapes.get(run)
            if shapes is None:
                shapes = self._shapes[run] = _run_shapes(run)
            pairs.update((shape, run) for shape in shapes)
        for shape, run in pairs:
            words = counts.setdefault(shape, {})
            left = words.get(run, 0) + by
            if left > 0:
                words[run] = left
            else:
                words.pop(run, None)
                if not words:
                    del counts[shape]
            self._sorted.pop(shape, None)
