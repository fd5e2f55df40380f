"""The one way the pipeline runs work in other processes: forked workers, results in order, and a
worker that dies is an error, not a hang. (The server's query workers are a pool of their own in
:mod:`cnipa_kg.web.workers`: long-lived, killed at a deadline.)

The workers are forked, so they share what the parent prepared (notices, parsed shapes, the
N-Triples lines) without pickling it; only task numbers go in and results come back.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterator
from typing import TypeVar

from .errors import CnipaKgError

T = TypeVar("T")


def workers_for(tasks: int) -> int:
    """Worker processes for ``tasks`` tasks: one per core (at most 4); none for one or two tasks or without ``fork``."""
    if tasks <= 2 or "fork" not in mp.get_all_start_methods():
        return 0
    return max(0, min(4, os.cpu_count() or 1, tasks))


def _leave_ctrl_c_to_the_parent() -> None:
    """Workers ignore SIGINT: Ctrl-C reaches the whole process group, and the parent alone reports it
    (and stops the pool, letting a running task finish); a worker would print a traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def forked_map(fn: Callable[[int], T], count: int, workers: int) -> Iterator[T]:
    """``fn(0) … fn(count - 1)`` in order, in ``workers`` forked processes (0: in this process).

    On any exception in the caller (Ctrl-C included) the tasks not yet started are cancelled and
    the workers end before this returns.

    :raises CnipaKgError: a worker process died (killed, or out of memory)
    """
    if not workers:
        yield from map(fn, range(count))
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    executor = ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"), initializer=_leave_ctrl_c_to_the_parent)
    try:
        yield from executor.map(fn, range(count))
    except BrokenProcessPool:
        raise CnipaKgError("a worker process died (killed, or out of memory?); nothing was written") from None
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
