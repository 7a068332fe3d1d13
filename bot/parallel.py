"""Work through chunks on the other CPU cores as well, with the same result as one by one.

``run_chunks`` gives each chunk to a worker process (forked, so nothing is imported
again) while this process takes chunks from the far end itself, until the two meet;
no core waits for another. Results come back in chunk order, whoever read them.

Worker processes are only used on Linux (where ``fork`` is safe and cheap) with more
than one usable core. Whatever goes wrong with them (no fork, a worker killed, a result
that cannot be sent back) costs nothing but time: the chunks they did not deliver are
done in this process, so an error in the work itself is raised here as it would be
without workers.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

log = logging.getLogger(__name__)

C = TypeVar("C")  # a chunk of work
P = TypeVar("P")  # what a worker sends back (picklable)
R = TypeVar("R")  # a chunk's result

MAX_WORKERS = 4


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worker_count(chunks: int) -> int:
    """Worker processes to start besides this one: 0 means work here alone."""
    if not sys.platform.startswith("linux") or chunks < 2:
        return 0
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return max(0, min(usable_cores() - 1, MAX_WORKERS, chunks - 1))


def run_chunks(
    chunks: Sequence[C],
    local: Callable[[C], R],
    remote: Callable[[C], P],
    unpack: Callable[[P], R],
    workers: int | None = None,
) -> list[R]:
    """``[local(c) for c in chunks]``, computed partly in worker processes.

    ``remote`` runs in a worker (a module-level function, or a ``functools.partial`` of
    one) and must give what ``unpack`` turns into ``local``'s result for that chunk.
    ``workers`` defaults to ``worker_count(len(chunks))``.
    """
    count = worker_count(len(chunks)) if workers is None else workers
    if count <= 0 or len(chunks) < 2:
        return [local(chunk) for chunk in chunks]
    results: list[R | None] = [None] * len(chunks)
    pool, futures = _submit(chunks, remote, count)
    try:
        # Take chunks from the end until one a worker has already started.
        mine = len(chunks) - 1
        while mine >= 0 and (not futures or futures[mine].cancel()):
            results[mine] = local(chunks[mine])
            mine -= 1
        for index in range(mine + 1):
            results[index] = _collect(futures[index], chunks[index], local, unpack)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return results  # type: ignore[return-value]  # every slot is filled above


def _submit(
    chunks: Sequence[C], remote: Callable[[C], P], count: int
) -> tuple[ProcessPoolExecutor | None, list[Future[P]]]:
    pool: ProcessPoolExecutor | None = None
    try:
        context = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(max_workers=count, mp_context=context)
        return pool, [pool.submit(remote, chunk) for chunk in chunks]
    except Exception as exc:  # no fork, no processes left, a daemon process, ...
        log.warning("could not start worker processes (%s); working in this process", exc)
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        return None, []


def _collect(future: Future[P], chunk: C, local: Callable[[C], R], unpack: Callable[[P], R]) -> R:
    try:
        sent = future.result()
    except Exception as exc:  # a worker died or could not send its result back
        log.warning("a worker process failed (%s); redoing its chunk in this process", exc)
        return local(chunk)
    return unpack(sent)
