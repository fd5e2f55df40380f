"""The one way the pipeline runs work in other processes: forked workers, results in order, and a
worker that dies is an error, not a hang. (The server's query workers are a pool of their own in
:mod:`cnipa_kg.web.workers`: long-lived, killed at a deadline.)

The workers are forked, so they share what the parent prepared (notices, parsed shapes, the
N-Triples lines) without pickling it; only task numbers go in and results come back.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
from collections.abc import Callable, Iterator
from typing import TypeVar

from .errors import CnipaKgError

T = TypeVar("T")


def workers_for(tasks: int) -> int:
    """Worker processes for ``tasks`` tasks: one per core (at most 4); none for one or two tasks or without ``fork``."""
    if tasks <= 2 or "fork" not in mp.get_all_start_methods():
        return 0
    return max(0, min(4, os.cpu_count() or 1, tasks))


_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_prctl = None  #: libc's prctl (Linux), loaded in the parent: a worker only calls it


def _load_prctl():
    global _prctl
    if _prctl is None and sys.platform.startswith("linux"):
        import ctypes
        import ctypes.util

        try:
            _prctl = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
        except (OSError, AttributeError):
            pass
    return _prctl


def _init_worker(parent: int) -> None:
    """Workers ignore SIGINT: Ctrl-C reaches the whole process group, and the parent alone reports it
    (and stops the pool, letting a running task finish); a worker would print a traceback.

    And workers die with their parent: the kernel SIGKILLs a worker when the parent dies (Linux
    ``prctl(PR_SET_PDEATHSIG)``; nothing elsewhere), and a worker whose parent died before that was
    in place ends at once. Otherwise a worker of a killed build lives on, blocked on a pipe its
    fellow workers keep open, holding the caller's stderr open (a pipeline reading it never ends).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:  # the parent died between fork and prctl: no signal will come
        os._exit(1)


def forked_map(fn: Callable[[int], T], count: int, workers: int) -> Iterator[T]:
    """``fn(0) … fn(count - 1)`` in order, in ``workers`` forked processes (0: in this process).

    On any exception in the caller (Ctrl-C included) the tasks not yet started are cancelled and
    the workers end before this returns; if the caller is killed, the kernel kills the workers.
    (On Linux the kill comes when the *thread* that forked them ends: call this from a thread that
    outlives the iteration, as a plain ``for`` loop does.)

    :raises CnipaKgError: a worker process died (killed, or out of memory)
    """
    if not workers:
        yield from map(fn, range(count))
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    _load_prctl()
    executor = ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"), initializer=_init_worker,
                                   initargs=(os.getpid(),))
    try:
        yield from executor.map(fn, range(count))
    except BrokenProcessPool:
        raise CnipaKgError("a worker process died (killed, or out of memory?); nothing was written") from None
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
