"""Bad notes cost one warning each, naming the file and the reason; the rest load."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from bot.content import SiteOptions, load_page, load_site
from bot.content import loader as content
from bot.models import LoadResult
from paths import FIXTURES_DIR

BROKEN = FIXTURES_DIR / "content" / "broken"
OPTIONS = SiteOptions()
GOOD = (
    '---\ntitle: "#1 正常"\n---\n<iframe src="https://anchor.fm/s/embed/episodes/ok-e1"></iframe>\n'
)


@pytest.fixture(scope="module")
def broken() -> LoadResult:
    return load_site(BROKEN, OPTIONS)


def _reasons(result: LoadResult) -> dict[str, str]:
    reasons = {w.path: w.reason for w in result.warnings}
    assert len(reasons) == len(result.warnings), "more than one warning for a file"
    return reasons


def test_good_pages_load_next_to_broken_ones(broken: LoadResult) -> None:
    assert sorted((e.path, e.number) for e in broken.episodes) == [
        ("podcast/0001/index.md", 1),
        ("podcast/0007/index.md", 7),
        ("podcast/0008/index.md", 8),
        ("podcast/0009/index.md", 1),
        ("podcast/0010/index.md", 10),
    ]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("podcast/0002/index.md", "broken YAML front matter: line 3"),
        ("podcast/0003/index.md", "broken TOML front matter"),
        ("podcast/0004/index.md", "broken JSON front matter: line 4"),
        ("podcast/0005/index.md", "not UTF-8"),
        ("podcast/0006/index.md", "empty file"),
        ("podcast/0007/index.md", "title is a list, not text; used the file name"),
        ("podcast/0008/index.md", "date '来週の火曜日' is not a date"),
        ("podcast/0009/index.md", "episode number 1 is also used by podcast/0001/index.md"),
        ("podcast/0011/index.md", "never closed"),
        ("podcast/0012/index.md", "front matter is a list, not a mapping"),
    ],
)
def test_each_problem_file_has_one_warning_naming_the_reason(
    broken: LoadResult, path: str, reason: str
) -> None:
    assert reason in _reasons(broken)[path]


def test_warnings_are_sorted_by_path_and_printable(broken: LoadResult) -> None:
    paths = [w.path for w in broken.warnings]
    assert paths == sorted(paths)
    assert str(broken.warnings[0]).startswith("podcast/0002/index.md: ")


def test_only_problem_files_are_warned_about(broken: LoadResult) -> None:
    assert "podcast/0001/index.md" not in _reasons(broken)
    assert "podcast/0010/index.md" not in _reasons(broken)


def test_title_that_is_a_list_falls_back_to_the_folder_name(broken: LoadResult) -> None:
    episode = next(e for e in broken.episodes if e.path == "podcast/0007/index.md")
    assert episode.title == "0007"
    assert episode.number == 7


def test_title_that_is_a_number_is_stringified(broken: LoadResult) -> None:
    episode = next(e for e in broken.episodes if e.path == "podcast/0010/index.md")
    assert episode.raw_title == "42"
    assert episode.number == 10  # a bare number is not "#42": the folder decides


def test_date_that_does_not_parse_leaves_the_field_empty(broken: LoadResult) -> None:
    episode = next(e for e in broken.episodes if e.path == "podcast/0008/index.md")
    assert episode.date is None
    assert episode.publish_date is not None


def test_duplicate_numbers_keep_both_episodes_with_one_warning(broken: LoadResult) -> None:
    assert [e.path for e in broken.episodes if e.number == 1] == [
        "podcast/0001/index.md",
        "podcast/0009/index.md",
    ]
    assert sum("episode number 1 " in w.reason for w in broken.warnings) == 1


def test_load_page_reports_the_same_warning_for_a_broken_note() -> None:
    episode, warnings = load_page(BROKEN, "podcast/0002/index.md", OPTIONS)
    assert episode is None
    assert len(warnings) == 1 and warnings[0].path == "podcast/0002/index.md"


def _site(tmp_path: Path) -> Path:
    (tmp_path / "podcast" / "0001").mkdir(parents=True)
    (tmp_path / "podcast" / "0001" / "index.md").write_text(GOOD, encoding="utf-8")
    return tmp_path


def test_binary_file_is_skipped(tmp_path: Path) -> None:
    site = _site(tmp_path)
    (site / "podcast" / "logo.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = load_site(site, OPTIONS)
    assert [e.path for e in result.episodes] == ["podcast/0001/index.md"]
    assert "binary" in _reasons(result)["podcast/logo.md"]


def test_file_over_the_size_cap_is_skipped(tmp_path: Path) -> None:
    site = _site(tmp_path)
    (site / "podcast" / "huge.md").write_text(GOOD + "あ" * 2000, encoding="utf-8")
    result = load_site(site, SiteOptions(max_bytes=1000))
    assert [e.path for e in result.episodes] == ["podcast/0001/index.md"]
    assert "too large" in _reasons(result)["podcast/huge.md"]


def test_utf8_with_bom_loads(tmp_path: Path) -> None:
    site = _site(tmp_path)
    (site / "podcast" / "bom.md").write_bytes(b"\xef\xbb\xbf" + GOOD.replace("#1", "#2").encode())
    result = load_site(site, OPTIONS)
    assert {e.number for e in result.episodes} == {1, 2}
    assert result.warnings == ()


def test_symlink_loop_file_is_warned_and_skipped(tmp_path: Path) -> None:
    site = _site(tmp_path)
    os.symlink("b.md", site / "podcast" / "a.md")
    os.symlink("a.md", site / "podcast" / "b.md")
    result = load_site(site, OPTIONS)
    assert [e.path for e in result.episodes] == ["podcast/0001/index.md"]
    assert _reasons(result) == {"podcast/a.md": "symlink loop", "podcast/b.md": "symlink loop"}
    assert load_page(site, "podcast/a.md", OPTIONS)[1][0].reason == "symlink loop"


def test_folder_symlink_back_to_an_ancestor_is_walked_once(tmp_path: Path) -> None:
    site = _site(tmp_path)
    os.symlink("..", site / "podcast" / "0001" / "up")
    os.symlink(str(site / "podcast" / "0001"), site / "podcast" / "0002")
    result = load_site(site, OPTIONS)
    # 0001 is a leaf bundle, so its "up" link is a resource; 0002 is a valid alias
    assert [e.path for e in result.episodes] == ["podcast/0001/index.md", "podcast/0002/index.md"]
    os.symlink("..", site / "podcast" / "loop")
    looped = load_site(site, OPTIONS)
    assert "symlink loop" in _reasons(looped)["podcast/loop"]


def test_dangling_symlink_is_warned_and_skipped(tmp_path: Path) -> None:
    site = _site(tmp_path)
    os.symlink("gone.md", site / "podcast" / "dangling.md")
    result = load_site(site, OPTIONS)
    assert _reasons(result) == {"podcast/dangling.md": "dangling symlink"}
    assert load_page(site, "podcast/dangling.md", OPTIONS) == (
        None,
        [result.warnings[0]],
    )


def test_symlinked_content_folder_loads(tmp_path: Path) -> None:
    site = _site(tmp_path / "real")
    os.symlink(site, tmp_path / "link")
    assert len(load_site(tmp_path / "link", OPTIONS).episodes) == 1


def test_random_garbage_never_raises(tmp_path: Path) -> None:
    site = _site(tmp_path)
    rng = random.Random(7)
    pieces = [
        "---\n",
        "+++\n",
        "{",
        "}",
        "title: ",
        "#",
        "[a](",
        ")",
        "<iframe src=",
        "\x00",
        "日本語",
        "\n",
        "{{< ",
        " >}}",
        "<a href='",
        "'>",
        "\ufeff",
        "- ",
        "***",
        "`",
    ]
    for i in range(60):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        (site / "podcast" / f"g{i:02d}.md").write_bytes(text.encode("utf-8", "replace"))
    (site / "podcast" / "latin.md").write_bytes(bytes(range(1, 256)))
    result = load_site(site, OPTIONS)
    assert result.pages_seen == 62
    assert any(e.path == "podcast/0001/index.md" for e in result.episodes)
    assert len({w.path for w in result.warnings}) == len(result.warnings)


def test_a_note_that_crashes_the_markdown_parser_costs_a_warning(tmp_path: Path) -> None:
    site = _site(tmp_path)
    (site / "podcast" / "0002").mkdir()
    note = site / "podcast" / "0002" / "index.md"
    note.write_text('---\ntitle: "#2 記法の誤り"\n---\n本文 [`閉じない\n', encoding="utf-8")
    result = load_site(site, OPTIONS)
    episode = next(e for e in result.episodes if e.number == 2)
    assert [(s.heading, s.text) for s in episode.sections] == [("", "")]
    assert "the Markdown parser failed" in _reasons(result)["podcast/0002/index.md"]
    assert load_page(site, "podcast/0002/index.md", OPTIONS)[1] == list(result.warnings)


def test_html_that_python_cannot_parse_stays_text(tmp_path: Path) -> None:
    site = _site(tmp_path)
    (site / "podcast" / "0002").mkdir()
    (site / "podcast" / "0002" / "index.md").write_text(
        '---\ntitle: "#2 x"\nsummary: "A <![img B"\n---\n<div>\n<![img C\n</div>\n',
        encoding="utf-8",
    )
    result = load_site(site, OPTIONS)
    episode = next(e for e in result.episodes if e.number == 2)
    assert episode.summary == "A <![img B"
    assert episode.sections[0].text == "<![img C"
    assert result.warnings == ()


def test_symlinks_out_of_the_content_folder_are_never_read(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    secret = tmp_path / "secret.md"
    secret.write_text(GOOD.replace("#1", "#9"), encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "index.md").write_text(GOOD.replace("#1", "#8"), encoding="utf-8")
    (site / "podcast" / "0009").mkdir()
    os.symlink(secret, site / "podcast" / "0009" / "index.md")
    os.symlink(tmp_path / "elsewhere", site / "podcast" / "0008")
    result = load_site(site, OPTIONS)
    assert [e.number for e in result.episodes] == [1]
    outside = "symlink points outside the content folder"
    assert _reasons(result) == {"podcast/0008": outside, "podcast/0009/index.md": outside}
    assert load_page(site, "podcast/0009/index.md", OPTIONS)[0] is None
    assert load_page(site, "podcast/0008/index.md", OPTIONS)[0] is None


@pytest.mark.parametrize(
    ("front", "reason"),
    [
        ("date: 2021-02-30", "broken YAML front matter"),  # PyYAML raises ValueError
        ("date: 2020-13-45T10:00:00+09:00", "broken YAML front matter"),
    ],
)
def test_impossible_dates_cost_only_their_note(tmp_path: Path, front: str, reason: str) -> None:
    site = _site(tmp_path)
    (site / "podcast" / "0002").mkdir()
    note = f'---\ntitle: "#2 x"\n{front}\n---\n\n<iframe src="https://anchor.fm/s/embed/episodes/x-a1"></iframe>\n'
    (site / "podcast" / "0002" / "index.md").write_text(note, encoding="utf-8")
    result = load_site(site, OPTIONS)
    assert [e.number for e in result.episodes] == [1]
    assert reason in _reasons(result)["podcast/0002/index.md"]


def test_a_date_out_of_range_is_left_out_with_a_warning(tmp_path: Path) -> None:
    site = _site(tmp_path)
    (site / "podcast" / "0002").mkdir()
    note = '---\ntitle: "#2 x"\ndate: 9999-12-31T23:00:00-09:00\n---\n'  # overflows UTC
    (site / "podcast" / "0002" / "index.md").write_text(note, encoding="utf-8")
    episode, warnings = load_page(site, "podcast/0002/index.md", OPTIONS)
    assert episode is not None and episode.date is None
    assert "is not a date" in warnings[0].reason


def test_hugo_zero_date_means_no_date(tmp_path: Path) -> None:
    site = _site(tmp_path)
    (site / "podcast" / "0002").mkdir()
    note = '---\ntitle: "#2 x"\ndate: 0001-01-01T00:00:00+09:00\npublishDate: 0001-01-01\n---\n'
    (site / "podcast" / "0002" / "index.md").write_text(note, encoding="utf-8")
    episode, warnings = load_page(site, "podcast/0002/index.md", OPTIONS)
    assert episode is not None and warnings == []
    assert episode.date is None and episode.publish_date is None


def test_a_number_like_character_is_not_an_episode_number(tmp_path: Path) -> None:
    site = _site(tmp_path)
    (site / "post").mkdir()
    note = (
        '---\ntitle: "special"\nepisode: "²"\npodcast_url: https://anchor.fm/s/episodes/y-b2\n---\n'
    )
    (site / "post" / "special.md").write_text(note, encoding="utf-8")
    result = load_site(site, OPTIONS)
    special = next(e for e in result.episodes if e.path == "post/special.md")
    assert special.number is None
    assert "is not an episode number" in _reasons(result)["post/special.md"]


def test_absurdly_deep_nesting_costs_only_its_note(tmp_path: Path) -> None:
    site = _site(tmp_path)
    (site / "podcast" / "0002").mkdir()
    deep = "> " * 20000 + "x\n\n" + "- " * 20000 + "y\n"
    (site / "podcast" / "0002" / "index.md").write_text(GOOD.replace("#1", "#2") + deep)
    result = load_site(site, OPTIONS)
    assert 1 in [e.number for e in result.episodes]


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    read: list[str] = []
    real_read_page = content.read_page

    def counting(rel: str, *args: object, **kwargs: object) -> object:
        read.append(rel)
        return real_read_page(rel, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(content, "read_page", counting)
    return read


def _gear_post(site: Path) -> None:
    (site / "post").mkdir()
    post = '---\ntitle: "gear"\n---\n<iframe src="https://anchor.fm/s/embed/episodes/ok-e1"></iframe>\n'
    (site / "post" / "gear.md").write_text(post, encoding="utf-8")


def test_load_page_of_a_blog_post_rereads_only_changed_section_notes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path)
    _gear_post(site)
    read = _count_reads(monkeypatch)
    episode, _ = load_page(site, "post/gear.md", OPTIONS)
    assert episode is None, "it only shows #1, an existing episode"
    assert read == ["post/gear.md", "podcast/0001/index.md"]
    load_page(site, "post/gear.md", OPTIONS)
    assert read[2:] == ["post/gear.md"], "unchanged section notes are not read again"
    (site / "podcast" / "0001" / "index.md").write_text(GOOD.replace("ok-e1", "new-e2"))
    episode, _ = load_page(site, "post/gear.md", OPTIONS)
    assert episode is not None, "#1 changed its player, so the post's player is its own"
    assert read[3:] == ["post/gear.md", "podcast/0001/index.md"]


def test_load_page_takes_the_section_players_a_caller_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path)
    _gear_post(site)
    read = _count_reads(monkeypatch)
    held = ["https://anchor.fm/s/episodes/ok-e1/"]
    assert load_page(site, "post/gear.md", OPTIONS, section_players=lambda: held)[0] is None
    episode, _ = load_page(site, "post/gear.md", OPTIONS, section_players=lambda: [])
    assert episode is not None
    assert read == ["post/gear.md", "post/gear.md"], "the sections were never read"


@pytest.mark.parametrize("nesting", ["> " * 5000, "- " * 5000], ids=["quotes", "lists"])
def test_a_deeply_nested_note_keeps_what_can_be_read_and_warns(tmp_path: Path, nesting) -> None:
    note = tmp_path / "podcast" / "0007" / "index.md"
    note.parent.mkdir(parents=True)
    note.write_text(
        '---\ntitle: "#7 深い回"\nsummary: "入れ子の多い回"\ndate: 2024-01-01\n---\n'
        "# 話したこと\n\n[Kubeflow](https://www.kubeflow.org/) の話。\n\n"
        f"{nesting}深い\n\n## あとがき\n\nおわり\n",
        encoding="utf-8",
    )
    result = load_site(tmp_path, OPTIONS)
    (episode,) = result.episodes
    assert (episode.number, episode.title, episode.summary) == (7, "深い回", "入れ子の多い回")
    assert [s.heading for s in episode.sections if s.heading] == ["話したこと", "あとがき"]
    assert [r.url for r in episode.references][:1] == ["https://www.kubeflow.org/"]
    (warning,) = result.warnings
    assert warning.path == "podcast/0007/index.md" and "nested too deeply" in warning.reason
