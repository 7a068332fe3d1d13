"""Heartbeat file and the health check that reads it. Pure core: no discord.

While it runs, the bot rewrites a small JSON file every ``HEARTBEAT_SECONDS``: when,
whether the gateway is connected, whether the episode index is loaded. The container's
HEALTHCHECK (``python -m bot health``) reads it in a separate process: the bot is
healthy only when the file is fresh AND says connected AND says loaded AND says the
state file can be written. A hung event loop stops refreshing the file, so it turns
unhealthy too.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30.0
MAX_AGE_SECONDS = 90.0  # three missed beats


@dataclass(frozen=True, slots=True)
class Heartbeat:
    at: datetime  # time-zone aware
    gateway_connected: bool
    index_loaded: bool
    episodes: int = 0
    guilds: int = 0
    latency_ms: float | None = None
    pid: int = 0
    state_error: str | None = None  # the state file cannot be written: why

    def to_json(self) -> str:
        data = asdict(self)
        data["at"] = self.at.astimezone(UTC).isoformat()
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Heartbeat:
        """Parse a heartbeat; ``ValueError`` when it is not one."""
        try:
            data = json.loads(text)
            at = datetime.fromisoformat(data["at"])
            if at.tzinfo is None:
                at = at.replace(tzinfo=UTC)
            latency = data.get("latency_ms")
            return cls(
                at=at,
                gateway_connected=bool(data["gateway_connected"]),
                index_loaded=bool(data["index_loaded"]),
                episodes=int(data.get("episodes", 0)),
                guilds=int(data.get("guilds", 0)),
                latency_ms=None if latency is None else float(latency),
                pid=int(data.get("pid", 0)),
                state_error=None if data.get("state_error") is None else str(data["state_error"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"not a heartbeat: {exc}") from None


@dataclass(frozen=True, slots=True)
class HealthReport:
    healthy: bool
    reason: str  # one line for humans and for `docker inspect`
    heartbeat: Heartbeat | None = None


def write_heartbeat(path: Path, beat: Heartbeat) -> None:
    """Replace the heartbeat file atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".health-", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600; any user may run the check
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(beat.to_json())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_heartbeat(path: Path) -> Heartbeat:
    """The heartbeat in ``path``; ``OSError`` or ``ValueError`` when there is none."""
    return Heartbeat.from_json(path.read_text(encoding="utf-8"))


def check_health(
    path: Path, now: datetime | None = None, max_age: float = MAX_AGE_SECONDS
) -> HealthReport:
    """Healthy only when the heartbeat is fresh, the gateway connected and the index loaded."""
    moment = now or datetime.now(UTC)
    try:
        beat = read_heartbeat(path)
    except FileNotFoundError:
        return HealthReport(False, f"no heartbeat file at {path} (bot not started yet?)")
    except (OSError, ValueError) as exc:
        return HealthReport(False, f"heartbeat file {path} unreadable: {exc}")

    age = max(0.0, (moment - beat.at).total_seconds())
    if age > max_age:
        return HealthReport(
            False, f"heartbeat is {age:.0f} s old (max {max_age:.0f} s): bot stopped or stuck", beat
        )
    if not beat.gateway_connected:
        return HealthReport(False, "gateway not connected", beat)
    if not beat.index_loaded:
        return HealthReport(False, "episode index not loaded", beat)
    if beat.state_error is not None:
        return HealthReport(
            False,
            f"state file cannot be written: {beat.state_error} (announcements wait; they "
            "resume by themselves once it can)",
            beat,
        )
    latency = f", latency {beat.latency_ms:.0f} ms" if beat.latency_ms is not None else ""
    return HealthReport(
        True,
        f"healthy: gateway connected, {beat.episodes} episodes, {beat.guilds} guilds"
        f"{latency}, heartbeat {age:.0f} s ago",
        beat,
    )
