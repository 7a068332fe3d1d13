"""Link targets in notes -> absolute URLs, as a reader of the site would follow them."""

from __future__ import annotations

import re
from urllib.parse import urljoin

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DOMAIN = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+([A-Za-z]{2,24})(?::\d+)?$")
_FILE_SUFFIXES_WORDS = (
    "md markdown html htm php asp aspx jsp png jpg jpeg gif svg webp pdf txt xml json "
    "yaml yml toml zip gz mp3 mp4 m4a wav ogg js css py go rs java sh ipynb csv "
)
_FILE_SUFFIXES = frozenset(_FILE_SUFFIXES_WORDS.split())


def resolve_url(url: str, base_url: str, page_url: str) -> str | None:
    """A link target as an absolute URL; None for empty, in-page and script links.

    ``kubeflow.org/docs/..`` gets ``https://``; ``/post/x/`` resolves against the site's
    base URL and ``../x/`` against the page.
    """
    if url.startswith(("https://", "http://")):
        return url.strip()  # the common case, kept fast
    url = url.strip()
    while len(url) > 2 and (url[0], url[-1]) in (("(", ")"), ("<", ">")):
        url = url[1:-1].strip()  # "[x]((https://..))": a typo Hugo would keep
    if not url or url.startswith("#"):
        return None
    if _SCHEME.match(url):
        return None if url.lower().startswith(("javascript:", "data:")) else url
    if url.startswith("//"):
        return "https:" + url
    if url.startswith("/"):
        return (base_url if base_url.endswith("/") else base_url + "/") + url.lstrip("/")
    host = re.split(r"[/?#]", url, maxsplit=1)[0]
    match = _DOMAIN.match(host)
    if match and match.group(1).lower() not in _FILE_SUFFIXES:
        return "https://" + url
    return urljoin(page_url, url)
