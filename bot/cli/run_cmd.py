"""``python -m bot run`` (start the bot) and ``python -m bot health`` (the HEALTHCHECK).

``run`` loads the settings (one line per wrong variable), sets up logging, reads the
token from DISCORD_TOKEN or DISCORD_TOKEN_FILE and runs ``create_bot(settings)`` until
SIGTERM or SIGINT, which close the bot (gateway, watchers, state) within
``STOP_TIMEOUT`` seconds: under Docker's 10 s grace period before SIGKILL.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Callable
from typing import Any

from bot.cli.common import add_content_arg, base_url_warning, settings_from_args
from bot.config import ConfigError, Settings, load_settings
from bot.health import MAX_AGE_SECONDS, check_health
from bot.library.gitsource import content_dir_for
from bot.logs import redact_url, setup_logging
from bot.notify.statefile import StoreError

log = logging.getLogger(__name__)

STOP_TIMEOUT = 8.0
NO_TOKEN_EXIT = 2

NO_TOKEN_HELP = """\
No Discord bot token: set DISCORD_TOKEN, or DISCORD_TOKEN_FILE to a file that holds it.

To get a token:
  1. Open https://discord.com/developers/applications and click "New Application".
  2. On the "Bot" page click "Reset Token" and put the token in DISCORD_TOKEN
     (for example in a .env file in the folder you start the bot from).
     No privileged gateway intents are needed.
  3. On "OAuth2 > URL Generator" tick the scopes "bot" and "applications.commands" and the
     permissions View Channels, Send Messages, Embed Links, Read Message History and
     Use Application Commands; open the generated URL to add the bot to a server.
  4. Publish the slash commands once:  scripts/run sync
     (or scripts/run sync --guild ID to see them in one server at once).
  5. Start the bot:  scripts/run

To try the bot offline, without Discord:
  scripts/run ask "kubeflowの回ある？"
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser(
        "run",
        help="start the Discord bot (token from DISCORD_TOKEN or DISCORD_TOKEN_FILE)",
        description="Start the Discord bot. Stops cleanly on SIGTERM or Ctrl-C.",
    )
    add_content_arg(run)
    run.set_defaults(func=cmd_run)

    health = subparsers.add_parser(
        "health",
        help="exit 0 when the running bot's heartbeat is fresh, connected and loaded",
        description=(
            "Read the heartbeat file the running bot writes (HEALTH_FILE, default "
            "DATA_DIR/health.json). Exit 0 when it is fresh, the gateway is connected and "
            "the episode index is loaded; exit 1 otherwise. Used by the Docker HEALTHCHECK."
        ),
    )
    health.add_argument(
        "--max-age",
        type=float,
        default=MAX_AGE_SECONDS,
        metavar="SECONDS",
        help=f"oldest acceptable heartbeat (default {MAX_AGE_SECONDS:.0f})",
    )
    health.set_defaults(func=cmd_health)


# -- run ---------------------------------------------------------------------


def settings_with_token(args: argparse.Namespace) -> tuple[Settings, str | None]:
    """Settings (with logging set up) and the bot token; without a token, says how to
    get one. Shared by the commands that talk to Discord (``run``, ``sync``)."""
    settings = settings_from_args(args)
    setup_logging(settings)
    problem = base_url_warning(settings, content_dir_for(settings))
    if problem:
        log.warning(problem)
    token = settings.token()
    if not token:
        print(no_token_message(settings), file=sys.stderr)
    return settings, token


def cmd_run(args: argparse.Namespace) -> int:
    settings, token = settings_with_token(args)
    if not token:
        return NO_TOKEN_EXIT

    import discord  # loaded only when the bot really runs

    from bot.app import create_bot

    # The bot never joins voice: no start-up warnings about missing voice libraries.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    bot = create_bot(settings)
    preload_catalog(bot)
    return asyncio.run(serve(bot, token, settings))


def preload_catalog(bot: Any) -> None:
    """Read the notes before the event loop starts, while this is the only thread, so a
    large site may be read on every core (bot.parallel forks only then); a failure here
    is logged and left to the bot's own load in ``setup_hook``."""
    try:
        bot.catalog.load()
    except Exception:
        log.exception("could not read the content folder %s", bot.settings.content_dir)


def no_token_message(settings: Settings) -> str:
    path = settings.discord_token_file
    if path is not None:
        problem = "is empty" if path.is_file() else "cannot be read"
        return f"DISCORD_TOKEN_FILE={path} {problem}.\n\n" + NO_TOKEN_HELP
    return NO_TOKEN_HELP


