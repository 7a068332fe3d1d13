"""/episode, /latest and /links, driven through SimCord."""

from __future__ import annotations

import pytest

ROUNDUP = "#3"


def buttons(message) -> list[dict]:
    return [item for row in message.components for item in row["components"] if item["type"] == 2]


async def test_episode_by_number_shows_its_card_and_link_buttons(world):
    result = await world.alice.slash(world.channel, "episode", number="2")
    embed = result.response.embeds[0]
    assert embed.title == "#2 【AWS】Lambdaで作るサーバーレスAPI"
    assert {b["label"] for b in buttons(result.response)} == {"Listen", "Show notes"}


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


async def test_paging_buttons_are_removed_when_they_expire_but_links_stay(world):
    result = await world.alice.slash(world.channel, "links", episode=ROUNDUP)
    await world.env.advance_time(601)
    labels = {b["label"] for b in buttons(result.response)}
    assert labels == {"Listen", "Show notes"}


async def test_slash_commands_work_in_dms(env):
    user = env.create_user("carol")
    result = await user.slash("episode", number="1")
    assert result.response.embeds[0].title.startswith("#1 ")
