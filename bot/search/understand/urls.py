"""Show-notes URLs and bare paths in a query (``.../podcast/0016/``), and Discord mentions
(dropped, so they are never read as numbers)."""

from __future__ import annotations

import re
from urllib.parse import unquote

from bot.search.understand.scan import Outcome, Scan

_INDEX_PAGES = frozenset({"index.html", "index.htm", "index.php"})


def _normalise_path(raw: str) -> str:
    """Percent-decode, drop empty/``.`` segments, resolve ``..``, drop a final ``index.html``
    and end with a slash: ``/podcast/0016``, ``/podcast//0016/index.html`` -> ``/podcast/0016/``.
    """
    segments: list[str] = []
    for segment in unquote(raw).split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    if segments and segments[-1].lower() in _INDEX_PAGES:
        segments.pop()
    return "/" + "".join(segment + "/" for segment in segments)


# --------------------------------------------------------------------------- mentions, URLs

_MENTION_RE = re.compile(r"<(?:@[!&]?|#)[0-9]+>|<a?:[A-Za-z0-9_~]+:[0-9]+>")
# Printable ASCII without whitespace, quotes, <, >, ` and | (Discord's <url> and ||url||).
_URL_RE = re.compile(r"https?://[!#-;=?-_a-{}~]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}'*_"
# A URL typed without its scheme ("mukiudo.dev/podcast/0009", "localhost:1313/podcast/9/"):
# a host ending in a well-known top-level domain (not "Node.js/Deno": a file's extension
# is no such domain), maybe a port, then a path.
_TLDS = "com|net|org|dev|io|jp|app|page|info|me|co|biz|xyz|tech|cloud|site|blog|fm|tv|ai|us|uk"
_HOST_URL_RE = re.compile(
    r"(?<![A-Za-z0-9_.~%/:@\-])(?:localhost|(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+"
    rf"(?:{_TLDS}))(?::\d{{1,5}})?(?![A-Za-z0-9\-])/[!#-;=?-_a-{{}}~]*",
    re.IGNORECASE,
)
_BARE_PATH_RE = re.compile(r"(?<![A-Za-z0-9_.~%/:\-])/[A-Za-z0-9_.~%\-][A-Za-z0-9_.~%\-/]*")


def extract_urls(scan: Scan) -> None:
    def on_url(match: re.Match[str]) -> Outcome:
        url = match.group().rstrip(_URL_TRAILING)
        start = match.start()
        rest = url.split("://", 1)[1]
        cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
        path = rest[cut:]
        path = path if path.startswith("/") else ""
        path = re.split(r"[?#]", path, maxsplit=1)[0]
        scan.set_url_path(start, _normalise_path(path))
        return [(start, start + len(url))]

    def on_host_url(match: re.Match[str]) -> Outcome:
        url = match.group().rstrip(_URL_TRAILING)
        path = re.split(r"[?#]", url[url.index("/") :], maxsplit=1)[0]
        scan.set_url_path(match.start(), _normalise_path(path))
        return [(match.start(), match.start() + len(url))]

    def on_path(match: re.Match[str]) -> Outcome:
        path = match.group().rstrip(".,-")
        if not re.search(r"[A-Za-z]", path):
            return "ignore"
        scan.set_url_path(match.start(), _normalise_path(path))
        return [(match.start(), match.start() + len(path))]

    scan.run(_MENTION_RE, lambda m: [m.span()])
    scan.run(_URL_RE, on_url)
    scan.run(_HOST_URL_RE, on_host_url)
    scan.run(_BARE_PATH_RE, on_path)
