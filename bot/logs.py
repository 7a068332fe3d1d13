"""One logging setup for the whole process: readable lines or JSON lines, secrets redacted.

``setup_logging(settings)`` configures the root logger once; discord.py's own loggers
propagate to it, so every line, ours and the library's, has the same format and goes
through the same redaction. Fields passed with ``extra={...}`` are printed too:
``key=value`` at the end of a text line, top-level keys in a JSON line.

User ids are never logged raw: ``user_ref(user_id)`` gives a short keyed hash that is
stable for one deployment (the key is derived from the bot token) and meaningless
outside it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.config import Settings

log = logging.getLogger(__name__)

REDACTED = "[redacted]"

# Discord bot tokens: base64 user id, a timestamp part and an HMAC, joined by dots.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}")
# user:password@ in URLs (a git remote or feed URL may carry credentials).
_URL_CREDENTIALS = re.compile(r"(?<=://)[^/\s:@]+(?::[^/\s@]*)?@")

# Attributes every LogRecord has; anything else on a record came from ``extra``.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
) | {"message", "asctime", "taskName"}

_HANDLER_NAME = "bot.logs"
_user_key: bytes = secrets.token_bytes(32)


def redact(text: str, secret_values: Iterable[str] = ()) -> str:
    """``text`` with the given secrets, token-shaped strings and URL credentials removed."""
    for value in secret_values:
        if value and len(value) >= 4:
            text = text.replace(value, REDACTED)
    text = _TOKEN_SHAPE.sub(REDACTED, text)
    return _URL_CREDENTIALS.sub(REDACTED + "@", text)


def redact_url(url: str) -> str:
    """A URL fit for logs, reports and status messages: no credentials, no query
    string or fragment (either may carry a token)."""
    without_credentials = _URL_CREDENTIALS.sub("", url)
    return re.split(r"[?#]", without_credentials, maxsplit=1)[0]


def user_ref(user_id: int | str) -> str:
    """A short keyed hash of a user id, for logs (the raw id is never logged)."""
    digest = hmac.new(_user_key, str(user_id).encode(), hashlib.sha256).hexdigest()
    return "u" + digest[:12]


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """Fields passed to the log call with ``extra={...}``."""
    return {
        key: value
        for key, value in vars(record).items()
        if key not in _STANDARD_ATTRS and not key.startswith("_")
    }


class _RedactingFormatter(logging.Formatter):
    def __init__(self, secret_values: Iterable[str] = ()):
        super().__init__()
        self.secret_values = tuple(v for v in secret_values if v)

    def format(self, record: logging.LogRecord) -> str:
        return redact(self.render(record), self.secret_values)

    def render(self, record: logging.LogRecord) -> str:
        raise NotImplementedError

    def _exception_text(self, record: logging.LogRecord) -> str:
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        text = record.exc_text or ""
        if record.stack_info:
            text = (text + "\n" if text else "") + self.formatStack(record.stack_info)
        return text


class TextFormatter(_RedactingFormatter):
    """``2024-05-01 12:00:00 INFO bot.library.catalog: loaded episodes=42``."""

    def render(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).astimezone().strftime("%Y-%m-%d %H:%M:%S")
        line = f"{when} {record.levelname} {record.name}: {record.getMessage()}"
        fields = extra_fields(record)
        if fields:
            line += " " + " ".join(f"{k}={_text_value(v)}" for k, v in fields.items())
        exc = self._exception_text(record)
        return f"{line}\n{exc}" if exc else line


class JsonFormatter(_RedactingFormatter):
    """One JSON object a line: ts, level, logger, msg, the extra fields, exc when any."""

    def render(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in extra_fields(record).items():
            data.setdefault(key, value)
        exc = self._exception_text(record)
        if exc:
            data["exc"] = exc
        return json.dumps(data, ensure_ascii=False, default=str)


def _text_value(value: Any) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if (not text or " " in text) else text


def setup_logging(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """Configure the root logger from ``LOG_LEVEL`` and ``LOG_FORMAT``; returns the handler.

    Calling it again replaces the handler it installed before (tests, reloads).
    """
    global _user_key
    token = settings.token()
    if token:
        _user_key = hashlib.sha256(b"user-ref:" + token.encode()).digest()
    secret_values = [token] if token else []

    formatter: logging.Formatter
    if settings.log_format == "json":
        formatter = JsonFormatter(secret_values)
    else:
        formatter = TextFormatter(secret_values)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter)

    root = logging.getLogger()
    for old in list(root.handlers):
        if old.get_name() == _HANDLER_NAME:
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    # discord.py logs whole gateway payloads (message content included) at DEBUG:
    # the library never logs below INFO.
    level = logging.getLevelName(settings.log_level)
    logging.getLogger("discord").setLevel(max(level, logging.INFO))
    logging.captureWarnings(True)
    return handler
