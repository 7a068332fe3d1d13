"""Reading (yomi) index: find the notes' words that sound like what the user typed.

A user who types 資格 for the notes' 視覚, クラウトフロント for クラウドフロント, せーじmaker for
SageMaker, jetoson for ジェットソン or どっかー for ドッカー gets the notes' spelling back from
`ReadingIndex.alternatives`, so the search can retry with it.

Readings come from Sudachi (mode C) for kanji and dictionary Latin words, from the text itself
for kana, and from jaconv for romaji.  A reading is folded into a loose key (`reading_key`):
no long-vowel marks, repeated vowels and オウ/エイ collapsed, no dakuten/handakuten, small kana
full-size, no ッ.  Loose keys shorter than 3 kana collide too often, so such words, and short
Latin words whose readings are letter names (NG/nc), are matched on their exact katakana
reading only (どっかー -> ドッカー).  The analyser is created on first use, one tokenizer per
thread.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import sys
import threading
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from types import MappingProxyType
from typing import Any

import jaconv
from rapidfuzz import fuzz, process
from sudachipy import (
    Dictionary,
    Morpheme,
    SplitMode,
    Tokenizer,
)

from bot.models import Episode

__all__ = [
    "ReadingIndex",
    "ReadingMemo",
    "episode_texts",
    "pieces",
    "reading_key",
    "sound_variants",
    "surface_readings",
]

EXACT_QUALITY = 0.85
FUZZY_MIN_QUALITY = 0.6
FUZZY_MAX_QUALITY = 0.8
FUZZY_MIN_RATIO = 85.0  # rapidfuzz.fuzz.ratio, 0..100
FUZZY_MIN_KEY_LEN = 5
MIN_KEY_LEN = 3
MAX_VARIANTS = 4  # readings kept per surface (Sage -> セージ / サゲ ...)
MAX_SURFACE_CHARS = 200  # longer "surfaces" are not words: no reading
MAX_COMPOUND_TOKENS = 4
MAX_COMPOUND_CHARS = 40
MAX_NAME_WORDS = 3
MAX_SOUND_VARIANTS = 64  # spellings sound_variants offers for one word
MAX_VOICED = 2  # dakuten added at most, for a katakana word typed without them
_MAX_CHUNK_BYTES = 40_000  # Sudachi refuses input over ~49,000 bytes
_CHUNK_CHARS = 10_000  # <= 40,000 bytes even at 4 bytes a character

_ID_SIZE = array("I").itemsize
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30faー]+")
_KATAKANA_WORD = re.compile(r"[\u30a1-\u30faー]{2,}")
_LATIN = re.compile(r"[A-Za-z]+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
# strict romaji: syllables, syllabic n, doubled consonant (っ), '-' as a long vowel
_ROMAJI = re.compile(
    r"(?:(?:sh|ch|ts|th|dh|wh|[kgsztdnhbpmyrwfvjcl])?y?[aiueo]-?"
    r"|n'?(?![aiueoy])|nn|([kgsztdhbpmrfvjc])(?=\1))+"
)
_TS_VOWEL = re.compile(r"ts(?=[aiueo])")
_SHORT_LATIN = re.compile(r"[A-Za-z0-9]{1,4}")
_NAME_WORD = re.compile(r"[A-Z][A-Za-z0-9]*")
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_LETTER_NAMES = (
    "エー", "ビー", "シー", "ディー", "イー", "エフ", "ジー", "エイチ", "アイ", "ジェー", "ケー",
    "エル", "エム", "エヌ", "オー", "ピー", "キュー", "アール", "エス", "ティー", "ユー", "ブイ",
    "ダブリュー", "エックス", "ワイ", "ゼット",
)  # fmt: skip
_LETTERS = MappingProxyType(dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", _LETTER_NAMES, strict=True)))
_VOWEL_OF = MappingProxyType(
    {
        ch: row[0]
        for row in (
            "アカサタナハマヤラワガザダバパァャヮ",
            "イキシチニヒミリギジヂビピィ",
            "ウクスツヌフムユルグズヅブプゥュヴ",
            "エケセテネヘメレゲゼデベペェ",
            "オコソトノホモヨロヲゴゾドボポォョ",
        )
        for ch in row
    }
)
_DIPHTHONGS = frozenset({("オ", "ウ"), ("エ", "イ")})
_SMALL_TO_FULL = str.maketrans("ァィゥェォャュョヮヵヶ", "アイウエオヤユヨワカケ")
_SMALL = frozenset("ァィゥェォャュョヮ")
_NOT_KEY_CHAR = re.compile(r"[^\u30a1-\u30fa]")
_CUT_AT = re.compile(r"[\s。、．，.,!?！？)）」』]")


# --------------------------------------------------------------------------- analyser


@dataclass
class _Analyser:
    dictionary: Dictionary
    local: threading.local = field(default_factory=threading.local)

    def tokenizer(self) -> Tokenizer:
        """One Sudachi tokenizer per thread (a tokenizer must not be shared concurrently)."""
        tok: Tokenizer | None = getattr(self.local, "tokenizer", None)
        if tok is None:
            tok = self.dictionary.tokenizer()
            self.local.tokenizer = tok
        return tok

    def tokenize(self, text: str) -> list[Morpheme]:
        return list(self.tokenizer().tokenize(text, SplitMode.C))

    def lookup_readings(self, word: str) -> list[str]:
        return _dedupe(
            m.reading_form() for m in self.dictionary.lookup(word) if _is_kana(m.reading_form())
        )


@functools.cache
def _analyser() -> _Analyser:
    return _Analyser(Dictionary(dict="core"))


_PREDICATE_END = frozenset({"動詞", "助動詞", "助詞", "形容詞"})


def ends_in_predicate(text: str) -> bool:
    """Whether Japanese ``text`` ends in a verb, an adjective, an ending or a particle
    ("全部教えて", "取り上げた"), not in a noun ("条件付き書き込み", "防ぐ機能")."""
    morphemes = _analyser().tokenize(text)
    return bool(morphemes) and morphemes[-1].part_of_speech()[0] in _PREDICATE_END


# --------------------------------------------------------------------------- readings


def _is_kana(s: str) -> bool:
    return _KANA.fullmatch(s) is not None


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _strip_latin_accents(s: str) -> str:
    """ō -> o, é -> e (Hepburn macrons); kana are left alone (their dakuten matter here)."""
    out = []
    for ch in s:
        if "\u00c0" <= ch <= "\u024f":
            ch = "".join(
                c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)
            )
        out.append(ch)
    return "".join(out)


def _combine(parts: Sequence[Sequence[str]]) -> list[str]:
    """Concatenate one variant from each part; the first result uses every part's first variant."""
    return ["".join(p) for p in itertools.islice(itertools.product(*parts), MAX_VARIANTS)]


