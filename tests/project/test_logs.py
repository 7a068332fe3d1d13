import io
import json
import logging

import pytest

from bot.config import Settings
from bot.logs import redact, redact_url, setup_logging, user_ref

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbCdE.abcdefghijklmnopqrstuvwxyz0123456789AB"


@pytest.fixture
def capture():
    """Set up logging into a string buffer; restore the root logger afterwards."""
    root = logging.getLogger()
    saved = (root.level, list(root.handlers), logging.getLogger("discord").level)
    stream = io.StringIO()

    def configure(**settings) -> io.StringIO:
        setup_logging(Settings(**settings), stream=stream)
        return stream

    yield configure
    root.handlers[:] = saved[1]
    root.setLevel(saved[0])
    logging.getLogger("discord").setLevel(saved[2])


def test_text_lines_are_readable_and_carry_extra_fields(capture):
    stream = capture()
    logging.getLogger("bot.library.catalog").info(
        "catalog loaded", extra={"episodes": 42, "path": "a b"}
    )
    line = stream.getvalue().strip()
    assert "INFO bot.library.catalog: catalog loaded" in line
    assert "episodes=42" in line
    assert 'path="a b"' in line


def test_json_lines_have_ts_level_logger_msg_and_extra_fields(capture):
    stream = capture(log_format="json")
    logging.getLogger("bot.cogs.search").info(
        "command %s", "search", extra={"latency_ms": 12.5, "hits": 3}
    )
    record = json.loads(stream.getvalue().strip())
    assert record["level"] == "INFO"
    assert record["logger"] == "bot.cogs.search"
    assert record["msg"] == "command search"
    assert record["latency_ms"] == 12.5 and record["hits"] == 3
    assert record["ts"].endswith("+00:00")


def test_json_line_keeps_japanese_readable_and_includes_the_traceback(capture):
    stream = capture(log_format="json")
    try:
        raise ValueError("壊れたノート")
    except ValueError:
        logging.getLogger("bot.content").exception("読めません")
    record = json.loads(stream.getvalue().strip())
    assert record["msg"] == "読めません"
    assert "ValueError: 壊れたノート" in record["exc"]
    assert "読めません" in stream.getvalue()


def test_discord_library_logs_go_through_the_same_handler(capture):
    stream = capture(log_format="json")
    logging.getLogger("discord.gateway").info("Shard ID None has connected to Gateway")
    logging.getLogger("discord.gateway").debug("payload with message content")
    lines = stream.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["logger"] == "discord.gateway"


def test_discord_library_never_logs_below_info_even_at_debug(capture):
    stream = capture(log_level="DEBUG")
    logging.getLogger("discord.gateway").debug("For Shard ID None: WebSocket Event: {...}")
    logging.getLogger("bot.search").debug("index built")
    assert "WebSocket Event" not in stream.getvalue()
    assert "index built" in stream.getvalue()


def test_log_level_hides_lower_levels_from_every_logger(capture):
    stream = capture(log_level="WARNING")
    logging.getLogger("bot.x").info("hidden")
    logging.getLogger("discord.client").info("hidden too")
    logging.getLogger("bot.x").warning("shown")
    assert stream.getvalue().count("\n") == 1


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_configured_token_is_redacted_everywhere(capture, fmt):
    secret = "not-shaped-like-a-token-but-configured"
    stream = capture(log_format=fmt, discord_token=secret)
    log = logging.getLogger("bot.app")
    log.info("token is %s", secret, extra={"header": f"Bot {secret}"})
    try:
        raise RuntimeError(f"login failed for {secret}")
    except RuntimeError:
        log.exception("failed")
    out = stream.getvalue()
    assert secret not in out
    assert out.count("[redacted]") >= 3


def test_token_shaped_strings_are_redacted_even_when_not_configured(capture):
    stream = capture()
    logging.getLogger("discord.http").warning("Authorization: Bot %s", TOKEN)
    assert TOKEN not in stream.getvalue()
    assert "[redacted]" in stream.getvalue()


def test_setting_up_twice_replaces_the_handler_instead_of_doubling_lines(capture):
    stream = capture()
    capture()
    logging.getLogger("bot.x").warning("once")
    assert stream.getvalue().count("once") == 1


def test_redact_removes_url_credentials_and_given_values():
    text = redact("pull https://user:ghp_secret@github.com/o/r.git failed; s3cr3t", ["s3cr3t"])
    assert "ghp_secret" not in text and "s3cr3t" not in text
    assert "github.com/o/r.git" in text


def test_redact_url_drops_credentials_query_and_fragment():
    assert (
        redact_url("https://u:p@example.com/feed.xml?key=abc#x") == "https://example.com/feed.xml"
    )
    assert redact_url("file:///tmp/repo.git") == "file:///tmp/repo.git"


def test_user_ref_is_stable_short_and_hides_the_id():
    ref = user_ref(123456789012345678)
    assert ref == user_ref(123456789012345678)
    assert ref != user_ref(123456789012345679)
    assert "123456789012345678" not in ref and len(ref) == 13
