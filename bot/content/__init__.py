"""Content: a Hugo folder -> ``Episode`` models.

Walks the site (``hugo``), splits and reads front matter (``frontmatter``, ``page``),
reads the Markdown body into sections, references and players (``notes``,
``htmltext``, ``links``, ``players``) and publishes the result (``loader``).

May import: the standard library, its own modules, ``bot.models`` and ``bot.parallel``.
Never ``discord``, ``bot.config``, ``bot.search`` or ``bot.library``.
"""

from bot.content.loader import load_page, load_site
from bot.content.page import SiteOptions
from bot.content.titles import split_title

__all__ = ["SiteOptions", "load_page", "load_site", "split_title"]