async def serve(
    bot: Any, token: str, settings: Settings, stop_timeout: float = STOP_TIMEOUT
) -> int:
    """Log in, connect, and run until a stop signal or a fatal gateway error."""
    import aiohttp
    import discord

    stop = asyncio.Event()
    remove_handlers = install_stop_signals(asyncio.get_running_loop(), stop)
    try:
        try:
            await bot.login(token)  # runs setup_hook: content, state, extensions
        except discord.LoginFailure:
            log.error(
                "Discord rejected the token: reset it on the application's Bot page "
                "and update DISCORD_TOKEN or DISCORD_TOKEN_FILE"
            )
            await shutdown(bot, stop_timeout)
            return 1
        except (aiohttp.ClientError, OSError) as exc:
            log.error("cannot reach Discord: %s", exc)
            await shutdown(bot, stop_timeout)
            return 1
        except Exception as exc:
            refusal = state_refusal(exc)
            if refusal is not None:  # one line naming the file and what to do
                log.error("cannot start: %s", refusal)
            else:
                log.error("start-up failed: %s", exc, exc_info=exc)
            await shutdown(bot, stop_timeout)
            return 1
        log_startup(bot, settings)
        if stop.is_set():
            return 0 if await shutdown(bot, stop_timeout) else 1

        gateway = asyncio.create_task(bot.connect(reconnect=True), name="gateway")
        stopper = asyncio.create_task(stop.wait(), name="stop-signal")
        done, _ = await asyncio.wait({gateway, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if gateway in done:
            stopper.cancel()
            error = gateway.exception()
            if error is not None:
                log.error("gateway stopped: %s", _gateway_hint(error), exc_info=error)
            clean = await shutdown(bot, stop_timeout)
            return 1 if error is not None or not clean else 0

        clean = await shutdown(bot, stop_timeout)
        gateway.cancel()
        await asyncio.gather(gateway, return_exceptions=True)
        return 0 if clean else 1
    finally:
        remove_handlers()


def state_refusal(exc: BaseException) -> StoreError | None:
    """The state file's refusal inside a start-up error (an extension wraps it), if any."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, StoreError):
            return seen
        seen = seen.__cause__ or getattr(seen, "original", None)
    return None


async def shutdown(bot: Any, timeout: float = STOP_TIMEOUT) -> bool:
    """Close the bot (extensions, gateway, HTTP) within ``timeout``; True when clean."""
    log.info("stopping (up to %.0f s)", timeout)
    try:
        await asyncio.wait_for(bot.close(), timeout)
    except TimeoutError:
        log.error("bot did not close within %.0f s; exiting anyway", timeout)
        return False
    except Exception as exc:
        log.error("error while closing: %s", exc, exc_info=exc)
        return False
    log.info("stopped")
    return True


def install_stop_signals(
    loop: asyncio.AbstractEventLoop, stop: asyncio.Event
) -> Callable[[], None]:
    """SIGTERM and SIGINT set ``stop``; returns a function that removes the handlers."""
    installed: list[signal.Signals] = []

    def on_signal(signum: signal.Signals) -> None:
        if stop.is_set():
            log.info("%s received again; still stopping", signum.name)
        else:
            log.info("%s received", signum.name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(signum, on_signal, signum)
        except (NotImplementedError, RuntimeError):  # not the main thread, or Windows
            continue
        installed.append(signum)

    def remove() -> None:
        for signum in installed:
            loop.remove_signal_handler(signum)

    return remove


def log_startup(bot: Any, settings: Settings) -> None:
    """One line: episodes, warnings, which sources are on."""
    catalog = getattr(bot, "catalog", None)
    episodes = len(catalog.all_episodes) if catalog is not None else 0
    warnings = tuple(catalog.warnings) if catalog is not None else ()
    sources = enabled_sources(settings)
    sample = "; ".join(str(w) for w in warnings[:3])
    log.info(
        "starting: %d episodes, %d content warnings%s; sources: %s",
        episodes,
        len(warnings),
        f" (e.g. {sample})" if sample else "",
        ", ".join(sources),
        extra={"episodes": episodes, "content_warnings": len(warnings), "sources": sources},
    )


def enabled_sources(settings: Settings) -> list[str]:
    """Where new episodes come from, as short labels (URLs without credentials)."""
    if not settings.watch_content:
        watch = "not watched"
    elif settings.watch_poll_seconds > 0:
        watch = f"polled every {settings.watch_poll_seconds:g} s"
    else:
        watch = "watched"
    sources = [f"content {content_dir_for(settings)} ({watch})"]
    if settings.content_git_url:
        sources.append(
            f"git {redact_url(settings.content_git_url)} {settings.content_git_branch} "
            f"every {settings.content_git_interval_seconds:g} s"
        )
    if settings.feed_url:
        sources.append(
            f"feed {redact_url(settings.feed_url)} every {settings.feed_interval_seconds:g} s"
        )
    return sources


def _gateway_hint(error: BaseException) -> str:
    import discord

    if isinstance(error, discord.PrivilegedIntentsRequired):
        return "the bot asks for a privileged intent that is not enabled in the Developer Portal"
    return str(error) or type(error).__name__


# -- health ------------------------------------------------------------------


def cmd_health(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"unhealthy: configuration error: {'; '.join(exc.problems)}")
        return 1
    report = check_health(settings.health_path, max_age=args.max_age)
    print(report.reason if report.healthy else f"unhealthy: {report.reason}")
    return 0 if report.healthy else 1
