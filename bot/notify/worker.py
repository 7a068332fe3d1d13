"""The state file's own thread: every store call the bot makes runs there, never on the
event loop.

SQLite calls block: a busy lock waits up to the busy timeout, a slow disk as long as
it takes. ``StoreWorker.run(fn, ...)`` hands the call to one dedicated thread (one, so
calls keep their order and one connection is never used by two threads at once) and
awaits its result, so the gateway, interactions and every other task go on meanwhile.

Pure core: asyncio and threads only, no discord.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class StoreWorker:
    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="state-file")

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` on the state file's thread; its result or its error."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))

    def shutdown(self) -> None:
        """Finish the calls already handed over, then stop the thread."""
        self._pool.shutdown(wait=True)
