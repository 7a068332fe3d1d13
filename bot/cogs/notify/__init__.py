"""New-episode announcements: the ``/notify`` commands and the loops behind them.

``cog`` holds the background loops over the sources (``bot.notify.sources``),
``commands`` and ``previews`` the ``/notify`` commands, ``announcer`` the delivery to
Discord; the ja/en wording is in ``bot.i18n``. What counts as new is decided in the pure
``bot.notify``; state lives in ``bot.notify.store`` (behind ``bot.notify.contract``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cogs.notify.cog import NotifyCog

if TYPE_CHECKING:
    from bot.app import PodcastBot


async def setup(bot: PodcastBot) -> None:
    await bot.add_cog(NotifyCog(bot))
