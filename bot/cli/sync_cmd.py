"""``python -m bot sync``: publish the slash commands without starting the bot.

A new bot has no commands in Discord, so ``/admin sync`` cannot be run yet: this logs in
over HTTP only (no gateway), publishes the command tree and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.cli.common import add_content_arg
from bot.config import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sync",
        help="publish the slash commands to Discord (once, before /admin sync exists)",
        description=(
            "Log in with the bot token and publish the slash commands, globally (Discord "
            "may take a while to show them everywhere) or to one server at once."
        ),
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--guild",
        type=int,
        metavar="ID",
        help="publish to this server only (default: DEV_GUILD_ID)",
    )
    where.add_argument("--global", dest="everywhere", action="store_true", help="publish globally")
    parser.add_argument(
        "--clear", action="store_true", help="with --guild: remove that server's own copy"
    )
    add_content_arg(parser)
    parser.set_defaults(func=cmd_sync)


def cmd_sync(args: argparse.Namespace) -> int:
    from bot.cli.run_cmd import NO_TOKEN_EXIT, settings_with_token

    settings, token = settings_with_token(args)
    if not token:
        return NO_TOKEN_EXIT
    guild = None if args.everywhere else (args.guild or settings.dev_guild_id)
    if args.clear and guild is None:
        print("--clear needs --guild ID (or DEV_GUILD_ID).", file=sys.stderr)
        return 2
    return asyncio.run(sync_with_token(settings, token, guild, clear=args.clear))


async def sync_with_token(
    settings: Settings, token: str, guild_id: int | None, *, clear: bool = False
) -> int:
    import aiohttp
    import discord

    from bot.app import create_bot
    from bot.publish import publish_commands

    bot = create_bot(settings)
    try:
        async with bot:
            await bot.login(token)
            count, where = await publish_commands(bot, guild_id, clear=clear)
    except discord.LoginFailure:
        print("Discord refused the token: check DISCORD_TOKEN.", file=sys.stderr)
        return 1
    except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
        print(f"Could not publish the commands: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"Published {count} slash commands ({where}).")
    return 0
