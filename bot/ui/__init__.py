"""UI: ``Episode`` / ``Hit`` -> Discord embeds, views and text; pure of network.

``embeds`` builds embeds within Discord's limits, ``text`` holds those limits and the
text and URL safety helpers, ``render`` prints a reply as text (for ``ask``).

May import: ``discord``, ``bot.models``, ``bot.i18n``, ``bot.library`` and the core
wings. Never ``bot.app`` or ``bot.cogs``.
"""
