"""The Latin vocabulary of the notes, for typos, prefixes and katakana renderings.

Kept up to date word by word as episodes come and go (reference counts), so an
incremental update costs only the words of that episode. New words reach the sorted
list and the sound index in batches (an index build works out each word's sound shapes
once, at the end). Fuzzy look-ups run in rapidfuzz (C++) over the whole vocabulary.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable
from itertools import filterfalse
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.search.textnorm import kana_sound, latin_sound

MIN_SOUND = 3  # sound shapes shorter than this match too many words
_SOUNDABLE = re.compile("[a-z]{3,}[0-9]*")  # words with letters (and a version number)


class Vocabulary:
    def __init__(self) -> None:
        self._count: Counter[str] = Counter()  # word or "w1 w2" pair -> episodes holding it
        self._sorted: list[str] = []  # words, sorted, for prefixes
        self._sound_words: dict[str, set[str]] = {}  # sound shape -> words and "w1 w2" pairs
        self._sounds: list[str] = []  # sound shapes, sorted
        self._surface: dict[str, str] = {}  # word -> a spelling from the notes, for display
        self._new: list[str] = []  # words and pairs added, not yet in _sorted and _sounds
        self._by_length: dict[int, list[str]] | None = None  # _sounds by length, when asked
        self._words_by_length: dict[int, list[str]] | None = None  # the same for _sorted

    def __contains__(self, word: str) -> bool:
        return word in self._count

    def __len__(self) -> int:
        return len(self._count)

    # -- upkeep ------------------------------------------------------------------

    def add(self, words: Iterable[str], pairs: Iterable[str] = ()) -> None:
        """Count one episode's words and pairs (each once). New ones reach the look-up
        structures at the next look-up or :meth:`settle`, all in one batch."""
        keys = [*words, *pairs]
        count = self._count
        self._new.extend(filterfalse(count.__contains__, keys))
        count.update(keys)  # counted in C

    def merge(self, other: Vocabulary) -> None:
        """Add everything ``other`` counted, as if its episodes were added here after
        this one's (spellings seen here first win). Sound shapes are not worked out
        again: ``other`` already has them."""
        self.settle()
        other.settle()
        count = self._count
        fresh = [w for w in other._sorted if w not in count]
        count.update(other._count)
        self.remember_surface(other._surface)
        self._sorted.extend(fresh)
        self._sorted.sort()
        self._words_by_length = None
        sound_words = self._sound_words
        fresh = []
        for sound, words in other._sound_words.items():
            mine = sound_words.get(sound)
            if mine is None:
                sound_words[sound] = set(words)
                fresh.append(sound)
            else:
                mine.update(words)
        self._sounds.extend(fresh)
        self._sounds.sort()
        self._by_length = None

    def settle(self) -> None:
        """Bring new words into the sorted list and the sound index."""
        if not self._new:
            return
        count = self._count
        new = [key for key in dict.fromkeys(self._new) if count.get(key, 0) > 0]
        self._new = []
        words = [key for key in new if " " not in key]
        pairs = [key for key in new if " " in key]
        if len(words) < 64:
            for word in words:
                bisect.insort(self._sorted, word)
        else:
            self._sorted.extend(words)
            self._sorted.sort()
        if words:
            self._words_by_length = None
        added: list[str] = []
        for word in words:
            if _SOUNDABLE.fullmatch(word):
                added.extend(s for s in _sounds(word) if self._add_sound(s, word))
        for pair in pairs:
            added.extend(s for s in _sounds(pair.replace(" ", "")) if self._add_sound(s, pair))
        if len(added) < 64:
            for sound in added:
                bisect.insort(self._sounds, sound)
        else:
            self._sounds.extend(added)
            self._sounds.sort()
        if added:
            self._by_length = None

    def remove(self, words: Iterable[str], pairs: Iterable[str] = ()) -> None:
        self.settle()
        for word in words:
            if self._drop(word):
                _discard_sorted(self._sorted, word)
                self._words_by_length = None
                if _SOUNDABLE.fullmatch(word):
                    for sound in _sounds(word):
                        self._remove_sound(sound, word)
        for pair in pairs:
            if self._drop(pair):
                for sound in _sounds(pair.replace(" ", "")):
                    self._remove_sound(sound, pair)

    def remember_surface(self, surfaces: dict[str, str]) -> None:
        """Keep the first spelling seen of each word."""
        deque(map(self._surface.setdefault, surfaces.keys(), surfaces.values()), maxlen=0)

    def surface(self, word: str) -> str:
        return self._surface.get(word, word)

    def _drop(self, key: str) -> bool:
        n = self._count.get(key, 0)
        if n <= 1:
            self._count.pop(key, None)
            return n == 1
        self._count[key] = n - 1
        return False

    def _add_sound(self, sound: str, word: str) -> bool:
        """Index ``word`` under ``sound``; True when the sound is new."""
        if len(sound) < MIN_SOUND:
            return False
        words = self._sound_words.get(sound)
        if words is None:
            self._sound_words[sound] = {word}
            return True
        words.add(word)
        return False

    def _remove_sound(self, sound: str, word: str) -> None:
        words = self._sound_words.get(sound)
        if words is None:
            return
        words.discard(word)
        if not words:
            del self._sound_words[sound]
            _discard_sorted(self._sounds, sound)
            self._by_length = None

    # -- plain data, for the start-up snapshot ------------------------------------

    def to_state(self) -> dict[str, Any]:
        """Everything counted and indexed, as plain lists (settled first)."""
        self.settle()
        return {
            "count": [list(self._count), list(self._count.values())],
            "sorted": self._sorted,
            "sound_words": [[sound, sorted(words)] for sound, words in self._sound_words.items()],
            "sounds": self._sounds,
            "surface": [list(self._surface), list(self._surface.values())],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Vocabulary:
        """The vocabulary ``to_state`` gave ``state`` for."""
        vocab = cls()
        words, counts = state["count"]
        vocab._count = Counter(dict(zip(words, counts, strict=True)))
        vocab._sorted = list(state["sorted"])
        vocab._sound_words = {sound: set(words) for sound, words in state["sound_words"]}
        vocab._sounds = list(state["sounds"])
        spelled, spellings = state["surface"]
        vocab._surface = dict(zip(spelled, spellings, strict=True))
        if len(vocab._sounds) != len(vocab._sound_words):
            raise ValueError("vocabulary sounds do not add up")
        return vocab

    # -- look-ups ----------------------------------------------------------------

    def numbered(self, word: str, limit: int = 4) -> list[str]:
        """The notes' words that are ``word`` with a number after it: "graviton" ->
        "graviton2", "python" -> "python3" (digits sort before letters: they come
        right after the word)."""
        self.settle()
        start = bisect.bisect_left(self._sorted, word)
        out: list[str] = []
        for other in self._sorted[start : start + 200]:
            if other == word:
                continue
            if not other.startswith(word) or not other[len(word)].isdigit():
                break
            if other[len(word) :].isdigit():
                out.append(other)
                if len(out) >= limit:
                    break
        return out

    def with_prefix(self, prefix: str, limit: int = 8) -> list[str]:
        """Words that start with ``prefix`` (not the prefix itself), shortest first."""
        self.settle()
        start = bisect.bisect_left(self._sorted, prefix)
        out: list[str] = []
        for word in self._sorted[start : start + 200]:
            if not word.startswith(prefix):
                break
            if word != prefix:
                out.append(word)
        out.sort(key=lambda w: (len(w), w))
        return out[:limit]

    def typos(self, word: str, limit: int = 3) -> list[tuple[str, int]]:
        """Words within a small edit distance of ``word`` (swaps count once)."""
        self.settle()
        if len(word) < 3 or not self._sorted:
            return []
        max_edits = 0 if len(word) <= 4 else 1 if len(word) <= 7 else 2
        edits = max(1, max_edits)  # OSA distance: lengths differ by at most that
        found = _extract(
            word,
            self._words(),
            range(len(word) - edits, len(word) + edits + 1),
            OSA.distance,
            edits,
            limit,
            lower_is_better=True,
        )
        out = []
        for choice, dist in found:
            if dist == 0 or choice == word:
                continue
            if max_edits == 0 and sorted(choice) != sorted(word):
                continue  # short words: only a swap of two letters (rnu -> run)
            out.append((choice, int(dist)))
        return out

    def similar(self, word: str, limit: int = 3, cutoff: float = 70) -> list[str]:
        """Loosely similar words, for "did you mean"."""
        self.settle()
        if not self._sorted:
            return []
        found = _extract(
            word, self._words(), _ratio_lengths(len(word), cutoff), fuzz.ratio, cutoff, limit
        )
        return [choice for choice, _ in found if choice != word]

    def sounds_like(self, kana: str, limit: int = 3) -> list[tuple[str, float]]:
        """Words and word pairs that folded katakana ``kana`` may be a rendering of,
        with a similarity in 0-1: the consonant skeleton first, then the vowels."""
        self.settle()
        sound = kana_sound(kana)
        if len(sound) < MIN_SOUND or not self._sounds:
            return []
        cutoff = 88 if len(sound) <= 4 else 80
        found = self._close_sounds(sound, cutoff, limit)
        voiced = kana_sound(kana, vowels=True)
        scored: dict[str, float] = {}
        for shape, score in found:
            for word in self._sound_words.get(shape, ()):
                plain = word.replace(" ", "")
                vowel_score = max(fuzz.ratio(voiced, v) for v in _sounds(plain, vowels=True))
                short = len(sound) <= 4
                similarity = (0.5 if short else 0.7) * score + (0.5 if short else 0.3) * vowel_score
                if similarity >= (90 if short else 85):
                    scored[word] = max(scored.get(word, 0.0), similarity / 100)
        ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0]))
        return ranked[:limit]

    def _close_sounds(self, sound: str, cutoff: float, limit: int) -> list[tuple[str, float]]:
        """``process.extract(sound, self._sounds, scorer=fuzz.ratio, ...)``, over only
        the shapes long enough to reach ``cutoff``."""
        by_length = getattr(self, "_by_length", None)
        if by_length is None:
            by_length = self._by_length = _by_length(self._sounds)
        return _extract(
            sound, by_length, _ratio_lengths(len(sound), cutoff), fuzz.ratio, cutoff, limit
        )

    def _words(self) -> dict[int, list[str]]:
        by_length = getattr(self, "_words_by_length", None)
        if by_length is None:
            by_length = self._words_by_length = _by_length(self._sorted)
        return by_length


def _by_length(items: list[str]) -> dict[int, list[str]]:
    """A sorted list split by length, each part still sorted."""
    out: dict[int, list[str]] = {}
    for item in items:
        out.setdefault(len(item), []).append(item)
    return out


def _ratio_lengths(n: int, cutoff: float) -> range:
    """Lengths a string needs for ``fuzz.ratio`` with one of length ``n`` to reach
    ``cutoff``: the ratio is at most 200 * shorter / (sum of lengths)."""
    low = math.floor(n * cutoff / (200 - cutoff)) - 1
    high = math.ceil(n * (200 - cutoff) / cutoff) + 1
    return range(max(low, 0), high + 1)


def _extract(
    query: str,
    by_length: dict[int, list[str]],
    lengths: range,
    scorer: Callable[..., float],
    cutoff: float,
    limit: int,
    lower_is_better: bool = False,
) -> list[tuple[str, float]]:
    """``process.extract`` over a sorted list, looking only at its items of the given
    lengths: the same answers in the same order (score, then the list's order)."""
    found: list[tuple[str, float]] = []
    for length in lengths:
        bucket = by_length.get(length)
        if bucket:
            found += [
                (choice, score)
                for choice, score, _ in process.extract(
                    query, bucket, scorer=scorer, score_cutoff=cutoff, limit=limit
                )
            ]
    found.sort(key=lambda item: (item[1] if lower_is_better else -item[1], item[0]))
    return found[:limit]


def _sounds(word: str, vowels: bool = False) -> set[str]:
    """Sound shapes of a word: ch read both ways (chat, chaos), g before e/i both ways
    (get, gemini); a version number dropped (graviton4 ~ グラビトン)."""
    word = word.rstrip("0123456789") or word
    variants = {word}
    if "g" in word:
        variants.add(_SOFT_G.sub("j", word))
    sounds = {latin_sound(w, vowels) for w in variants}
    if "ch" in word:
        sounds.update(latin_sound(w, vowels, hard_ch=True) for w in variants)
    return sounds


_SOFT_G = re.compile("g(?=[eiy])")


def _discard_sorted(items: list[str], item: str) -> None:
    i = bisect.bisect_left(items, item)
    if i < len(items) and items[i] == item:
        del items[i]
