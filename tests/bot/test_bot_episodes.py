"""/episode, /latest and /links, driven through SimCord."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import simcord

from bot.app import create_bot

ROUNDUP = "#3"


def buttons(message) -> list[dict]:
    return [item for row in message.components for item in row["components"] if item["type"] == 2]


async def test_episode_by_number_shows_its_card_and_link_buttons(world):
    result = await world.alice.slash(world.channel, "episode", number="2")
    embed = result.response.embeds[0]
    assert embed.title == "#2 【AWS】Lambdaで作るサーバーレスAPI"
    labels = {b["label"] for b in buttons(result.response)}
    assert {"Listen", "Show notes"} <= labels
    assert {"← #1", "#3 →"} <= labels  # previous / next (issue 11)


@pytest.mark.parametrize("typed", ["#2", "＃2", "2", " 2 "])
async def test_episode_number_may_be_written_with_a_hash(world, typed):
    result = await world.alice.slash(world.channel, "episode", number=typed)
    assert result.response.embeds[0].title.startswith("#2 ")


async def test_unknown_episode_number_is_a_private_pointer_to_latest(world):
    result = await world.alice.slash(world.channel, "episode", number="99")
    assert result.response.ephemeral
    assert "/latest" in result.response.content


async def test_draft_episode_is_not_shown_by_number(world):
    result = await world.alice.slash(world.channel, "episode", number="4")
    assert result.response.ephemeral


async def test_episode_autocomplete_matches_number_prefixes(world):
    choices = await world.alice.autocomplete(world.channel, "episode", "number", "2")
    assert [c["value"] for c in choices] == ["#2"]
    assert choices[0]["name"].startswith("#2 ")


@pytest.mark.parametrize("typed", ["", "3", "#", "クラウド", "y" * 200])
async def test_episode_autocomplete_stays_within_discord_limits(world, typed):
    choices = await world.alice.autocomplete(world.channel, "episode", "number", typed)
    assert len(choices) <= 25
    for choice in choices:
        assert 1 <= len(choice["name"]) <= 100
        assert 1 <= len(choice["value"]) <= 100


async def test_episode_autocomplete_lists_newest_first_when_empty(world):
    choices = await world.alice.autocomplete(world.channel, "episode", "number", "")
    assert [c["value"] for c in choices][:3] == ["#3", "#2", "#1"]
    assert "#4" not in [c["value"] for c in choices]  # draft


async def test_latest_lists_newest_published_episodes(world):
    result = await world.alice.slash(world.channel, "latest", count=2)
    embed = result.response.embeds[0]
    assert [f.name[:3] for f in embed.fields] == ["#3 ", "#2 "]


async def test_latest_defaults_to_every_published_episode_up_to_five(world):
    result = await world.alice.slash(world.channel, "latest")
    names = [f.name for f in result.response.embeds[0].fields]
    assert len(names) == 4  # three numbered episodes and the special; not the draft
    assert not any("下書き" in n for n in names)


async def test_roundup_with_18_long_linked_headings_renders_without_a_400(world):
    result = await world.alice.slash(world.channel, "episode", number=ROUNDUP)
    assert result.response.embeds
    assert not world.env.errors
    listed = await world.alice.slash(world.channel, "search", query=ROUNDUP)
    assert listed.response.embeds
    assert not world.env.errors


async def test_links_of_the_roundup_are_paged_with_buttons(world):
    result = await world.alice.slash(world.channel, "links", episode=ROUNDUP)
    message = result.response
    first = message.embeds[0]
    assert first.footer.text.startswith("Page 1 of ")
    pages = int(first.footer.text.rsplit(" ", 1)[1])
    assert pages >= 2
    seen_fields = [f.name for f in first.fields]
    for _ in range(pages - 1):
        await world.alice.click(message, label="Next")
        seen_fields += [f.name for f in result.response.embeds[0].fields]
    assert result.response.embeds[0].footer.text == f"Page {pages} of {pages}"
    assert next(b for b in buttons(result.response) if b["label"] == "Next")["disabled"]
    assert any("Cloud Run" in name for name in seen_fields)
    assert len({n for n in seen_fields if "大型アップデート" in n}) == 18
    await world.alice.click(result.response, label="Previous")
    assert result.response.embeds[0].footer.text == f"Page {pages - 1} of {pages}"
    assert not world.env.errors


async def test_someone_else_paging_links_gets_a_private_page(world):
    result = await world.alice.slash(world.channel, "links", episode=ROUNDUP)
    other = await world.bob.click(result.response, label="Next")
    assert other.response.ephemeral
    assert other.response.embeds[0].footer.text.startswith("Page 2 of ")
    assert result.response.embeds[0].footer.text.startswith("Page 1 of ")


async def test_links_of_a_small_episode_fit_one_page_grouped_by_section(world):
    result = await world.alice.slash(world.channel, "links", episode="1")
    embed = result.response.embeds[0]
    assert embed.footer.text is None
    names = [f.name for f in embed.fields]
    assert "Kubeflowってなに" in names and "GKEで動かしてみた" in names
    assert {b["label"] for b in buttons(result.response)} == {"Listen", "Show notes"}


async def test_links_autocomplete_uses_episode_choices(world):
    choices = await world.alice.autocomplete(world.channel, "links", "episode", "")
    assert choices and all(len(c["name"]) <= 100 for c in choices)


async def test_paging_buttons_keep_working_past_the_old_ten_minute_timeout(world):
    """They used to be removed after 10 minutes; persistent buttons stay and work."""
    result = await world.alice.slash(world.channel, "links", episode=ROUNDUP)
    await world.env.advance_time(3600)
    labels = {b["label"] for b in buttons(result.response)}
    assert labels == {"Previous", "Next", "Listen", "Show notes"}
    await world.alice.click(result.response, label="Next")
    assert result.response.embeds[0].footer.text.startswith("Page 2 of ")


async def test_slash_commands_work_in_dms(env):
    user = env.create_user("carol")
    result = await user.slash("episode", number="1")
    assert result.response.embeds[0].title.startswith("#1 ")


# -- notes with malformed URLs ---------------------------------------------------

BROKEN_LINKS_NOTE = """---
title: "#{number} 【Misc】壊れたリンクの回 {number}"
summary: "リンクが壊れている回。"
date: 2024-03-0{number}T21:00:00+09:00
authors: ["taro"]
player: "{player}"
---

