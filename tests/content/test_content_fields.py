"""Episode fields: number and title, players, page URLs, dates, summary, lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.content import SiteOptions, load_page, load_site, split_title
from bot.content.hugo import heading_anchor, page_url, parse_date
from bot.content.players import from_embed, from_link
from bot.models import Episode
from paths import FIXTURES_DIR

SITE = FIXTURES_DIR / "content" / "site"
OPTIONS = SiteOptions(base_url="https://example.com/show/")
JST = ZoneInfo("Asia/Tokyo")


@pytest.fixture(scope="module")
def episodes() -> dict[str, Episode]:
    return {e.path: e for e in load_site(SITE, OPTIONS).episodes}


# -- number and title ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "number", "title"),
    [
        ("#16 【GCP？】Kubeflow超概要", 16, "【GCP？】Kubeflow超概要"),
        ("#16. Kubeflow", 16, "Kubeflow"),
        ("＃16 全角", 16, "全角"),
        ("第16回 Kubeflow", 16, "Kubeflow"),
        ("第 16 回：Kubeflow", 16, "Kubeflow"),
        ("ep16 Kubeflow", 16, "Kubeflow"),
        ("EP.16 Kubeflow", 16, "Kubeflow"),
        ("Ep 16: Kubeflow", 16, "Kubeflow"),
        ("Episode 16 - Kubeflow", 16, "Kubeflow"),
        ("episode16｜Kubeflow", 16, "Kubeflow"),
        ("#16【AWS】CDK", 16, "【AWS】CDK"),
        ("Kubeflow #16", None, "Kubeflow #16"),
        ("#16th anniversary", None, "#16th anniversary"),
        ("epic talk", None, "epic talk"),
        ("ぼくがpodcastを聴く理由", None, "ぼくがpodcastを聴く理由"),
    ],
)
def test_title_number_forms(raw: str, number: int | None, title: str) -> None:
    assert split_title(raw) == (number, title)


def test_episode_title_drops_number_and_keeps_category(episodes: dict[str, Episode]) -> None:
    first = episodes["podcast/0001/index.md"]
    assert (first.number, first.title, first.category) == (1, "【AWS】S3のストレージクラス", "AWS")
    assert first.raw_title == "#1 【AWS】S3のストレージクラス"
    assert first.label == "#1 【AWS】S3のストレージクラス"


def test_number_forms_in_fixture_titles(episodes: dict[str, Episode]) -> None:
    numbers = {path: e.number for path, e in episodes.items()}
    assert numbers["podcast/0002/index.md"] == 2  # 第2回
    assert numbers["podcast/0003/index.md"] == 3  # ep3:
    assert numbers["podcast/0004/index.md"] == 4  # EP.4
    assert numbers["podcast/0005/index.md"] == 5  # Episode 5 -
    assert numbers["podcast/0010/index.md"] == 10  # #10.
    assert numbers["podcast/0012/index.md"] == 12  # ＃12


def test_title_number_wins_over_bundle_folder(episodes: dict[str, Episode]) -> None:
    assert episodes["podcast/0034/index.md"].number == 35


def test_front_matter_episode_number_wins_over_folder(episodes: dict[str, Episode]) -> None:
    assert episodes["podcast/0007/index.md"].number == 70


def test_bundle_folder_gives_the_number_when_title_has_none(episodes: dict[str, Episode]) -> None:
    assert episodes["podcast/0006/index.md"].number == 6
    assert episodes["podcast/0006/index.md"].title == "音声ファイルだけの回"


def test_specials_outside_podcast_sections_have_no_number(episodes: dict[str, Episode]) -> None:
    assert episodes["post/advent.md"].number is None
    assert episodes["talk/hello.md"].number is None


def test_no_category_without_lenticular_brackets(episodes: dict[str, Episode]) -> None:
    assert episodes["podcast/0003/index.md"].category is None


# -- players -------------------------------------------------------------------


def test_anchor_embed_maps_to_the_episode_page(episodes: dict[str, Episode]) -> None:
    first = episodes["podcast/0001/index.md"]
    assert first.player_url == "https://anchor.fm/testshow/episodes/AWSS3-e1aaa1"
    assert first.embed_url == "https://anchor.fm/testshow/embed/episodes/AWSS3-e1aaa1"


@pytest.mark.parametrize(
    ("path", "player", "embed_start"),
    [
        (
            "podcast/0003/index.md",
            "https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk",
            "https://open.spotify.com/embed/episode/",
        ),
        (
            "podcast/0004/index.md",
            "https://podcasts.apple.com/jp/podcast/test-show/id1500000000?i=1000500000000",
            "https://embed.podcasts.apple.com/",
        ),
        (
            "podcast/0005/index.md",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube.com/embed/",
        ),
        (
            "podcast/0006/index.md",
            "https://media.example.com/episode6.mp3",
            "https://media.example.com/episode6.mp3",
        ),
        (
            "podcast/0011/index.md",
            "https://podcasters.spotify.com/pod/show/testshow/episodes/frontmatter-e1fff1",
            "https://podcasters.spotify.com/pod/show/testshow/embed/",
        ),
        (
            "podcast/0012/index.md",
            "https://podcasters.spotify.com/pod/show/testshow/episodes/twelve-e1ggg2",
            "https://podcasters.spotify.com/pod/show/testshow/embed/",
        ),
    ],
)
def test_every_player_kind(
    episodes: dict[str, Episode], path: str, player: str, embed_start: str
) -> None:
    episode = episodes[path]
    assert episode.player_url == player
    assert episode.embed_url is not None and episode.embed_url.startswith(embed_start)


def test_youtube_shortcode_is_a_player() -> None:
    player = from_embed("https://www.youtube-nocookie.com/embed/abcDEF12345?start=3")
    assert player is not None and player.player_url.endswith("watch?v=abcDEF12345")


def test_front_matter_page_link_is_kept_as_player() -> None:
    player = from_link("https://anchor.fm/testshow/episodes/direct-e1")
    assert player is not None
    assert (player.player_url, player.embed_url) == (
        "https://anchor.fm/testshow/episodes/direct-e1",
        None,
    )


def test_iframe_that_is_not_a_player_does_not_make_an_episode(tmp_path: Path) -> None:
    (tmp_path / "post").mkdir()
    (tmp_path / "post" / "map.md").write_text(
        '---\ntitle: 地図\n---\n<iframe src="https://www.google.com/maps/embed?pb=1"></iframe>\n',
        encoding="utf-8",
    )
    assert load_site(tmp_path, OPTIONS).episodes == ()


def test_audio_tag_src_and_audio_shortcode_are_players(tmp_path: Path) -> None:
    (tmp_path / "post").mkdir()
    (tmp_path / "post" / "a.md").write_text(
        '---\ntitle: a\n---\n<audio src="https://cdn.example.com/a.mp3" controls></audio>\n',
        encoding="utf-8",
    )
    (tmp_path / "post" / "b.md").write_text(
        '---\ntitle: b\n---\n\n{{< audio src="b.mp3" >}}\n', encoding="utf-8"
    )
    found = {e.path: e.player_url for e in load_site(tmp_path, OPTIONS).episodes}
    assert found == {
        "post/a.md": "https://cdn.example.com/a.mp3",
        "post/b.md": "https://example.com/show/post/b/b.mp3",
    }


# -- page URLs -----------------------------------------------------------------


def test_page_url_of_bundle_single_page_slug_and_url(episodes: dict[str, Episode]) -> None:
    assert episodes["podcast/0001/index.md"].page_url == "https://example.com/show/podcast/0001/"
    assert episodes["post/advent.md"].page_url == "https://example.com/show/post/advent/"
    assert episodes["podcast/0004/index.md"].page_url == (
        "https://example.com/show/podcast/apple-embed/"
    )
    assert episodes["talk/hello.md"].page_url == "https://example.com/show/talk/hello-world/"
    assert episodes["podcast/0012/index.md"].page_url == "https://example.com/show/special/twelve/"


@pytest.mark.parametrize(
    ("rel", "front", "url"),
    [
        ("Post/My Page.md", {}, "http://h/post/my-page/"),
        ("podcast/0016/index.md", {"slug": "kubeflow"}, "http://h/podcast/kubeflow/"),
        ("post/x.md", {"url": "https://elsewhere.example/x"}, "https://elsewhere.example/x"),
        ("post/日本語.md", {}, "http://h/post/%E6%97%A5%E6%9C%AC%E8%AA%9E/"),
        ("about.md", {}, "http://h/about/"),
    ],
)
def test_hugo_permalink_rules(rel: str, front: dict[str, str], url: str) -> None:
    assert page_url(rel, front, "http://h") == url


# -- anchors -------------------------------------------------------------------


def test_heading_anchor_follows_hugo_github_style() -> None:
    seen: set[str] = set()
    assert heading_anchor("Kubeflow概要", seen) == "kubeflow概要"
    assert heading_anchor("AI Platformとの違い", seen) == "ai-platformとの違い"
    assert heading_anchor("参考になりそうなリンク（主に日本語）", seen) == (
        "参考になりそうなリンク主に日本語"
    )
    assert heading_anchor("re:Invent 2020 — week_1!", seen) == "reinvent-2020--week_1"
    assert heading_anchor("Kubeflow概要", seen) == "kubeflow概要-1"
    assert heading_anchor("Kubeflow概要", seen) == "kubeflow概要-2"
    assert heading_anchor("？！", seen) == "heading"


# -- dates ---------------------------------------------------------------------


def test_dates_are_time_zone_aware(episodes: dict[str, Episode]) -> None:
    for episode in episodes.values():
        for value in (episode.date, episode.publish_date, episode.expiry_date):
            assert value is None or value.tzinfo is not None


def test_date_only_values_are_midnight_in_site_zone(episodes: dict[str, Episode]) -> None:
    apple = episodes["podcast/0004/index.md"]
    assert apple.date == datetime(2021, 1, 31, tzinfo=JST)


def test_naive_date_strings_get_the_site_zone(episodes: dict[str, Episode]) -> None:
    youtube = episodes["podcast/0005/index.md"]
    assert youtube.publish_date == datetime(2021, 2, 7, 21, 0, tzinfo=JST)


def test_toml_datetimes_keep_their_offset(episodes: dict[str, Episode]) -> None:
    spotify = episodes["podcast/0003/index.md"]
    assert spotify.date is not None
    assert spotify.date.utcoffset() == timedelta(hours=9)


def test_site_time_zone_is_configurable() -> None:
    options = SiteOptions(timezone="UTC")
    episode, _ = load_page(SITE, "podcast/0004/index.md", options)
    assert episode is not None and episode.date == datetime(2021, 1, 31, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-06-21T00:48:00+09:00", datetime(2020, 6, 21, 0, 48, tzinfo=JST)),
        ("2020-06-20T08:28:19Z", datetime(2020, 6, 20, 8, 28, 19, tzinfo=UTC)),
        ("2020-06-21 00:48:00 +0900", datetime(2020, 6, 21, 0, 48, tzinfo=JST)),
        ("2020/06/21", datetime(2020, 6, 21, tzinfo=JST)),
        (datetime(2020, 6, 21, 1, 2), datetime(2020, 6, 21, 1, 2, tzinfo=JST)),
        (None, None),
        ("", None),
    ],
)
def test_parse_date_forms(value: object, expected: datetime | None) -> None:
    parsed = parse_date(value, JST)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is not None


def test_parse_date_rejects_text_that_is_not_a_date() -> None:
    with pytest.raises(ValueError):
        parse_date("来週", UTC)


# -- summary and lists ---------------------------------------------------------


def test_summary_turns_br_into_newline_decodes_entities_and_drops_tags(
    episodes: dict[str, Episode],
) -> None:
    assert episodes["podcast/0001/index.md"].summary == (
        "山田がS3のストレージクラスについて話したよ。\nGlacier & Intelligent-Tiering も少し。"
    )


def test_summary_falls_back_to_abstract(episodes: dict[str, Episode]) -> None:
    assert episodes["podcast/0002/index.md"].summary == "ニュースを三つ紹介したよ。"


def test_summary_falls_back_to_first_paragraph(episodes: dict[str, Episode]) -> None:
    assert episodes["podcast/0003/index.md"].summary == "最初の段落はSpotifyの話。\n二行目。"
    assert episodes["post/advent.md"].summary == ("この投稿はAdvent Calendarの6日目です。")


def test_authors_tags_and_categories_are_lists(episodes: dict[str, Episode]) -> None:
    first = episodes["podcast/0001/index.md"]
    assert first.authors == ("yamada", "suzuki")
    assert first.tags == ("AWS", "S3")
    assert episodes["podcast/0002/index.md"].tags == ("News",)  # a single string
    assert episodes["podcast/0004/index.md"].categories == ("Apple",)
