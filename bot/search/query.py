"""What a listener typed -> episode number and the words that should drive ranking.

Whole questions are common (``Kubeflowについて話した回はどれ？``, ``which episode talks
about AutoML?``): particles, question words and filler are dropped here so they never
drive the ranking. Japanese is split at hiragana (particles, verb endings) when the
query has other content; a query written only in hiragana (``きゅーぶふろー``) is kept
whole and folded to katakana.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.search.textnorm import JA_RUN, LATIN_SPAN, LATIN_WORD, fold_kana, ja_terms, nfkc_lower

MAX_QUERY_CHARS = 200  # the default of ``Settings.max_query_chars``
MAX_UNITS = 12


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


EN_STOPWORDS = _words(
    """a about all an and any anything are as at be been can could covered covers cover
    did discuss discussed discusses discussing do does each ep episode episodes ever every find
    for from had has have how i in is it its me problem problems thing things topic
    topics mention mentioned mentions of on one or our please podcast said say show
    talk talked talking talks tell that the there this to want was we were what when
    where which who with you your think thought explain explains explained describe
    describes described compare compared comparing know knew like liked mean means
    look looking need opinion opinions hear heard listen listened learn learned some
    something more much many very really also just regarding told anyone would will
    should may might am being get got give go went make made see saw seen use used
    using cut reduce improve fix if so but than then into over out up"""
)
# Whole chunks (after splitting at hiragana) that are question words or filler.
JA_STOP_CHUNKS = _words(
    """回 話 何 何回 何回目 回目 第何回 話題 教 聞 探 言 作 知 番組 内容 件 時
    事 方法 エピソード ポッドキャスト 放送 配信 どれ どこ どの 質問 関連
    について 最近 前 今 昔"""
)
_NUMBER_ONLY = re.compile(
    r"^(?:#|no\.?|ep\.?|episode|エピソード|第)?\s*(\d{1,6})\s*(?:回目|回|話|話目)?"
    r"(?:の?(?:回|話|エピソード))?\s*[?？!！。.]*$"
)
_NUMBER_MARKED = re.compile(
    r"#\s*(\d{1,6})|第\s*(\d{1,6})\s*(?:回|話)|(\d{1,6})\s*(?:回目|話目)"
    r"|\b(?:ep\.?|episode|no\.)\s*(\d{1,6})|エピソード\s*(\d{1,6})"
)
# Verbs of asking and telling: the stem and its kana ending carry no topic.
JA_STOP_VERBS = frozenset("聞話探教知言見読調載扱触出")  # 出てきた回, 出た回: it appeared
# Hiragana that separate content words: particles and common verb/auxiliary endings.
# Other short hiragana (okurigana: 振り返り, 握り方) stay with their word.
JA_PARTICLES = _words(
    """の は が を に で と へ や も か ね よ な る た て だ って とか など
    から まで より だけ ため こと もの よう した して する ある いる です
    ます った たい れる られ どれ どこ どの なに なん"""
)
_KATAKANA_CHUNK = re.compile("[\u30a1-\u30fa\u30fc\u30fb\u31f0-\u31ff]+")
_HIRAGANA = re.compile("[\u3041-\u309f]+")
_QUESTION = re.compile(
    r"[?？]\s*$|\b(?:which|what|where|when|how|did|does|do|is|are|any|tell)\b"
    r"|どれ|どこ|どの|何|教えて|ですか|だっけ|探し|について|話(?:した|して|を|は)"
)
_SCRIPT_RUN = re.compile(
    "[\u30a1-\u30fa\u30fc\u31f0-\u31ff]+|[^\u30a1-\u30fa\u30fc\u31f0-\u31ff ]+"
)
_VERB = re.compile("[\u3400-\u9fff\u3005][\u3041-\u309f]+")


@dataclass(frozen=True, slots=True)
class LatinGroup:
    """Query words written together: ``auto-ml`` -> ("auto", "ml")."""

    parts: tuple[str, ...]
    after_space: bool = False  # only spaces between this group and the one before it

    @property
    def word(self) -> str:
        return "".join(self.parts)


@dataclass(frozen=True, slots=True)
class JaChunk:
    """A Japanese chunk, folded: its bigrams, and its katakana (for romanised matching)."""

    text: str  # folded (katakana, no long-vowel marks)
    terms: tuple[str, ...]
    kana_parts: tuple[str, ...]  # folded katakana, when the chunk is mostly katakana
    soft: bool = False  # a verb or adjective (one kanji and its kana ending): weighs less
    raw: str = ""  # as typed (NFKC, lower case), for word-frequency look-ups


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    text: str  # the query as used (cut to ``max_chars``)
    number: int | None  # an episode number asked for
    number_only: bool  # nothing else in the query
    latin: tuple[LatinGroup, ...]
    ja: tuple[JaChunk, ...]
    question: bool = False  # asked as a question: its extra words describe the topic loosely

    @property
    def empty(self) -> bool:
        return self.number is None and not self.latin and not self.ja


def parse_query(
    query: str, *, numbers: bool = True, max_chars: int = MAX_QUERY_CHARS
) -> ParsedQuery:
    """The query's episode number (unless ``numbers`` is False) and ranking words, from
    its first ``max_chars`` characters."""
    text = (query or "")[:max_chars]
    norm = nfkc_lower(text).strip()
    number, number_only, rest = _number(norm) if numbers else (None, False, norm)
    latin = _latin_groups(rest)
    ja = _ja_chunks(rest, has_other=bool(latin))
    if number is not None and not latin and not ja:
        number_only = True
    units = len(latin) + len(ja)
    if units > MAX_UNITS:  # a pasted paragraph: keep the first units only
        latin = latin[:MAX_UNITS]
        ja = ja[: max(0, MAX_UNITS - len(latin))]
    question = _QUESTION.search(norm) is not None
    if len(latin) + len(ja) > 1:  # one kanji on its own (書, 出) says little next to others
        ja = [replace(c, soft=True) if len(c.text) == 1 else c for c in ja]
    return ParsedQuery(text, number, number_only, tuple(latin), tuple(ja), question)


def parse_number(text: str) -> int | None:
    """The episode number asked for in ``16``, ``#16``, ``第16回``, ``ep.16``..., or None."""
    number, _, _ = _number(nfkc_lower(text).strip())
    return number


