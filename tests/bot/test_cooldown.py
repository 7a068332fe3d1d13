"""The per-user search cooldown: a sliding window, and one warning per wait."""

from __future__ import annotations

from bot.cooldown import Cooldown


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_each_user_has_their_own_window():
    clock = Clock()
    cooldown = Cooldown(2, 60, clock)
    assert cooldown.retry_after(1) == 0 and cooldown.retry_after(1) == 0
    assert cooldown.retry_after(1) == 60
    assert cooldown.retry_after(2) == 0
    clock.now += 30
    assert cooldown.retry_after(1) == 30
    clock.now += 30
    assert cooldown.retry_after(1) == 0


def test_a_refused_user_is_warned_once_per_wait():
    clock = Clock()
    cooldown = Cooldown(1, 60, clock)
    cooldown.retry_after(1)
    wait = cooldown.retry_after(1)
    assert cooldown.first_warning(1, wait)
    for _ in range(5):
        clock.now += 10
        assert not cooldown.first_warning(1, cooldown.retry_after(1))
    clock.now += 10  # the wait is over: this use counts, and the next refusal warns again
    assert cooldown.retry_after(1) == 0
    assert cooldown.first_warning(1, cooldown.retry_after(1))
    assert cooldown.first_warning(2, 60)  # someone else