def _romaji(word: str) -> str | None:
    w = word.lower()
    if not _ROMAJI.fullmatch(w):
        return None
    # Hepburn "konnichiha" means こんにちは, but jaconv reads "nn" as ん: make it "nnn".
    w = re.sub(r"(?<!n)nn(?=[aiueoy])", "nnn", w)
    kana = jaconv.hira2kata(jaconv.alphabet2kana(w))
    return kana if _is_kana(kana) else None


def _piece_readings(piece: str) -> list[str]:
    an = _analyser()
    found = an.lookup_readings(piece)
    if found:
        return found
    romaji = _romaji(piece)
    if romaji:
        return [romaji]
    if piece.isupper() and len(piece) <= 6:
        return ["".join(_LETTERS[c] for c in piece)]
    return []


def _latin_readings(word: str, morpheme: Morpheme | None) -> list[str]:
    """Readings of one Latin word: dictionary readings, romaji, CamelCase pieces, letters."""
    if len(word) == 1:  # "A" is a unit (アンペア) in the dictionary; a lone letter is its name
        return [_LETTERS[word.upper()]]
    found: list[str] = []
    if morpheme is not None and not morpheme.is_oov() and _is_kana(morpheme.reading_form()):
        found.append(morpheme.reading_form())
    found.extend(_analyser().lookup_readings(word))
    romaji = _romaji(word)
    if romaji:
        found.append(romaji)
        if _TS_VOWEL.search(word.lower()):  # English "ts" is t+s: Jetson -> ジェットソン
            found.append(_romaji(_TS_VOWEL.sub("ttos", word.lower())) or romaji)
    if found:
        if word.islower():  # "oto" is more likely オト than the dictionary's オーティーオー
            spelled = "".join(_LETTERS[c] for c in word.upper())
            found.sort(key=lambda r: r == spelled)
        return _dedupe(found)[:MAX_VARIANTS]
    parts = _CAMEL.findall(word)
    if len(parts) > 1 and "".join(parts) == word:  # SageMaker -> Sage + Maker
        pieces = [_piece_readings(p) for p in parts]
        return _combine(pieces) if all(pieces) else []
    if word.isupper() and len(word) <= 6:  # GCE -> ジーシーイー
        return ["".join(_LETTERS[c] for c in word)]
    return []


