"""Slash replies follow the user's Discord locale: Japanese by default, English for en-*.

SimCord always sends ``locale: en-US``; these tests give its interaction payloads another
locale, the way Discord sends each user's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import simcord.interactions

SEARCH = "search"


@pytest.fixture
def user_locale(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    def use(locale: str) -> None:
        real = simcord.interactions.base_payload

        def with_locale(*args: Any, **kwargs: Any) -> Any:
            record, payload = real(*args, **kwargs)
            payload["locale"] = locale
            return record, payload

        monkeypatch.setattr(simcord.interactions, "base_payload", with_locale)

    return use


def field_names(result: Any) -> list[str]:
    """Field names and the footer (the short search card dates itself in the footer)."""
    embed = result.response.embeds[0]
    return [f.name for f in embed.fields] + (embed.footer.text or "").split()


async def test_a_japanese_user_gets_a_japanese_reply(world, user_locale):
    user_locale("ja")
    result = await world.alice.slash(world.channel, SEARCH, query="kubeflow")
    names = field_names(result)
    assert "配信日" in names and "Released" not in names
    rows = result.response.message.components
    labels = [getattr(c, "label", None) for row in rows for c in row.children]
    assert "聴く" in labels


async def test_an_english_user_gets_an_english_reply(world, user_locale):
    user_locale("en-GB")
    result = await world.alice.slash(world.channel, SEARCH, query="kubeflow")
    assert "Released" in field_names(result)


async def test_other_locales_fall_back_to_japanese(world, user_locale):
    user_locale("fr")
    result = await world.alice.slash(world.channel, SEARCH, query="kubeflow")
    assert "配信日" in field_names(result)


async def test_no_match_is_answered_in_the_users_language(world, user_locale):
    user_locale("ja")
    result = await world.alice.slash(world.channel, SEARCH, query="寿司の握り方")
    assert result.response.ephemeral
    assert "見つかりませんでした" in (result.response.content or "")


# -- messages carry no locale: a DM follows the language of the question ------------


def message_field_names(message: Any) -> list[str]:
    embed = message.embeds[0]
    return [f.name for f in embed.fields] + (embed.footer.text or "").split()


async def test_a_dm_asked_in_english_is_answered_in_english(env):
    user = env.create_user("erin")
    await user.send_dm("kubeflow pipelines")
    names = message_field_names(user.dm_channel.last_message)
    assert "Released" in names and "配信日" not in names


async def test_a_dm_asked_in_japanese_is_answered_in_japanese(env):
    user = env.create_user("frank")
    await user.send_dm("kubeflowの回ある？")
    names = message_field_names(user.dm_channel.last_message)
    assert "配信日" in names and "Released" not in names


async def test_a_dm_no_match_in_english_says_so_in_english(env):
    user = env.create_user("grace")
    await user.send_dm("how to grill sushi")
    assert "見つかりませんでした" not in (user.dm_channel.last_message.content or "")
