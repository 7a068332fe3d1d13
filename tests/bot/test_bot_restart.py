"""The bot restarted on the same DATA_DIR answers as before, from its start-up snapshot."""

from __future__ import annotations

import shutil

from bot.app import create_bot
from bot.ui.render import render_message

QUERIES = (
    "kubeflow",
    "コールドスタート",
    "量子コンピューティング",
    "サーバーレス",
    "nothing-like-this",
)


async def _answers(world) -> list[str]:
    assert world.bot.catalog.wait_semantic(60)  # the reading index, in the background
    out = []
    for query in QUERIES:
        result = await world.alice.slash(world.channel, "search", query=query)
        out.append(render_message(result.response))
    choices = await world.alice.autocomplete(world.channel, "search", "query", "kube")
    out.append(repr(choices))
    return out


async def test_a_restarted_bot_answers_the_same_from_its_snapshot(world, bot_settings, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(bot_settings.content_dir, site)
    settings = bot_settings.model_copy(update={"content_dir": site})
    await world.env.restart_bot(create_bot(settings))
    await world.env.bot.tree.sync()
    before = await _answers(world)
    assert world.bot.catalog.snapshot_state.phase == "written"
    await world.env.restart_bot(create_bot(settings))
    await world.env.bot.tree.sync()
    after = await _answers(world)
    state = world.bot.catalog.snapshot_state
    assert state.phase == "used" and state.read == 0 and state.reused > 0
    assert after == before