def _token_readings(m: Morpheme) -> list[str] | None:
    """Readings of one token; [] for a symbol (skipped); None when it cannot be read."""
    surface = m.surface()
    if not any(c.isalnum() for c in surface):
        return []
    if _is_kana(surface):
        return [jaconv.hira2kata(surface)]  # kana as typed: don't let the analyser re-read it
    if _LATIN.fullmatch(surface):
        return _latin_readings(surface, m) or None
    if any(c.isdigit() for c in surface) or m.is_oov():
        return None
    reading = m.reading_form()
    return [reading] if _is_kana(reading) else None


def _chunk_readings(chunk: str) -> list[str]:
    """Readings of a whitespace-free chunk, or [] when any part of it cannot be read."""
    an = _analyser()
    morphemes = an.tokenize(chunk)
    romaji = _romaji(chunk)
    if romaji is not None:  # whole chunk is romaji: "jetoson", "sa-ba-resu"
        if len(morphemes) == 1 and _LATIN.fullmatch(chunk):
            return _dedupe([*_latin_readings(chunk, morphemes[0]), romaji])[:MAX_VARIANTS]
        return [romaji]
    parts: list[list[str]] = []
    for m in morphemes:
        readings = _token_readings(m)
        if readings is None:
            return []
        if readings:
            parts.append(readings)
    return _combine(parts) if parts else []


def surface_readings(surface: str) -> tuple[str, ...]:
    """Katakana readings of a word or short phrase, most likely first (at most MAX_VARIANTS).

    Whitespace-separated chunks are read separately and joined ("ooto sukeeringu" ->
    オオトスケエリング).  Empty when any chunk has a part with no reading (an English word
    outside the dictionary such as Kubernetes, a number, a symbol-only string): a partial
    reading would collide with the readable part alone.
    """
    text = _strip_latin_accents(unicodedata.normalize("NFKC", surface)).strip()
    if not text or len(text) > MAX_SURFACE_CHARS:
        return ()
    parts: list[list[str]] = []
    for chunk in text.split():
        readings = _chunk_readings(chunk)
        if not readings:
            if any(c.isalnum() for c in chunk):
                return ()
            continue  # a chunk of symbols only
        parts.append(readings)
    return tuple(_dedupe(_combine(parts))) if parts else ()


def name_spellings(name: str) -> tuple[str, ...]:
    """How a listener may type a person's name in kana or romaji: 加藤 -> カトウ, かとう,
    katou, kato, katoh. Empty for a name already in kana or Latin letters, or one
    the dictionary cannot read."""
    if not any("\u3400" <= c <= "\u9fff" for c in name):
        return ()
    out: list[str] = []
    for reading in surface_readings(name)[:2]:
        romaji = jaconv.kata2alphabet(reading)
        # long vowels as names are romanised: "ou" is written o, oh or ou, "uu" u
        short = re.sub(r"ou|oo", "o", romaji).replace("uu", "u")
        longer = re.sub(r"ou|oo", "oh", romaji).replace("uu", "u")
        out += [reading, jaconv.kata2hira(reading), romaji, short, longer]
    return tuple(_dedupe(w for w in out if w and w != name))


