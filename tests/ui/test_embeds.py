"""Building embeds and views: every part within Discord's limits, cut cleanly."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import discord
import pytest

from bot.library.lookup import cut_query, episode_key
from bot.models import Episode, Hit, Reference, Section
from bot.ui import embeds
from bot.ui.components import LEGACY_PREFIX, PREFIX, is_legacy_menu
from bot.ui.embeds import (
    episode_embed,
    episode_links_view,
    fit_embed,
    latest_embed,
    links_pages,
    references_for,
)
from bot.ui.replies import Reply, hits_reply
from bot.ui.text import ELLIPSIS, clip, escape_user_text, link_line, safe_url

JST = timezone(timedelta(hours=9))
PAGE = "https://example.com/podcast/0042/"


def episode(**changes) -> Episode:
    values = dict(
        path="podcast/0042/index.md",
        raw_title="#42 【AWS】テスト回",
        title="【AWS】テスト回",
        number=42,
        category="AWS",
        summary="テストの回だよ。<br>二行目だよ。",
        date=datetime(2024, 4, 1, 21, 0, tzinfo=JST),
        publish_date=datetime(2024, 4, 1, 20, 0, tzinfo=JST),
        authors=("taro",),
        player_url="https://anchor.fm/testcast/episodes/test-e1",
        page_url=PAGE,
        references=(
            Reference("lead link", "https://example.com/lead", ""),
            Reference("Kubeflow", "https://www.kubeflow.org/", "Kubeflow"),
        ),
        sections=(
            Section("", 0, (), "lead"),
            Section("Kubeflow", 2, ("Show Notes", "Kubeflow"), "Kubeflowの話", "kubeflow"),
        ),
    )
    values.update(changes)
    return Episode(**values)


def huge_episode() -> Episode:
    long = "とても長い見出しのテキストで、クラウドの話題をたくさん含んでいます" * 12
    sections = tuple(
        Section(f"{i}: {long}", 3, ("Show Note", f"{i}: {long}"), long * 3, f"h-{i}")
        for i in range(40)
    )
    references = tuple(
        Reference(
            f"[{i}] <@123456789012345678> @everyone *{long}*",
            f"https://news.example.com/{i}/{'x' * 300}?q=(a)",
            sections[i % 40].heading,
        )
        for i in range(200)
    )
    return episode(
        raw_title="#42 " + long,
        title=long,
        summary=long * 30,
        authors=tuple(f"host-{i}-{long[:50]}" for i in range(40)),
        references=references,
        sections=sections,
    )


def assert_within_limits(embed: discord.Embed) -> None:
    data = embed.to_dict()
    assert len(data.get("title", "")) <= 256
    assert len(data.get("description", "")) <= 4096
    fields = data.get("fields", [])
    assert len(fields) <= 25
    for field in fields:
        assert 1 <= len(field["name"]) <= 256
        assert 1 <= len(field["value"]) <= 1024
    assert len(data.get("footer", {}).get("text", "")) <= 2048
    assert len(data.get("author", {}).get("name", "")) <= 256
    assert len(embed) <= 6000


# -- text helpers ----------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 2, 10, 100, 256])
def test_clip_never_exceeds_the_limit_and_marks_the_cut(limit):
    text = "あいうえお かきくけこ " * 100
    out = clip(text, limit)
    assert len(out) <= limit
    assert out.endswith(ELLIPSIS)


def test_clip_leaves_short_text_alone():
    assert clip("  short  ", 10) == "short"


def test_link_line_keeps_brackets_and_parentheses_from_breaking_the_link():
    line = link_line("a [b] c", "https://example.com/x_(y)")
    assert line == "[a (b) c](https://example.com/x_%28y%29)"


def test_link_whose_text_is_a_url_is_shown_as_the_bare_url():
    assert link_line("https://www.kubeflow.org/", "https://www.kubeflow.org/") == (
        "https://www.kubeflow.org/"
    )
    assert link_line("Node.js", "https://nodejs.org/") == "[Node.js](https://nodejs.org/)"


def test_urls_are_percent_encoded_for_links_and_buttons():
    ep = episode(page_url="https://example.com/ノート/")
    assert link_line("a", "https://example.com/#見出し") == (
        "[a](https://example.com/#%E8%A6%8B%E5%87%BA%E3%81%97)"
    )
    view = episode_links_view(ep, "en")
    assert view.children[1].url == "https://example.com/%E3%83%8E%E3%83%BC%E3%83%88/"


def test_link_line_drops_links_that_are_not_http():
    assert "(" not in link_line("js", "javascript:alert(1)")


# Each of these makes Discord answer 400 "Not a well formed URL" in a button or embed.
MALFORMED_URLS = [
    "https://",
    "https:///path",
    "https://exa mple.com/x y",
    "https://example.com/x y",
    "https://exa%20mple.com/x",
    "https://example",
    "https://ex_ample.com/",
    "https://-example.com/",
    "https://example..com/",
    "https://example.com:99999/",
    "https://example.com:port/",
    "http://[::1",
    "https://example.com/\x00x",
    "https://example.com/\u3000x",
    "https://example.com/\nx",
    "https://example.com/" + "x" * 600,
    "https:example.com",
    "ftp://example.com/",
]


@pytest.mark.parametrize("url", MALFORMED_URLS)
def test_malformed_urls_are_refused(url):
    assert safe_url(url) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://localhost:1313/podcast/0001/", "http://localhost:1313/podcast/0001/"),
        ("https://10.0.0.1/x", "https://10.0.0.1/x"),
        ("HTTPS://Example.COM/A?b=1#c", "https://example.com/A?b=1#c"),
        ("  https://example.com/  ", "https://example.com/"),
        ("https://日本.jp/パス", "https://xn--wgv71a.jp/%E3%83%91%E3%82%B9"),
        ("https://example.com/a_(b)", "https://example.com/a_%28b%29"),
        ("https://example.com/%E3%83%8E", "https://example.com/%E3%83%8E"),
    ],
)
def test_well_formed_urls_are_kept_and_encoded(url, expected):
    assert safe_url(url) == expected


def test_urls_over_512_characters_once_encoded_are_refused():
    assert safe_url("https://example.com/" + "x" * 492) is not None  # 512 exactly
    assert safe_url("https://example.com/" + "x" * 493) is None
    assert safe_url("https://example.com/" + "ノ" * 60) is None  # 9 characters each


def test_malformed_player_and_page_urls_drop_the_buttons_and_links_not_the_text():
    ep = episode(
        player_url="https://",
        page_url="https://exa mple.com/x y",
        references=(Reference("壊れたリンク", "https://exa%20mple.com/x", "Kubeflow"),),
    )
    hit = Hit(ep, 90.0, ep.sections[1], "Kubeflowの話")
    assert episode_links_view(ep, "en").children == []
    for embed in (episode_embed(ep, locale="en"), episode_embed(ep, hit=hit, locale="en")):
        assert embed.url is None
        assert embed.title == "#42 【AWS】テスト回"
        text = str(embed.to_dict())
        assert "](" not in text and "exa" not in text
        assert "壊れたリンク" in text
    for page in links_pages(ep, "en"):
        assert page.url is None and "](" not in str(page.to_dict())
    assert "](" not in str(latest_embed([ep], "en").to_dict())


def test_user_text_is_echoed_without_mentions_markdown_or_links():
    shown = escape_user_text(
        "@everyone <@123456789012345678> **b** [x](https://evil.example) discord.gg/abc"
    )
    assert "@everyone" not in shown
    assert "<@123456789012345678>" not in shown
    assert "**" not in shown
    assert "https://" not in shown
    assert "discord.gg" not in shown


def test_user_text_is_cut_to_one_short_line():
    shown = escape_user_text("a\nb " + "c" * 500, 50)
    assert "\n" not in shown and len(shown) <= 60


def test_query_is_cut_not_rejected():
    text, cut = cut_query("x" * 10_000, 200)
    assert cut and len(text) == 200
    assert cut_query("  kube   flow ", 200) == ("kube flow", False)


# -- episode cards ---------------------------------------------------------------


def test_episode_embed_has_number_title_summary_date_and_hosts():
    embed = episode_embed(episode(), locale="en")
    assert embed.title == "#42 【AWS】テスト回"
    assert embed.url == PAGE
    assert embed.description == "テストの回だよ。\n二行目だよ。"
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Released"] == "2024-04-01"
    assert fields["Hosts"] == "taro"


def test_episode_embed_speaks_japanese_by_default():
    names = [f.name for f in episode_embed(episode()).fields]
    assert "配信日" in names and "出演" in names


def test_matched_section_comes_with_a_deep_link_and_its_links_first():
    ep = episode()
    hit = Hit(ep, 90.0, ep.sections[1], "Kubeflowの話")
    embed = episode_embed(ep, hit=hit, locale="en")
    matched = next(f for f in embed.fields if f.name.startswith("Matched"))
    assert "Show Notes › Kubeflow" in matched.name
    assert f"{PAGE}#kubeflow" in matched.value
    links = next(f for f in embed.fields if f.name == "Links")
    assert links.value.splitlines()[0] == "• [Kubeflow](https://www.kubeflow.org/)"
    assert [r.text for r in references_for(ep, hit)] == ["Kubeflow", "lead link"]


def test_huge_episode_is_trimmed_within_every_limit():
    ep = huge_episode()
    hit = Hit(ep, 50.0, ep.sections[3], ep.sections[3].text)
    for embed in (episode_embed(ep), episode_embed(ep, hit=hit, locale="en")):
        assert_within_limits(embed)
        assert embed.title.endswith(ELLIPSIS)
        assert embed.description.endswith(ELLIPSIS)


def test_huge_episode_never_pings_from_note_text():
    embed = episode_embed(huge_episode())
    text = str(embed.to_dict())
    assert "@everyone" not in text and "<@123456789012345678>" not in text


def test_fit_embed_drops_fields_and_links_to_the_page():
    embed = discord.Embed(title="t", description="d" * 4000)
    for i in range(30):
        embed.add_field(name=f"n{i}" * 100, value="v" * 1024)
    fit_embed(embed, page_url=PAGE, lang="en")
    assert_within_limits(embed)
    assert PAGE in embed.fields[-1].value


def test_links_pages_hold_every_link_within_limits():
    ep = huge_episode()
    pages = links_pages(ep, "en")
    assert len(pages) > 1
    lines = 0
    for number, page in enumerate(pages, start=1):
        assert_within_limits(page)
        assert page.footer.text == f"Page {number} of {len(pages)}"
        lines += sum(f.value.count("\n• ") + 1 for f in page.fields)
    assert lines == len(references_for(ep))


def test_links_pages_of_an_episode_without_links_say_so():
    pages = links_pages(episode(references=()), "en")
    assert len(pages) == 1 and pages[0].description == "This episode has no links."


def test_latest_embed_lists_at_most_25_fields():
    many = [episode(number=i, path=f"podcast/{i}/index.md") for i in range(40)]
    embed = latest_embed(many, "en")
    assert_within_limits(embed)


# -- views -----------------------------------------------------------------------


def test_links_view_has_listen_and_show_notes_buttons():
    view = episode_links_view(episode(), "en")
    assert [(b.label, b.url) for b in view.children] == [
        ("Listen", "https://anchor.fm/testcast/episodes/test-e1"),
        ("Show notes", PAGE),
    ]


def test_links_view_leaves_out_missing_or_unsafe_links():
    view = episode_links_view(episode(player_url=None, page_url="javascript:x"), "ja")
    assert view.children == []


async def test_the_matches_menu_offers_at_most_25_options_within_limits():
    hits = [
        Hit(episode(number=i, title="t" * 300, path=f"p/{i}"), 90.0 - i, None, "s" * 300)
        for i in range(40)
    ]
    reply = hits_reply(hits, 0, "q" * 300, "ja", 1)
    assert reply.view is not None
    select = next(c for c in reply.view.children if isinstance(c.item, discord.ui.Select))
    assert len(select.item.options) == 25
    for option in select.item.options:
        assert len(option.label) <= 100 and len(option.description or "") <= 100
    assert all(len(c.custom_id) <= 100 for c in reply.view.children if c.custom_id)
    assert_within_limits(reply.embeds[0])


def test_only_menus_from_before_persistent_components_count_as_expired():
    assert is_legacy_menu(LEGACY_PREFIX + "0123456789ab:pick")
    assert not is_legacy_menu(PREFIX + "pk:j:0:kubeflow")
    assert not is_legacy_menu("someone-else:pick")


def test_replies_never_allow_mentions():
    kwargs = Reply(content="x").message_kwargs()
    assert kwargs["allowed_mentions"].to_dict() == {"parse": []}


def test_episode_keys_are_short_and_stable_for_specials_with_long_paths():
    assert episode_key(episode()) == "#42"
    special = episode(number=None, path="post/" + "x" * 200 + "/index.md")
    key = episode_key(special)
    assert re.fullmatch(r"ep:[0-9a-f]{16}", key)
    assert key == episode_key(episode(number=None, path=special.path, title="renamed"))
    assert key != episode_key(episode(number=None, path="post/" + "x" * 199 + "/index.md"))


def test_limits_match_discord():
    assert (embeds.EMBED_TOTAL_MAX, embeds.FIELDS_MAX, embeds.BUTTON_LABEL_MAX) == (6000, 25, 80)