def _number(norm: str) -> tuple[int | None, bool, str]:
    match = _NUMBER_ONLY.match(norm)
    if match:
        return int(match.group(1)), True, ""
    match = _NUMBER_MARKED.search(norm)
    if match:
        digits = next(g for g in match.groups() if g)
        return int(digits), False, norm[: match.start()] + " " + norm[match.end() :]
    return None, False, norm


def _latin_groups(norm: str) -> list[LatinGroup]:
    groups: list[LatinGroup] = []
    prev_end: int | None = None
    for match in LATIN_SPAN.finditer(norm):
        parts = tuple(LATIN_WORD.findall(match.group()))
        after_space = prev_end is not None and norm[prev_end : match.start()].isspace()
        prev_end = match.end()
        if len(parts) > 3:  # a URL or a path: its words, each on its own
            groups.extend(LatinGroup((w,)) for w in parts if w not in EN_STOPWORDS)
            prev_end = None
            continue
        word = "".join(parts)
        if (len(parts) == 1 and word in EN_STOPWORDS) or (len(word) < 2 and not word.isdigit()):
            prev_end = None
            continue
        groups.append(LatinGroup(parts, after_space))
    return groups


def _ja_chunks(norm: str, has_other: bool) -> list[JaChunk]:
    runs = JA_RUN.findall(norm)
    if not runs:
        return []
    only_hiragana = all(
        _HIRAGANA.fullmatch(r.replace("ー", "").replace("・", "") or "x") for r in runs
    )
    pieces: list[str] = []
    for run in runs:
        if only_hiragana and not has_other:
            pieces.append(run)
        else:
            pieces.extend(_split_at_particles(run))
    chunks: list[JaChunk] = []
    for piece in pieces:
        # a loanword next to a kanji compound is two words: コールドスタート|対策
        parts = [piece] if only_hiragana else _SCRIPT_RUN.findall(piece.replace("・", " "))
        for part in parts:
            chunk = _chunk(part.strip())
            if chunk is not None:
                chunks.append(chunk)
    return chunks


def _split_at_particles(run: str) -> list[str]:
    pieces: list[str] = []
    current = ""
    segments = re.findall("[\u3041-\u309f]+|[^\u3041-\u309f]+", run)
    for at, segment in enumerate(segments):
        is_kana = "\u3041" <= segment[0] <= "\u309f"
        if is_kana and (segment in JA_PARTICLES or len(segment) >= 3 or not current):
            if current:
                pieces.append(current)
            current = ""
        elif is_kana and len(segment) == 2 and at + 1 < len(segments):
            # two hiragana between words end the first as the index reads the notes
            # (``JA_CONTENT_RUN``): its okurigana stays, the particle goes (製造業向けの
            # 異常検知 -> 製造業向け, 異常検知), or no phrase of the notes could match it
            pieces.append(current + segment[0])
            current = ""
        else:
            current += segment
    if current:
        pieces.append(current)
    return pieces


# "…の回全部", "出てきた話すべて": the episode noun and a word for "all of them" run
# together into a chunk no note holds; the noun goes, the listing word stays a word
_EPISODE_AND_ALL = re.compile("^(?:回|話)(全部|ぜんぶ|すべて|全て|一覧)$")


def _chunk(piece: str) -> JaChunk | None:
    if (listing := _EPISODE_AND_ALL.match(piece)) is not None:
        piece = listing.group(1)
    if not piece or piece in JA_STOP_CHUNKS:
        return None
    if piece[0] in JA_STOP_VERBS and _HIRAGANA.fullmatch(piece[1:] or "ぁ"):
        return None  # 聞ける, 教えて, 話して
    folded = fold_kana(piece)
    if not folded or folded in _FOLDED_STOPS:
        return None
    terms = tuple(ja_terms([piece]))
    if not terms:
        return None
    kana: tuple[str, ...] = ()
    katakana = _KATAKANA_CHUNK.findall(folded)
    if katakana and sum(map(len, katakana)) >= 0.8 * len(folded) and len(folded) >= 2:
        kana = (folded,)
    return JaChunk(folded, terms, kana, soft=_VERB.fullmatch(piece) is not None, raw=piece)


_FOLDED_STOPS = frozenset(fold_kana(w) for w in JA_STOP_CHUNKS)