def _loose_key(reading: str) -> str:
    out: list[str] = []
    for ch in reading:
        if ch == "ー":
            continue
        if ch in "アイウエオ" and out:
            pv = _VOWEL_OF.get(out[-1])
            if pv is not None and (ch == pv or (pv, ch) in _DIPHTHONGS):
                continue  # オオ, オウ, エイ, イイ ... -> one vowel
        out.append(ch)
    key = "".join(c for c in unicodedata.normalize("NFD", "".join(out)) if c not in "\u3099\u309a")
    key = key.translate(_SMALL_TO_FULL).replace("ッ", "").replace("ヲ", "オ")
    return _NOT_KEY_CHAR.sub("", unicodedata.normalize("NFC", key))


def _morae(reading: str) -> int:
    return sum(1 for c in reading if c not in _SMALL)


def reading_key(surface: str) -> str:
    """Loose katakana key of the surface's most likely reading; "" when it cannot be read.

    >>> reading_key("構成"), reading_key("どっかー"), reading_key("ooto sukeeringu")
    ('コセ', 'トカ', 'オトスケリンク')
    """
    readings = surface_readings(surface)
    return _loose_key(readings[0]) if readings else ""


# --------------------------------------------------------------------------- index


def _fold(s: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", s).casefold().split())


def _chunks(text: str) -> Iterator[str]:
    """Lines of the text, long lines cut (at a space or punctuation if possible) for Sudachi."""
    for line in text.splitlines():
        rest = line
        while len(rest.encode("utf-8")) > _MAX_CHUNK_BYTES:
            piece = rest[:_CHUNK_CHARS]
            cut = max((m.end() for m in _CUT_AT.finditer(piece, _CHUNK_CHARS // 2)), default=0)
            cut = cut or _CHUNK_CHARS
            yield rest[:cut]
            rest = rest[cut:]
        if rest.strip():
            yield rest


def _is_short_latin(surface: str) -> bool:
    """Acronym-like (NG, br, AWS, set): its reading is spelled out letter by letter, and loose
    keys of letter names collide (NG/nc, br/per), so it is matched on its exact reading only."""
    return _SHORT_LATIN.fullmatch(unicodedata.normalize("NFKC", surface).strip()) is not None


def _is_indexable(word: str) -> bool:
    """A word of letters, digits, kana or kanji (single spaces allowed), not a lone letter."""
    return len(word) > 1 and all(c.isalnum() or c in "ー " for c in word)


def _is_nounlike(surface: str, pos: tuple[str, ...]) -> bool:
    if pos[0] == "名詞" and pos[1] != "数詞":
        return True
    return bool(_KATAKANA_WORD.fullmatch(surface) or _LATIN_WORD.fullmatch(surface))


def _content_words(morphemes: Iterable[Morpheme]) -> Iterator[str]:
    """Nouns (and the nouns inside mode-C compounds), katakana and Latin words, verbs'
    dictionary forms, runs of adjacent nouns (mode C splits オートスケーリング into
    オート + スケーリング) and runs of capitalised Latin words (Auto Scaling, Cloud Run)."""
    nouns: list[str] = []
    names: list[str] = []

    def flush(run: list[str], sep: str, longest: int) -> Iterator[str]:
        joined = sep.join(run)
        if 2 <= len(run) <= longest and len(joined) <= MAX_COMPOUND_CHARS:
            yield joined
        run.clear()

    for m in morphemes:
        surface = m.surface()
        if _NAME_WORD.fullmatch(surface):
            names.append(surface)
        elif names and surface != " ":
            yield from flush(names, " ", MAX_NAME_WORDS)
        pos = m.part_of_speech()
        if _is_nounlike(surface, pos):
            yield surface
            nouns.append(surface)
            if len(surface) > 2:
                parts = m.split(SplitMode.A, add_single=False)
                if len(parts) > 1:  # 視覚障害者 -> 視覚, 障害
                    for p in parts:
                        if _is_nounlike(p.surface(), p.part_of_speech()):
                            yield p.surface()
            continue
        if nouns:
            yield from flush(nouns, "", MAX_COMPOUND_TOKENS)
        if pos[0] == "動詞" and pos[1] != "非自立可能":
            yield m.dictionary_form()
    yield from flush(nouns, "", MAX_COMPOUND_TOKENS)
    yield from flush(names, " ", MAX_NAME_WORDS)


class ReadingIndex:
    """Reading keys of the notes' words, kept up to date a note at a time (``update``).

    Each spelling counts the texts that use it; of the spellings that fold alike (NFKC,
    casefold) the first met is indexed, and when its last text goes the next one still
    in use takes its place: a word no text uses any more is in no answer. Queries may
    run on one thread while another updates the index: its tables are changed and read
    under one lock, which Sudachi's work never holds."""

    __slots__ = (
        "_forms",
        "_fuzzy_keys",
        "_indexed",
        "_lock",
        "_loose",
        "_read",
        "_strict",
        "_uses",
    )

    def __init__(self) -> None:
        self._uses: dict[str, int] = {}  # every spelling met -> texts that use it
        self._forms: dict[str, list[str]] = {}  # folded -> indexable spellings in use
        self._read: dict[str, tuple[tuple[str, ...], bool]] = {}  # indexed -> readings
        self._loose: dict[str, set[str]] = {}  # loose key -> surfaces
        self._strict: dict[str, set[str]] = {}  # exact katakana reading -> surfaces
        self._indexed = 0
        self._fuzzy_keys: list[str] | None = None
        self._lock = threading.Lock()

    @classmethod
    def build(cls, texts: Iterable[str], memo: ReadingMemo | None = None) -> ReadingIndex:
        """The index of ``texts``; with a ``memo`` of the last build, only texts and words
        it does not hold are read with Sudachi (the same index either way), and the memo
        then holds this build's."""
        if memo is not None:
            memo.worked = 0
        index = cls()
        index.add(texts, memo)
        if memo is not None:
            memo.settle()
        return index

    def add(self, texts: Iterable[str], memo: ReadingMemo | None = None) -> None:
        """Index more texts; each new distinct word (NFKC casefolded) is read once."""
        self.update((), texts, memo)

    def update(
        self, removed: Iterable[str], added: Iterable[str], memo: ReadingMemo | None = None
    ) -> None:
        """Take out the words of the texts ``removed`` (as they were added) and put in
        those of ``added``: a note's change is its old texts and its new ones."""
        words_of = memo.words_of if memo is not None else _words_in
        read = memo.readings_of if memo is not None else surface_readings
        for text in added:  # added first: a word in both is not taken out and put back
            words = words_of(text)
            fresh = self._fresh(words, read)
            with self._lock:
                for word in words:
                    self._use(word, fresh)
        for text in removed:
            words = words_of(text)
            with self._lock:
                for word in words:
                    self._drop(word, read)

    def _fresh(
        self, words: Iterable[str], read: Callable[[str], tuple[str, ...]]
    ) -> dict[str, tuple[str, ...]]:
        """The readings of the words that will be indexed (new, and the first of their
        folded form), read before the lock is taken."""
        fresh: dict[str, tuple[str, ...]] = {}
        folds: set[str] = set()
        for word in words:
            if word in self._uses or not _is_indexable(word):
                continue
            folded = _fold(word)
            if folded not in self._forms and folded not in folds:
                folds.add(folded)
                fresh[word] = read(word)
        return fresh

    def _use(self, word: str, fresh: dict[str, tuple[str, ...]]) -> None:
        uses = self._uses.get(word, 0)
        self._uses[word] = uses + 1
        if uses or not _is_indexable(word):
            return
        forms = self._forms.setdefault(_fold(word), [])
        forms.append(word)
        if len(forms) == 1:
            self._index(word, fresh[word])

    def _drop(self, word: str, read: Callable[[str], tuple[str, ...]]) -> None:
        uses = self._uses.get(word, 0)
        if uses > 1:
            self._uses[word] = uses - 1
            return
        if not uses:
            return  # never added
        del self._uses[word]
        if not _is_indexable(word):
            return
        folded = _fold(word)
        forms = self._forms[folded]
        indexed = forms[0] == word
        forms.remove(word)
        if indexed:
            self._unindex(word)
            if forms:  # the next spelling still in use takes its place
                self._index(forms[0], read(forms[0]))
        if not forms:
            del self._forms[folded]

    def _index(self, word: str, readings: tuple[str, ...]) -> None:
        indexed = False
        loose_ok = not _is_short_latin(word)
        for reading in readings:
            if _morae(reading) >= MIN_KEY_LEN:
                self._strict.setdefault(reading, set()).add(word)
                indexed = True
            key = _loose_key(reading)
            if loose_ok and len(key) >= MIN_KEY_LEN:
                if key not in self._loose:
                    self._loose[key] = set()
                    self._fuzzy_keys = None
                self._loose[key].add(word)
                indexed = True
        self._read[word] = (readings, indexed)
        self._indexed += indexed

    def _unindex(self, word: str) -> None:
        readings, indexed = self._read.pop(word)
        self._indexed -= indexed
        for reading in readings:
            _discard(self._strict, reading, word)
            if _discard(self._loose, _loose_key(reading), word):
                self._fuzzy_keys = None

    def __len__(self) -> int:
        """Distinct surfaces (NFKC casefolded) that have a usable reading."""
        return self._indexed

    def knows(self, surface: str) -> bool:
        """Whether the notes use ``surface`` as a word (NFKC casefolded)."""
        return bool(self._forms.get(_fold(surface)))

    def alternatives(self, surface: str, limit: int = 5) -> list[tuple[str, float]]:
        """The notes' words that sound like `surface` but are spelled differently.

        Returns (word, quality), best first, ties by word: 0.85 for the same loose key (or
        the same exact reading, for short words); 0.6..0.8 for loose keys of 5+ kana whose
        rapidfuzz ratio is >= 85.  A space-containing surface is read as one joined word
        ("ooto sukeeringu" -> オートスケーリング).  Never returns `surface` itself.
        """
        if limit <= 0:
            return []
        readings = surface_readings(surface)
        best: dict[str, float] = {}

        def offer(words: Iterable[str], quality: float) -> None:
            for w in words:
                if best.get(w, -1.0) < quality:
                    best[w] = quality

        loose_ok = not _is_short_latin(surface)
        with self._lock:  # what an update changes, read in one piece
            for reading in readings:
                offer(self._strict.get(reading, ()), EXACT_QUALITY)
                key = _loose_key(reading)
                if not loose_ok or len(key) < MIN_KEY_LEN:
                    continue
                offer(self._loose.get(key, ()), EXACT_QUALITY)
                if len(key) < FUZZY_MIN_KEY_LEN:
                    continue
                for other, score, _ in process.extract(
                    key,
                    self._fuzzy_choices(),
                    scorer=fuzz.ratio,
                    score_cutoff=FUZZY_MIN_RATIO,
                    limit=None,
                ):
                    if other != key:
                        offer(self._loose[other], _fuzzy_quality(score))
        own = _fold(surface)
        ranked = sorted(
            ((w, round(q, 4)) for w, q in best.items() if _fold(w) != own),
            key=lambda wq: (-wq[1], wq[0]),
        )
        return ranked[:limit]

    def alternatives_for_span(
        self, words: Sequence[str], limit: int = 5
    ) -> list[tuple[str, float]]:
        """Alternatives for several query words read as one ("ooto", "sukeeringu")."""
        return self.alternatives(" ".join(words), limit)

    def _fuzzy_choices(self) -> list[str]:
        if self._fuzzy_keys is None:
            self._fuzzy_keys = sorted(k for k in self._loose if len(k) >= FUZZY_MIN_KEY_LEN)
        return self._fuzzy_keys


def _discard(table: dict[str, set[str]], key: str, word: str) -> bool:
    """Take ``word`` out of ``table[key]``; True when that left the key with none."""
    words = table.get(key)
    if words is None:
        return False
    words.discard(word)
    if words:
        return False
    del table[key]
    return True


def episode_texts(episodes: Iterable[Episode]) -> Iterator[str]:
    """The texts of ``episodes`` the reading index reads (title, summary, headings,
    sections, references), one note after another."""
    for e in episodes:
        yield e.raw_title
        yield e.summary
        for s in e.sections:
            yield s.heading
            yield s.text
        for r in e.references:
            yield r.text


def _words_in(text: str) -> tuple[str, ...]:
    """The distinct content words of ``text`` in the order they first come (a word seen
    again changes nothing), interned: a memo holds each word once, however many texts
    use it."""
    tokenize = _analyser().tokenize
    words = dict.fromkeys(w for chunk in _chunks(text) for w in _content_words(tokenize(chunk)))
    return tuple(map(sys.intern, words))


def _text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class ReadingMemo:
    """What one reading-index build can reuse from the last: each text's content words
    (by a hash of the text) and each word's readings, the Sudachi work of a build.
    Kept across restarts by the start-up snapshot; it serves one build at a time.

    A text's words are held as ids into one table of words (4 bytes a word, one bytes
    object a text): a large site's texts name millions of words, a few thousand of
    them distinct."""

    def __init__(self) -> None:
        self._table: list[str] = []  # word id -> word
        self._ids: dict[str, int] = {}  # word -> id
        self._words: dict[bytes, bytes] = {}  # text key -> its word ids, packed
        self._readings: dict[str, tuple[str, ...]] = {}
        self._new_words: dict[bytes, bytes] = {}
        self._new_readings: dict[str, tuple[str, ...]] = {}
        self.worked = 0  # texts and words the last build read with Sudachi

    def __len__(self) -> int:
        return len(self._words)

    def words_of(self, text: str) -> tuple[str, ...]:
        key = _text_key(text)
        packed = self._new_words.get(key)
        if packed is None:
            packed = self._words.get(key)
            if packed is None:
                words = _words_in(text)
                self.worked += 1
                self._new_words[key] = self._pack(words)
                return words
            self._new_words[key] = packed
        ids = array("I")
        ids.frombytes(packed)
        return tuple(map(self._table.__getitem__, ids))

    def _pack(self, words: tuple[str, ...]) -> bytes:
        ids = self._ids
        table = self._table
        out = array("I")
        for word in words:
            found = ids.get(word)
            if found is None:
                found = ids[word] = len(table)
                table.append(word)
            out.append(found)
        return out.tobytes()

    def readings_of(self, word: str) -> tuple[str, ...]:
        found = self._new_readings.get(word)
        if found is None:
            found = self._readings.get(word)
            if found is None:
                found = surface_readings(word)
                self.worked += 1
            self._new_readings[word] = found
        return found

    def settle(self) -> None:
        """Keep only what the build just done used."""
        self._words, self._new_words = self._new_words, {}
        self._readings, self._new_readings = self._new_readings, {}

    def to_state(self) -> dict[str, Any]:
        """Plain data, with the analyser it depends on (``from_state`` refuses another)."""
        return {
            "analyser": analyser_version(),
            "sizes": [array("I").itemsize, sys.byteorder],
            "table": self._table,
            "texts": list(self._words),
            "words": list(self._words.values()),
            "readings": [list(self._readings), list(self._readings.values())],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ReadingMemo:
        """The memo ``to_state`` gave ``state`` for; ``ValueError`` when it was made with
        another Sudachi or dictionary, or does not add up."""
        if state["analyser"] != analyser_version():
            raise ValueError(f"made with {state['analyser']}, not {analyser_version()}")
        if list(state["sizes"]) != [array("I").itemsize, sys.byteorder]:
            raise ValueError("written on another kind of machine")
        memo = cls()
        memo._table = list(map(sys.intern, state["table"]))
        memo._ids = {word: i for i, word in enumerate(memo._table)}
        if len(memo._ids) != len(memo._table):
            raise ValueError("the word table repeats a word")
        memo._words = dict(zip(state["texts"], state["words"], strict=True))
        top = len(memo._table)
        for packed in memo._words.values():  # one text at a time: no copy of them all
            if len(packed) % _ID_SIZE:
                raise ValueError("a text's words are not whole ids")
            if packed and max(memoryview(packed).cast("I")) >= top:
                raise ValueError("a word id outside the table")
        words, readings = state["readings"]
        memo._readings = {sys.intern(w): tuple(r) for w, r in zip(words, readings, strict=True)}
        return memo


@functools.cache
def analyser_version() -> str:
    """SudachiPy's and its dictionary's versions: readings depend on both."""
    parts = []
    for name in ("sudachipy", "sudachidict-core"):
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} ?")
    return ", ".join(parts)


def _fuzzy_quality(score: float) -> float:
    span = (score - FUZZY_MIN_RATIO) / (100.0 - FUZZY_MIN_RATIO)
    return FUZZY_MIN_QUALITY + (FUZZY_MAX_QUALITY - FUZZY_MIN_QUALITY) * min(max(span, 0.0), 1.0)


# --------------------------------------------------------------------------- sound variants

_VOICED = MappingProxyType(
    {
        **{c: (chr(ord(c) + 1),) for c in "カキクケコサシスセソタチツテト"},
        **{c: (chr(ord(c) + 1), chr(ord(c) + 2)) for c in "ハヒフヘホ"},
        "ウ": ("ヴ",),
    }
)
_VOWELS = "アイウエオ"


def _long_vowels(katakana: str) -> str:
    """Romaji writes a long vowel twice ("deetafuroo" -> デエタフロオ); katakana writes ー."""
    out: list[str] = []
    for ch in katakana:
        prev = out[-1] if out else ""
        vowel = _VOWEL_OF.get(prev) if prev else None
        if ch in _VOWELS and vowel is not None and (ch == vowel or (vowel, ch) == ("オ", "ウ")):
            out.append("ー")
        else:
            out.append(ch)
    return "".join(out)


def sound_variants(word: str) -> list[str]:
    """Spellings that ``word`` may stand for when it was typed as it sounds: romaji in
    katakana ("raitoseiru" -> ライトセイル, "deetafuroo" -> データフロー) and a katakana
    word with its missing dakuten put back (テータフロー -> データフロー), fewest changes
    first. The caller keeps those the notes use."""
    text = unicodedata.normalize("NFKC", word).strip()
    out: list[str] = []
    if text.isascii():
        romaji = text.lower()
        if romaji.isalpha() and _ROMAJI.fullmatch(romaji):
            kana = jaconv.hira2kata(jaconv.alphabet2kana(romaji))
            if _KANA.fullmatch(kana):
                out += [_long_vowels(kana), kana]
    elif _KATAKANA_WORD.fullmatch(text):
        spots = [i for i, ch in enumerate(text) if ch in _VOICED]
        for count in range(1, MAX_VOICED + 1):
            for chosen in itertools.combinations(spots, count):
                options = [_VOICED[text[i]] for i in chosen]
                for picked in itertools.product(*options):
                    chars = list(text)
                    for i, ch in zip(chosen, picked, strict=True):
                        chars[i] = ch
                    out.append("".join(chars))
                    if len(out) >= MAX_SOUND_VARIANTS:
                        return _dedupe(out)
    return [v for v in _dedupe(out) if v != text]


def pieces(surface: str) -> list[str]:
    """The words of a compound as the analyser splits it (以降事例 -> 以降, 事例)."""
    text = unicodedata.normalize("NFKC", surface).strip()
    if not text or len(text) > MAX_SURFACE_CHARS:
        return []
    return [m.surface() for m in _analyser().tokenize(text) if m.surface().strip()]
