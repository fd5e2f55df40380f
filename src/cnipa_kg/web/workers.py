"""SPARQL queries in worker processes, so that a timeout really ends the query, and fairly shared.

pyoxigraph cannot cancel a running query from another thread, so each query of the endpoint
runs in a worker process that holds its own read-only copy of the release. When a query outlives
its deadline the worker is killed (SIGKILL: the query ends, its memory goes back to the system)
and a fresh worker is started in its place. Workers live in an empty network namespace
(:mod:`.isolation`) and die with the server.

Sharing: requests wait for a worker only until their own deadline; a client (an IP address) may
have at most ``per_client`` queries waiting or running (more: :class:`Busy`, HTTP 429) and may run
on at most ``size - 1`` workers at once (with two or more), so one client's runaway queries
cannot take every worker; a free worker goes to the waiting client with the fewest running.

The pool starts with the first query (or at the app's startup), so an app mounted inside another
app, whose startup never runs, works too. Waiting for an answer takes one thread per busy worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing as mp
import os
import time
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path

from ..core.formats import rdf_format_for
from .evaluate import TEXT, Answer, Job, evaluate
from .isolation import die_with_parent, isolate_network, netns_inode, network_isolated

log = logging.getLogger("cnipa_kg.web")


class QueryTimeout(Exception):
    pass


class Busy(Exception):
    """The client has too many queries waiting or running."""


def open_store(files: list[str], graph_name: str):
    """A pyoxigraph store with the release files loaded into the named graph ``graph_name``."""
    import pyoxigraph as ox

    store = ox.Store()
    for f in files:
        with open(f, "rb") as fh:
            store.bulk_load(fh, format=rdf_format_for(f), to_graph=ox.NamedNode(graph_name))
    return store


def _worker_main(conn: Connection, files: list[str], graph_name: str, parent: int, parent_netns: int) -> None:
    die_with_parent(parent)
    isolate_network()  # before any thread starts
    isolated = network_isolated(parent_netns)
    store = open_store(files, graph_name)
    conn.send(("ready", os.getpid(), isolated))
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        try:
            answer = evaluate(store, job)
        except Exception as exc:  # noqa: BLE001 - an evaluation error is the query's, not the server's
            answer = Answer(500, TEXT, f"query evaluation failed: {exc}".encode())
        conn.send(answer)


class _Worker:
    def __init__(self, ctx, files: list[str], graph_name: str) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, files, graph_name, os.getpid(), netns_inode()),
                                   daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.join(timeout=2)
        with contextlib.suppress(Exception):
            self.conn.close()


class QueryPool:
    """A fixed number of worker processes, shared fairly; :meth:`run` enforces the deadline by killing."""

    def __init__(self, files: list[str | Path], *, graph_name: str, size: int = 2, per_client: int = 4) -> None:
        self.files = [str(f) for f in files]
        self.graph_name = graph_name
        self.size = max(1, size)
        self.per_client = max(1, per_client)
        self.max_running = self.size - 1 if self.size > 1 else 1  #: workers one client may hold at once
        self._ctx = mp.get_context("spawn")
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._waiting: dict[str, deque[asyncio.Future]] = defaultdict(deque)
        self._running: dict[str, int] = defaultdict(int)
        self._starting: asyncio.Future | None = None
        self.isolated: bool | None = None  #: whether the workers run without a network (None: not started)
        self.killed = 0
        self._executor = ThreadPoolExecutor(max_workers=2 * self.size + 2, thread_name_prefix="cnipa-kg-query")

    async def start(self) -> None:
        """Start the workers (once; later calls wait for the first)."""
        if self._starting is None:
            self._starting = asyncio.ensure_future(asyncio.gather(*(self._spawn() for _ in range(self.size))))
        await asyncio.shield(self._starting)

    async def _spawn(self) -> None:
        worker = _Worker(self._ctx, self.files, self.graph_name)
        self._all.add(worker)
        message = await self._recv(worker, deadline=time.monotonic() + 120)
        if not (isinstance(message, tuple) and message[0] == "ready"):
            raise RuntimeError("query worker failed to start")
        if not message[2] and self.isolated is not False:
            log.warning("query workers are NOT isolated from the network (no network namespace here): "
                        "SERVICE is refused by the query check alone")
        self.isolated = bool(message[2]) if self.isolated is None else (self.isolated and bool(message[2]))
        self._idle.append(worker)
        self._dispatch()

    async def _recv(self, worker: _Worker, *, deadline: float):
        """Wait for the worker's answer until ``deadline`` (asyncio.TimeoutError after it).

        The wait runs in a small dedicated thread pool (one thread per busy worker at most):
        ``loop.add_reader`` on the pipe is not reliable under uvloop when the loop runs in a
        non-main thread (as in an embedding app or a test server).
        """
        loop = asyncio.get_running_loop()
        remaining = max(0.0, deadline - time.monotonic())

        def wait() -> object:
            if worker.conn.poll(remaining):
                return worker.conn.recv()
            raise asyncio.TimeoutError()

        return await loop.run_in_executor(self._executor, wait)

    def _dispatch(self) -> None:
        """Give idle workers to waiting requests: the client with the fewest running goes first."""
        while self._idle:
            ready = [(self._running[c], c) for c, q in self._waiting.items() if q and self._running[c] < self.max_running]
            if not ready:
                return
            _, client = min(ready)
            future = self._waiting[client].popleft()
            if future.done():  # gave up (deadline or disconnect)
                continue
            self._running[client] += 1
            future.set_result(self._idle.pop())

    def _release(self, client: str, worker: _Worker | None) -> None:
        self._running[client] -= 1
        if self._running[client] <= 0:
            self._running.pop(client, None)
        if worker is not None:
            self._idle.append(worker)
        if not self._waiting.get(client):
            self._waiting.pop(client, None)
        self._dispatch()

    def _replace(self, worker: _Worker) -> None:
        self._all.discard(worker)
        worker.kill()
        self.killed += 1
        asyncio.get_running_loop().create_task(self._spawn())

    def load(self, client: str) -> int:
        """Queries of ``client`` waiting or running."""
        return self._running.get(client, 0) + sum(1 for f in self._waiting.get(client, ()) if not f.done())

    async def run(self, job: Job, *, timeout: float, client: str = "") -> Answer:
        """Evaluate in a worker; :class:`QueryTimeout` when ``timeout`` seconds pass first,
        :class:`Busy` when ``client`` already has ``per_client`` queries waiting or running."""
        deadline = time.monotonic() + timeout
        if self._starting is None or not self._starting.done():
            await self.start()
        if self.load(client) >= self.per_client:
            raise Busy()
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._waiting[client].append(future)
        self._dispatch()
        try:
            worker = await asyncio.wait_for(asyncio.shield(future), timeout=max(0.0, deadline - time.monotonic()))
        except (asyncio.TimeoutError, asyncio.CancelledError) as exc:
            if future.done() and not future.cancelled():  # a worker arrived as we gave up: hand it back
                self._release(client, future.result())
            else:
                future.cancel()
                with contextlib.suppress(ValueError):
                    self._waiting[client].remove(future)
                if not self._waiting.get(client):
                    self._waiting.pop(client, None)
            if isinstance(exc, asyncio.CancelledError):
                raise
            raise QueryTimeout() from None
        try:
            worker.conn.send(job)
            answer = await self._recv(worker, deadline=deadline)
        except asyncio.TimeoutError:
            self._replace(worker)
            self._release(client, None)
            raise QueryTimeout() from None
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            self._release(client, None)
            return Answer(500, TEXT, b"query worker died")
        except BaseException:
            self._replace(worker)  # cancelled (client went away) or worse: the worker's state is unknown
            self._release(client, None)
            raise
        self._release(client, worker)
        return answer

    async def stop(self) -> None:
        for worker in list(self._all):
            with contextlib.suppress(Exception):
                worker.conn.send(None)
            worker.kill()
        self._all.clear()
        self._idle.clear()
        self._starting = None
        self._executor.shutdown(wait=False, cancel_futures=True)
