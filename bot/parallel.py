"""Work through chunks on the other CPU cores as well, with the same result as one by one.

``run_chunks`` hands chunks to worker processes (forked, so nothing is imported again)
as soon as there are enough of them to be worth it, even while more are still being
produced; this process then takes chunks from the far end itself until the two meet,
so no core waits for another. Results come back in chunk order, whoever made them.

Worker processes are only used on Linux (where ``fork`` is safe and cheap) with more
than one usable core. Whatever goes wrong with them (no fork, a worker killed, a result
that cannot be sent back) costs nothing but time: the chunks they did not deliver are
done in this process, so an error in the work itself is raised here as it would be
without workers.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

C = TypeVar("C")  # a chunk of work
P = TypeVar("P")  # what a worker sends back (picklable)
R = TypeVar("R")  # a chunk's result

MAX_WORKERS = 4


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection meanwhile, for bulk work that makes millions of
    objects and no cycles (reading a site, building its index): each collection would
    walk every object made so far.

    Afterwards the objects made meanwhile join the oldest generation directly (freeze,
    then unfreeze) instead of being walked by the next young collection all at once.
    Nested or with collection already off: does nothing."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        gc.enable()


def usable_cores(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """Cores this process may run on: its CPU affinity, within a container's CPU quota."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    quota = cgroup_cpus(cgroup)
    return max(1, min(cores, quota)) if quota else cores


def cgroup_cpus(cgroup: Path) -> int | None:
    """CPUs allowed by the cgroup quota (``docker run --cpus``), rounded up; None if none."""
    try:  # cgroup v2, then v1
        quota, period = (cgroup / "cpu.max").read_text().split()[:2]
    except (OSError, ValueError):
        try:
            quota = (cgroup / "cpu" / "cpu.cfs_quota_us").read_text().strip()
            period = (cgroup / "cpu" / "cpu.cfs_period_us").read_text().strip()
        except OSError:
            return None
    try:
        quota_us, period_us = int(quota), int(period)
    except ValueError:  # "max": no quota
        return None
    if quota_us <= 0 or period_us <= 0:  # v1 says -1 for no quota
        return None
    return -(-quota_us // period_us)


def only_thread() -> bool:
    """Whether this is the process's only thread. Forking while other threads run can
    copy a lock one of them holds (logging, I/O) into the child, locked for ever."""
    return threading.active_count() == 1


def worker_count() -> int:
    """Worker processes to start besides this one: 0 means work here alone."""
    if not sys.platform.startswith("linux"):
        return 0
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    if not only_thread():
        return 0
    return max(0, min(usable_cores() - 1, MAX_WORKERS))


def run_chunks(
    chunks: Iterable[C],
    local: Callable[[C], R],
    remote: Callable[[C], P],
    unpack: Callable[[P], R],
    min_chunks: int = 2,
    workers: int | None = None,
) -> list[R]:
    """``[local(c) for c in chunks]``, computed partly in worker processes.

    ``remote`` runs in a worker (a module-level function, or a ``functools.partial`` of
    one) and must give what ``unpack`` turns into ``local``'s result for that chunk.
    Workers start once ``min_chunks`` chunks have come; with fewer, or with ``workers``
    (default ``worker_count()``) 0, everything is done here.
    """
    count = worker_count() if workers is None else workers
    todo: list[C] = []
    pool: ProcessPoolExecutor | None = None
    futures: list[Future[P]] = []
    try:
        for chunk in chunks:
            todo.append(chunk)
            if pool is not None:
                futures.append(_submit(pool, remote, chunk))
            elif count > 0 and len(todo) >= max(2, min_chunks):
                pool = _start(count)
                count = 0  # no second try
                futures = [_submit(pool, remote, c) for c in todo] if pool else []
        return _finish(todo, futures, local, unpack)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _start(count: int) -> ProcessPoolExecutor | None:
    try:
        return ProcessPoolExecutor(
            max_workers=count, mp_context=multiprocessing.get_context("fork")
        )
    except Exception as exc:  # no fork, no semaphores, ...
        log.warning("could not start worker processes (%s); working in this process", exc)
        return None


def _submit(pool: ProcessPoolExecutor, remote: Callable[[C], P], chunk: C) -> Future[P]:
    try:
        return pool.submit(remote, chunk)
    except Exception as exc:  # a daemon process, no processes left, a broken pool, ...
        failed: Future[P] = Future()
        failed.set_exception(exc)
        return failed


def _finish(
    todo: list[C], futures: list[Future[P]], local: Callable[[C], R], unpack: Callable[[P], R]
) -> list[R]:
    if not futures:
        return [local(chunk) for chunk in todo]
    results: list[R | None] = [None] * len(todo)
    # Take chunks from the end until one a worker has already started; between two,
    # unpack what the workers have sent so far, so that little is left at the end.
    mine, sent = len(todo) - 1, 0  # chunks below ``sent`` are unpacked
    failures: list[BaseException] = []
    while mine >= sent and futures[mine].cancel():
        results[mine] = local(todo[mine])
        mine -= 1
        while sent <= mine and futures[sent].done():
            results[sent] = _collect(futures[sent], todo[sent], local, unpack, failures)
            sent += 1
    for index in range(sent, mine + 1):
        results[index] = _collect(futures[index], todo[index], local, unpack, failures)
    return results  # type: ignore[return-value]  # every slot is filled above


def _collect(
    future: Future[P],
    chunk: C,
    local: Callable[[C], R],
    unpack: Callable[[P], R],
    failures: list[BaseException],
) -> R:
    try:
        sent = future.result()
    except Exception as exc:  # a worker died or could not send its result back
        if not failures:
            log.warning("worker processes failed (%s); their chunks are redone here", exc)
        failures.append(exc)
        return local(chunk)
    return unpack(sent)
