"""A per-user sliding-window rate limit for searches, shared by every front end.

Pure core: no discord import.
"""

from __future__ import annotations

import time
from collections.abc import Callable

FORGET_AFTER = 10_000  # users remembered before idle ones are dropped


class Cooldown:
    """At most ``rate`` uses per ``per`` seconds for each user (a sliding window).

    ``first_warning`` says whether a refused user has already been told to wait
    during the current wait, so public answers (mentions) warn once, then stay quiet.
    """

    def __init__(self, rate: int, per: float, clock: Callable[[], float] | None = None):
        self.rate = rate
        self.per = per
        # Looked up at call time, so a patched monotonic clock (SimCord's) is honoured.
        self.clock = clock or (lambda: time.monotonic())
        self._uses: dict[int, list[float]] = {}
        self._warned_until: dict[int, float] = {}

    def retry_after(self, user_id: int) -> float:
        """0 when the user may go ahead now (and counts the use), else seconds to wait."""
        now = self.clock()
        uses = [u for u in self._uses.get(user_id, ()) if now - u < self.per]
        if len(uses) >= self.rate:
            self._uses[user_id] = uses
            return self.per - (now - uses[0])
        uses.append(now)
        self._uses[user_id] = uses
        if len(self._uses) > FORGET_AFTER:  # forget idle users
            self._uses = {k: v for k, v in self._uses.items() if v and now - v[-1] < self.per}
        return 0.0

    def first_warning(self, user_id: int, wait: float) -> bool:
        """After ``retry_after`` returned ``wait`` > 0: True the first time in this wait
        (tell the user), False while the same wait lasts."""
        now = self.clock()
        if now < self._warned_until.get(user_id, float("-inf")):
            return False
        self._warned_until[user_id] = now + wait
        if len(self._warned_until) > FORGET_AFTER:
            self._warned_until = {k: v for k, v in self._warned_until.items() if v > now}
        return True
