"""Who spoke: 森田が話した回, 森田担当の回, episodes where Ken talked, for the names given."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from bot.search.understand.scan import REMOVED, Outcome, Scan, compile_ci, is_ascii_alnum

# --------------------------------------------------------------------------- speakers

_HONORIFIC = r"(?:\s*(?:さん|くん|君|氏|様|さま|ちゃん|先生)|[\s\-]?(?:san|kun)(?![A-Za-z]))?"
_JA_TALKED = (
    r"(?:話した|話してた|話していた|話してる|話している|喋った|しゃべった|語った|出た|出てた"
    r"|出てる|出ている|出演した|出演してる|出演している|登場した|担当した|収録した|録った)"
)
_JA_TALKED_ABOUT = r"(?:話した|話してた|話していた|話してる|話している|喋った|しゃべった|語った)"
_JA_EPISODE = r"(?:回|エピソード|配信|やつ|話)"
_EN_EPISODES = r"(?:episodes?|eps?|shows?|ones?|talks?)"
_EN_TALKED = (
    r"(?:talked|talks|spoke|speaks|appeared|appears|was\s+on|is\s+on|was\s+a\s+guest"
    r"|hosted|hosts|discussed|discusses|was\s+talking|was\s+speaking)"
)


# "二人で話した回", "小杉が一人で…": how many spoke, never a name and never the topic
_HEADCOUNT = compile_ci(
    r"(?<![\u3400-\u9fff])(?:(?:[一二三四五六七八九十]|[0-9]{1,2})\s*人|ひとり|ふたり)"
    r"(?:きり|だけ)?\s*(?:で|が|とも)"
)
# one of them: the speaker alone ("小杉が一人で話した回", "ソロ回")
_ONE = re.compile(r"(?:一|1)\s*人|ひとり")  # not the "1" of "12人"
_SOLO = compile_ci(r"(?<![\u3400-\u9fff\u30a0-\u30ff])(?:ソロ|単独)(?:で|の|(?=回))")
# "episodes Hayakawa hosted alone", "solo episodes by Kato": only with a speaker named
_EN_ALONE = compile_ci(
    r"(?<![A-Za-z])(?:alone|solo|on\s+(?:his|her|their)\s+own"
    r"|by\s+(?:himself|herself|themselves|themself))(?![A-Za-z])"
)
_TALKED_PHRASE = compile_ci(rf"\s*{_JA_TALKED}\s*{_JA_EPISODE}?")


def _name_key(name: str) -> str:
    """Case- and space-insensitive: "山田 太郎" == "山田太郎", "Ken" == "KEN"."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def _name_pattern(name: str) -> str:
    escaped = r"\s*".join(re.escape(part) for part in name.split())
    before = r"(?<![A-Za-z0-9])" if is_ascii_alnum(name[0]) else ""
    after = r"(?![A-Za-z0-9])" if is_ascii_alnum(name[-1]) else ""
    return before + escaped + after


def _speaker_patterns(names: Sequence[str]) -> list[tuple[re.Pattern[str], bool]]:
    """Compiled per call (the names are a parameter); ``True`` marks the topic-gap pattern."""
    alternation = "|".join(_name_pattern(n) for n in sorted(names, key=len, reverse=True))
    who = rf"(?P<name>{alternation}){_HONORIFIC}"
    noun = rf"(?:\b{_EN_EPISODES}\s+)?"
    return [
        # "森田が[一人で]収録した回": a headcount masked before the verb
        (compile_ci(rf"{who}\s*(?:が|の)\s*{REMOVED}*\s*{_JA_TALKED}\s*{_JA_EPISODE}?"), False),
        (
            compile_ci(
                rf"{who}\s*が\s*(?P<gap>.{{1,40}}?)\s*(?:(?:について|の話を|のことを|を)?\s*"
                rf"{_JA_TALKED_ABOUT}|の話を?\s*(?:した|してた|していた|してる|している))"
                rf"\s*{_JA_EPISODE}?"
            ),
            True,
        ),
        (
            compile_ci(
                rf"{who}\s*(?:が)?\s*(?:担当|出演|ゲスト|ホスト|パーソナリティ)\s*"
                rf"(?:の|で|した)?\s*{_JA_EPISODE}?"
            ),
            False,
        ),
        (compile_ci(rf"{who}\s*の\s*{_JA_EPISODE}"), False),
        (compile_ci(rf"{who}\s*(?:の|['\u2019]s)\s*(?={REMOVED})"), False),
        (compile_ci(rf"{noun}\b(?:where|in\s+which|when)\s+{who}\s+{_EN_TALKED}\b"), False),
        (
            compile_ci(rf"{noun}\b(?:with|featuring|feat\.|by|hosted\s+by)\s+{who}(?![A-Za-z0-9])"),
            False,
        ),
        (compile_ci(rf"{who}['\u2019]s\s+{_EN_EPISODES}\b"), False),
    ]


def _mask_headcount(scan: Scan) -> list[int]:
    """Mask "二人で", "一人で", "3人が"; where each ended."""
    ends: list[int] = []

    def counted(match: re.Match[str]) -> Outcome:
        ends.append(match.end())
        if _ONE.match(match.group()):
            scan.alone = True
        return [match.span()]

    def solo(match: re.Match[str]) -> Outcome:
        ends.append(match.end())
        scan.alone = True
        return [match.span()]

    scan.run(_HEADCOUNT, counted)
    scan.run(_SOLO, solo)
    return ends


def _mask_talked_after(scan: Scan, ends: Sequence[int]) -> None:
    """The "話した回" right after a headcount, unless a speaker phrase took it
    ("小杉が一人で話した回")."""
    for end in ends:
        talked = _TALKED_PHRASE.match(scan.work, end)
        if talked is not None and talked.end() > end:
            scan.mask([(end, talked.end())])


def extract_speakers(scan: Scan, speakers: Sequence[str]) -> None:
    headcounts = _mask_headcount(scan)
    _who_spoke(scan, speakers)
    _mask_talked_after(scan, headcounts)
    if scan.speaker is not None:

        def alone(match: re.Match[str]) -> Outcome:
            scan.alone = True
            return [match.span()]

        scan.run(_EN_ALONE, alone)


def _who_spoke(scan: Scan, speakers: Sequence[str]) -> None:
    canonical: dict[str, str] = {}
    for name in speakers:
        key = _name_key(name)
        if key and key not in canonical:
            canonical[key] = name.strip()
    if not canonical:
        return
    normalised = [unicodedata.normalize("NFKC", n).strip() for n in canonical.values()]
    for pattern, has_gap in _speaker_patterns(normalised):

        def handler(match: re.Match[str], has_gap: bool = has_gap) -> Outcome:
            name = canonical.get(_name_key(match["name"]))
            if name is None:
                return "ignore"
            scan.set_speaker(match.start(), name)
            if has_gap:
                return [(match.start(), match.start("gap")), (match.end("gap"), match.end())]
            return [match.span()]

        scan.run(pattern, handler)
