"""Site-owner synonyms (synonyms.yaml) in the shape search engines use.

```yaml
synonyms:                 # multi-way: every term finds the others
  - [k8s, kubernetes, クバネティス]
one_way:                  # the key also finds the values, not the reverse
  やまちゃん: [山田]
```

Terms match after NFKC + casefold + whitespace collapsing.  `load_synonyms` never raises: a
broken file gives what could be read plus warnings naming the file and the problem.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

__all__ = ["Synonyms", "expand_query", "load_synonyms"]

MAX_TERM_CHARS = 100
MAX_GROUP_TERMS = 50
MAX_TERMS = 10_000  # terms over the whole file
MAX_FILE_BYTES = 2_000_000
MAX_WARNINGS = 20
MAX_VARIANTS = 8

# libyaml's parser is ~10x faster and caps nesting depth; both loaders are the safe ones.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _fold(term: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", term).casefold().split())


def _build_table(
    groups: tuple[tuple[str, ...], ...], one_way: tuple[tuple[str, tuple[str, ...]], ...]
) -> Mapping[str, tuple[str, ...]]:
    table: dict[str, dict[str, str]] = {}  # folded term -> {folded alternative: spelling}

    def link(term: str, alternatives: tuple[str, ...]) -> None:
        key = _fold(term)
        if not key:
            return
        found = table.setdefault(key, {})
        for alt in alternatives:
            folded = _fold(alt)
            if folded and folded != key:
                found.setdefault(folded, alt)

    for group in groups:
        for term in group:
            link(term, group)
    for key, values in one_way:
        link(key, values)
    return MappingProxyType({k: tuple(v.values()) for k, v in table.items() if v})


@dataclass(frozen=True)
class Synonyms:
    """Multi-way groups and one-way rules.  `expand` and `names` are the read side."""

    groups: tuple[tuple[str, ...], ...] = ()
    one_way: tuple[tuple[str, tuple[str, ...]], ...] = ()
    _table: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False, hash=False)
    _longest_first: tuple[str, ...] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        table = _build_table(self.groups, self.one_way)
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "_longest_first", tuple(sorted(table, key=lambda k: (-len(k), k))))

    def expand(self, term: str) -> tuple[str, ...]:
        """The other terms `term` should also find (never `term` itself), in file order."""
        return self._table.get(_fold(term), ())

    def names(self) -> tuple[str, ...]:
        """Every term in the file once (first spelling kept), e.g. for speaker detection."""
        seen: dict[str, str] = {}
        for group in self.groups:
            for term in group:
                seen.setdefault(_fold(term), term)
        for key, values in self.one_way:
            for term in (key, *values):
                seen.setdefault(_fold(term), term)
        return tuple(seen.values())

    def phrases(self) -> tuple[str, ...]:
        """Folded (NFKC, casefolded) terms that expand to something, longest first."""
        return self._longest_first

    def __bool__(self) -> bool:
        return bool(self._table)


# --------------------------------------------------------------------------- loading


class _Loader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.warnings: list[str] = []
        self.dropped = 0
        self.terms = 0
        self.full = False

    def warn(self, problem: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(f"{self.name}: {problem}")
        else:
            self.dropped += 1

    def finish(self) -> list[str]:
        if self.dropped:
            self.warnings.append(f"{self.name}: {self.dropped} more problems not shown")
        return self.warnings

    def term(self, value: object, where: str) -> str | None:
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.warn(f"{where}: {type(value).__name__} is not a string; skipped")
            return None
        text = " ".join(str(value).split())
        if not text:
            self.warn(f"{where}: empty term skipped")
            return None
        if len(text) > MAX_TERM_CHARS:
            self.warn(f"{where}: term longer than {MAX_TERM_CHARS} characters skipped")
            return None
        return text

    def take(self, count: int) -> bool:
        """Reserve room for `count` more terms; False (and one warning) once the cap is hit."""
        if self.full:
            return False
        if self.terms + count > MAX_TERMS:
            self.full = True
            self.warn(f"more than {MAX_TERMS} terms; the rest of the file is ignored")
            return False
        self.terms += count
        return True

    def terms_of(self, values: object, where: str) -> list[str] | None:
        if isinstance(values, str | int) and not isinstance(values, bool):
            values = [values]
        if not isinstance(values, list):
            self.warn(f"{where}: expected a list of terms, got {type(values).__name__}; skipped")
            return None
        if len(values) > MAX_GROUP_TERMS:
            self.warn(f"{where}: {len(values)} terms (more than {MAX_GROUP_TERMS}); skipped")
            return None
        terms = [t for i, v in enumerate(values) if (t := self.term(v, f"{where}[{i}]"))]
        return terms

    def groups(self, data: object) -> Iterator[tuple[str, ...]]:
        if not isinstance(data, list):
            self.warn(f"'synonyms' must be a list of lists, got {type(data).__name__}; ignored")
            return
        for i, raw in enumerate(data):
            where = f"synonyms[{i}]"
            terms = self.terms_of(raw, where)
            if terms is None:
                continue
            if len({_fold(t) for t in terms}) < 2:
                self.warn(f"{where}: a group needs at least two different terms; skipped")
                continue
            if not self.take(len(terms)):
                return
            yield tuple(terms)

    def rules(self, data: object) -> Iterator[tuple[str, tuple[str, ...]]]:
        if not isinstance(data, dict):
            self.warn(f"'one_way' must be a mapping of term: [terms], got {type(data).__name__}")
            return
        for raw_key, raw_values in data.items():
            shown = raw_key if isinstance(raw_key, str | int) else type(raw_key).__name__
            where = f"one_way[{str(shown)[:40]!r}]"
            key = self.term(raw_key, where)
            values = self.terms_of(raw_values, where)
            if key is None or values is None:
                continue
            values = [v for v in values if _fold(v) != _fold(key)]
            if not values:
                self.warn(f"{where}: no terms to expand to; skipped")
                continue
            if not self.take(1 + len(values)):
                return
            yield key, tuple(values)

    def load(self, data: Any) -> Synonyms:
        if data is None:
            return Synonyms()
        if not isinstance(data, dict):
            self.warn(
                f"expected a mapping with 'synonyms' and/or 'one_way', got {type(data).__name__}"
            )
            return Synonyms()
        for extra in data:
            if extra not in ("synonyms", "one_way"):
                self.warn(f"unknown section {extra!r} ignored (expected 'synonyms', 'one_way')")
        groups = tuple(self.groups(data["synonyms"])) if data.get("synonyms") is not None else ()
        rules = tuple(self.rules(data["one_way"])) if data.get("one_way") is not None else ()
        return Synonyms(groups, rules)


def load_synonyms(path: Path) -> tuple[Synonyms, list[str]]:
    """Read synonyms.yaml: (synonyms, warnings).  Never raises.

    A missing file gives no synonyms and no warning.  Unreadable or malformed YAML gives no
    synonyms and one warning; wrong shapes give what could be read plus one warning per problem
    (at most MAX_WARNINGS, then a count).  Terms over MAX_TERM_CHARS characters and groups over
    MAX_GROUP_TERMS terms are skipped; reading stops after MAX_TERMS terms.
    """
    loader = _Loader(str(path))
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            loader.warn(f"file larger than {MAX_FILE_BYTES} bytes; ignored")
            return Synonyms(), loader.finish()
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return Synonyms(), []
    except (OSError, UnicodeDecodeError) as exc:
        loader.warn(f"cannot read: {exc}")
        return Synonyms(), loader.finish()
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        loader.warn(f"invalid YAML: {' '.join(str(exc).split())}")
        return Synonyms(), loader.finish()
    except (RecursionError, ValueError, TypeError) as exc:  # absurd nesting, odd scalars
        loader.warn(f"invalid YAML: {type(exc).__name__}")
        return Synonyms(), loader.finish()
    try:
        synonyms = loader.load(data)
    except RecursionError:
        loader.warn("structure too deeply nested; ignored")
        return Synonyms(), loader.finish()
    return synonyms, loader.finish()


# --------------------------------------------------------------------------- query expansion


def _is_word_char(ch: str) -> bool:
    """Latin letters and digits: the characters a Latin term must not be glued to."""
    return (ch.isascii() and ch.isalnum()) or ("\u00c0" <= ch <= "\u024f" and ch.isalpha())


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """Casefold `text` character by character; positions[i] = index in `text` of folded[i]."""
    chars: list[str] = []
    positions: list[int] = []
    for i, ch in enumerate(text):
        folded = ch.casefold()
        chars.append(folded)
        positions.extend([i] * len(folded))
    positions.append(len(text))
    return "".join(chars), positions


def _occurrences(haystack: str, needle: str) -> Iterator[int]:
    latin_start = _is_word_char(needle[0])
    latin_end = _is_word_char(needle[-1])
    start = haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        ok_start = not (latin_start and start > 0 and _is_word_char(haystack[start - 1]))
        ok_end = not (latin_end and end < len(haystack) and _is_word_char(haystack[end]))
        if ok_start and ok_end:
            yield start
        start = haystack.find(needle, start + 1)


def expand_query(text: str, synonyms: Synonyms) -> tuple[str, ...]:
    """Variants of the whole query with one synonym phrase replaced by each of its alternatives.

    The query is NFKC-normalised with whitespace collapsed.  Phrases are matched longest first
    and do not overlap; a phrase that starts or ends with a Latin letter or digit must not be
    glued to another one there ("k8s" does not match in "k8sx"), Japanese matches as a
    substring.  Every occurrence of a matched phrase is replaced.  At most MAX_VARIANTS
    variants, never the query itself; () when nothing matches.
    """
    query = " ".join(unicodedata.normalize("NFKC", text).split())
    if not query or not synonyms:
        return ()
    folded, positions = _folded_with_positions(query)
    taken = [False] * len(folded)
    matches: dict[str, list[tuple[int, int]]] = {}  # key -> spans in folded
    for key in synonyms.phrases():
        if len(key) > len(folded):
            continue
        for start in _occurrences(folded, key):
            end = start + len(key)
            if not any(taken[start:end]):
                taken[start:end] = [True] * len(key)
                matches.setdefault(key, []).append((start, end))
    ordered = sorted(matches.items(), key=lambda kv: (-len(kv[0]), kv[1][0][0]))
    variants: dict[str, None] = {}
    own = _fold(query)
    for key, spans in ordered:
        for alternative in synonyms.expand(key):
            pieces: list[str] = []
            last = 0
            for start, end in spans:
                pieces.append(query[last : positions[start]])
                pieces.append(alternative)
                last = positions[end]
            pieces.append(query[last:])
            variant = " ".join("".join(pieces).split())
            if _fold(variant) != own:
                variants.setdefault(variant, None)
            if len(variants) >= MAX_VARIANTS:
                return tuple(variants)
    return tuple(variants)