## 壊れたリンク

* [空のリンク](https://)
* [空白入りのホスト](https://exa%20mple.com/x)
* [ポートが変](https://example.com:99999/x)
* [ちゃんとしたリンク](https://example.com/ok)
"""

MASKED_LINK = re.compile(r"\]\(([^)\s]*)\)")


def sent_urls(value: Any) -> Iterator[str]:
    """Every URL in a request body: "url" keys (embeds, buttons) and masked links."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "url" and isinstance(item, str):
                yield item
            else:
                yield from sent_urls(item)
    elif isinstance(value, list):
        for item in value:
            yield from sent_urls(item)
    elif isinstance(value, str):
        yield from MASKED_LINK.findall(value)


def well_formed(url: str) -> bool:
    """What Discord accepts: http(s), a host name with a dot (or localhost), no
    whitespace or control characters, at most 512 characters."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        return False
    host = parts.hostname or ""
    return (
        parts.scheme in ("http", "https")
        and re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+|localhost", host) is not None
        and re.search(r"[\s\x00-\x1f\x7f]", url) is None
        and len(url) <= 512
    )


async def test_notes_with_malformed_urls_never_send_a_malformed_url(make_settings, make_site):
    site = make_site(
        {
            "podcast/0005/index.md": BROKEN_LINKS_NOTE.format(
                number=5, player="https://exa mple.com/x y"
            ),
            "podcast/0006/index.md": BROKEN_LINKS_NOTE.format(number=6, player="https://"),
        }
    )
    async with simcord.run(create_bot(make_settings(content_dir=site))) as env:
        await env.bot.tree.sync()
        guild = env.create_guild()
        channel = guild.create_text_channel("general")
        alice = guild.add_member(env.create_user("alice"))
        for number in ("5", "6"):
            shown = await alice.slash(channel, "episode", number=number)
            assert shown.response.embeds[0].title.startswith(f"#{number} ")
            links_buttons = {b["label"] for b in buttons(shown.response) if b.get("url")}
            assert links_buttons == {"Show notes"}
            links = await alice.slash(channel, "links", episode=number)
            text = str(links.response.embeds[0].to_dict())
            assert "空白入りのホスト" in text and "](https://example.com/ok)" in text
        found = await alice.slash(channel, "search", query="壊れたリンク")
        assert found.response.embeds
        await alice.slash(channel, "latest")
        await alice.send(channel, f"{env.bot.user.mention} 壊れたリンク")
        urls = [u for r in env.http_requests for u in sent_urls(r.json)]
        assert "https://example.com/ok" in urls
        assert [u for u in urls if not well_formed(u)] == []
        assert not env.errors


# -- specials with long paths ----------------------------------------------------

LONG_SPECIAL_DIR = "post/" + "a-very-long-folder-name-for-a-special-episode-" * 3
LONG_SPECIAL_NOTE = """---
title: "長いパスの特別編"
date: 2024-03-20T00:00:00+09:00
summary: "パスがとても長い特別編。"
---

<iframe src="https://anchor.fm/testcast/embed/episodes/long-path-fff666"></iframe>

## 中身

* [長いパスの話](https://example.com/long-path)
"""


async def test_a_special_with_a_long_path_is_picked_by_its_key_not_searched(
    make_settings, make_site
):
    site = make_site({f"{LONG_SPECIAL_DIR}/index.md": LONG_SPECIAL_NOTE})
    assert len("ep:" + LONG_SPECIAL_DIR + "/index.md") > 100
    async with simcord.run(create_bot(make_settings(content_dir=site))) as env:
        await env.bot.tree.sync()
        guild = env.create_guild()
        channel = guild.create_text_channel("general")
        alice = guild.add_member(env.create_user("alice"))
        choices = await alice.autocomplete(channel, "episode", "number", "長いパス")
        choice = next(c for c in choices if c["name"] == "長いパスの特別編")
        assert choice["value"].startswith("ep:") and len(choice["value"]) <= 100

        searched: list[str] = []
        search = env.bot.catalog.search

        def counting_search(query: str, limit: int = 5):
            searched.append(query)
            return search(query, limit)

        env.bot.catalog.search = counting_search  # type: ignore[method-assign]
        for command, option in (("episode", "number"), ("links", "episode"), ("search", "query")):
            result = await alice.slash(channel, command, **{option: choice["value"]})
            assert "長いパスの特別編" in result.response.embeds[0].title
        # the key is looked up, never searched (related episodes search the title)
        assert choice["value"] not in searched and not any(q.startswith("ep:") for q in searched)
