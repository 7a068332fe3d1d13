"""Building embeds and views: every part within Discord's limits, cut cleanly."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import discord
import pytest

from bot import embeds
from bot.cogs.replies import HitBrowser, Reply, cut_query, episode_key
from bot.embeds import (
    ELLIPSIS,
    clip,
    episode_embed,
    episode_links_view,
    escape_user_text,
    fit_embed,
    latest_embed,
    link_line,
    links_pages,
    references_for,
)
from bot.models import Episode, Hit, Reference, Section

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


async def test_hit_browser_offers_at_most_25_options_within_limits():
    hits = [
        Hit(episode(number=i, title="t" * 300, path=f"p/{i}"), 90.0 - i, None, "s" * 300)
        for i in range(40)
    ]
    view = HitBrowser(hits, "ja", owner_id=1)
    select = next(c for c in view.children if isinstance(c, discord.ui.Select))
    assert len(select.options) == 25
    for option in select.options:
        assert len(option.label) <= 100 and len(option.description or "") <= 100
    assert_within_limits(view.embed())


def test_replies_never_allow_mentions():
    kwargs = Reply(content="x").message_kwargs()
    assert kwargs["allowed_mentions"].to_dict() == {"parse": []}


def test_episode_keys_fit_a_choice_value():
    assert episode_key(episode()) == "#42"
    special = episode(number=None, path="post/" + "x" * 200 + "/index.md")
    assert len(episode_key(special)) <= 100
    assert episode_key(episode(number=None, path="post/a/index.md")) == "ep:post/a/index.md"


def test_limits_match_discord():
    assert (embeds.EMBED_TOTAL_MAX, embeds.FIELDS_MAX, embeds.BUTTON_LABEL_MAX) == (6000, 25, 80)
