"""Publish the bot's slash commands to Discord (the one place that syncs the tree).

Used by ``python -m bot sync`` (the first time: a bot whose commands were never
published has no ``/admin sync`` to run yet) and by ``/admin sync`` afterwards.
"""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

log = logging.getLogger(__name__)


async def publish_commands(
    bot: commands.Bot, guild_id: int | None = None, *, clear: bool = False
) -> tuple[int, str]:
    """Sync the command tree globally, or to one guild (instant there); returns how many
    commands Discord now has and where ("global" or "guild <id>"). ``clear`` with a guild
    removes that guild's own copy (after testing there, before publishing globally)."""
    tree = bot.tree
    if clear and guild_id is not None:
        guild = discord.Object(guild_id)
        tree.clear_commands(guild=guild)
        synced = await tree.sync(guild=guild)
        where = f"guild {guild_id}"
    elif guild_id is None:
        synced = await tree.sync()
        where = "global"
    else:
        guild = discord.Object(guild_id)
        tree.copy_global_to(guild=guild)
        synced = await tree.sync(guild=guild)
        where = f"guild {guild_id}"
    log.info("commands synced", extra={"scope": where, "count": len(synced)})
    return len(synced), where
