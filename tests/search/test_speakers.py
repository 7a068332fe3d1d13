"""Who speaks on the show, read from the notes (bot/search/speakers.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.models import Episode, Section
from bot.search.speakers import Speakers, speakers_of

JST = timezone(timedelta(hours=9))


def note(number: int, summary: str, heading: str = "話したこと") -> Episode:
    return Episode(
        path=f"podcast/{number:04d}/index.md",
        raw_title=f"#{number} 回",
        title="回",
        number=number,
        category=None,
        summary=summary,
        date=datetime(2020, 1, number, 21, tzinfo=JST),
        publish_date=None,
        page_url=None,
        sections=(Section(heading, 2, (heading,), "本文", "talk"),),
    )


def test_names_that_speak_in_two_episodes_are_speakers():
    notes = [note(1, "加藤がSQSについて話したよ。"), note(2, "加藤がCDKについて話したよ。")]
    assert speakers_of(notes) == ("加藤",)


def test_a_headcount_that_speaks_is_no_speaker():
    notes = [
        note(1, "二人がre:Inventについて話したよ。"),
        note(2, "二人がメインで話したよ。"),
        note(3, "小杉が話したよ。", heading="ニュース（三人担当）"),
        note(4, "小杉がAutoMLについて話したよ。", heading="ニュース（三人担当）"),
    ]
    assert speakers_of(notes) == ("小杉",)


def test_the_tally_kept_note_by_note_gives_what_reading_every_note_gives():
    notes = [
        note(1, "加藤がSQSについて話したよ。"),
        note(2, "加藤がCDKについて話したよ。"),
        note(3, "小杉が話したよ。"),
        note(4, "小杉がAutoMLについて話したよ。"),
        note(5, "小杉がGKEについて話したよ。"),
    ]
    tally = Speakers()
    for episode in notes:
        tally.add(episode)
    assert tally.names() == speakers_of(notes) == ("小杉", "加藤")
    tally.remove(notes[0])
    assert tally.names() == speakers_of(notes[1:]) == ("小杉",)
    tally.add(note(6, "加藤がEKSについて話したよ。"))
    assert tally.names() == speakers_of([*notes[1:], note(6, "加藤が話したよ。")])


def test_an_edit_that_names_the_same_speakers_keeps_the_names_as_they_were():
    notes = [note(1, "加藤がSQSについて話したよ。"), note(2, "加藤がCDKについて話したよ。")]
    tally = Speakers()
    for episode in notes:
        tally.add(episode)
    names = tally.names()
    edited = note(2, "加藤がCDKについて話したよ。追記あり。")
    tally.replace(notes[1], edited)
    assert tally.names() is names, "no count changed: not worked out again"
    tally.replace(edited, note(2, "小杉がCDKについて話したよ。"))
    assert tally.names() == speakers_of([notes[0], note(2, "小杉が話したよ。")]) == ()
