"""SPARQL queries in worker processes, so that a timeout really ends the query.

pyoxigraph cannot cancel a running query from another thread, so each query of the
endpoint runs in a worker process that holds its own read-only copy of the release. When a
query outlives its deadline the worker is killed (SIGKILL: the query ends, its memory goes
back to the system) and a fresh worker is started in its place. Requests wait for an idle
worker only until their own deadline, so a burst of runaway queries cannot hold the others
past their timeout.

Waiting for an answer takes one thread per busy worker (never one per request): requests
queue for an idle worker on the event loop. The pool starts with the first query (or at the
app's startup), so an app mounted inside another app, whose startup never runs, works too.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from ..core.formats import GRAPH_MEDIA, SOLUTION_MEDIA, graph_format, rdf_format_for, solutions_format

@dataclass(frozen=True)
class Answer:
    status: int  #: 200, or 400 (bad query), 406 (no acceptable format), 500
    media_type: str
    body: bytes
    kind: str = ""  #: "solutions", "boolean" or "graph"


class QueryTimeout(Exception):
    pass


def open_store(files: list[str], graph_name: str):
    """A pyoxigraph store with the release files loaded into the named graph ``graph_name``."""
    import pyoxigraph as ox

    store = ox.Store()
    for f in files:
        with open(f, "rb") as fh:
            store.bulk_load(fh, format=rdf_format_for(f), to_graph=ox.NamedNode(graph_name))
    return store


def evaluate(store, query: str, accept: list[str], *, default_graphs: list[str], named_graphs: list[str]) -> Answer:
    """Run one query and serialise it in the first of ``accept`` that fits its result."""
    import pyoxigraph as ox

    kwargs: dict = {"use_default_graph_as_union": not default_graphs}
    if default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    if named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    try:
        result = store.query(query, **kwargs)
    except SyntaxError as exc:
        return Answer(400, "text/plain; charset=utf-8", f"malformed query: {exc}".encode())
    except ValueError as exc:
        return Answer(400, "text/plain; charset=utf-8", f"bad request: {exc}".encode())
    if isinstance(result, ox.QueryTriples):
        media = next((m for m in accept if m in GRAPH_MEDIA), None)
        if media is None:
            return Answer(406, "text/plain; charset=utf-8", b"no acceptable format for a graph result", "graph")
        return Answer(200, media, result.serialize(format=graph_format(media)), "graph")
    kind = "boolean" if isinstance(result, ox.QueryBoolean) else "solutions"
    media = next((m for m in accept if m in SOLUTION_MEDIA), None)
    if media is None:
        return Answer(406, "text/plain; charset=utf-8", b"no acceptable format for a SELECT/ASK result", kind)
    if kind == "boolean" and SOLUTION_MEDIA[media] in ("CSV", "TSV"):
        body = (b"true\n" if bool(result) else b"false\n")
        return Answer(200, media, body, kind)
    return Answer(200, media, result.serialize(format=solutions_format(media)), kind)


def isolate_network() -> bool:
    """Move this process into a new, empty network namespace (Linux), so no query can reach out.

    Defence in depth behind the server's refusal of ``SERVICE``: the worker keeps its pipe to the
    server (an inherited file descriptor) but has no network interface that leads anywhere.
    Returns False where namespaces are not available (then the keyword check alone protects).
    """
    import ctypes
    import ctypes.util

    clone_newnet, clone_newuser = 0x40000000, 0x10000000
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return False
    for flags in (clone_newnet, clone_newuser | clone_newnet):
        if libc.unshare(flags) == 0:
            return True
    return False


def _worker_main(conn: Connection, files: list[str], graph_name: str) -> None:
    isolate_network()
    store = open_store(files, graph_name)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        query, accept, default_graphs, named_graphs = job
        try:
            answer = evaluate(store, query, accept, default_graphs=default_graphs, named_graphs=named_graphs)
        except Exception as exc:  # an evaluation error is the query's, not the server's
            answer = Answer(500, "text/plain; charset=utf-8", f"query evaluation failed: {exc}".encode())
        conn.send(answer)


class _Worker:
    def __init__(self, ctx, files: list[str], graph_name: str) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, files, graph_name), daemon=True)
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
    """A fixed number of worker processes; :meth:`run` enforces the deadline by killing."""

    def __init__(self, files: list[str | Path], *, graph_name: str, size: int = 2) -> None:
        self.files = [str(f) for f in files]
        self.graph_name = graph_name
        self.size = max(1, size)
        self._ctx = mp.get_context("spawn")
        self._idle: asyncio.Queue[_Worker] | None = None
        self._starting: asyncio.Task | None = None
        self._all: set[_Worker] = set()
        self.killed = 0
        # one waiting thread per worker, plus room for workers being replaced
        self._executor = ThreadPoolExecutor(max_workers=2 * self.size + 2, thread_name_prefix="cnipa-kg-query")

    async def start(self) -> None:
        """Start the workers (once; later calls wait for the first)."""
        if self._starting is None:
            self._idle = asyncio.Queue()
            self._starting = asyncio.ensure_future(asyncio.gather(*(self._spawn() for _ in range(self.size))))
        await asyncio.shield(self._starting)

    async def _spawn(self) -> None:
        worker = _Worker(self._ctx, self.files, self.graph_name)
        self._all.add(worker)
        message = await self._recv(worker, deadline=time.monotonic() + 120)
        if not (isinstance(message, tuple) and message[0] == "ready"):
            raise RuntimeError("query worker failed to start")
        assert self._idle is not None
        self._idle.put_nowait(worker)

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

    def _replace(self, worker: _Worker) -> None:
        self._all.discard(worker)
        worker.kill()
        self.killed += 1
        asyncio.get_running_loop().create_task(self._spawn())

    async def run(self, query: str, accept: list[str], *, timeout: float,
                  default_graphs: list[str] = (), named_graphs: list[str] = ()) -> Answer:
        """Evaluate in a worker; raise :class:`QueryTimeout` when ``timeout`` seconds pass first."""
        deadline = time.monotonic() + timeout
        if self._starting is None or not self._starting.done():
            await self.start()
        assert self._idle is not None
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout=max(0.0, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            raise QueryTimeout() from None
        try:
            worker.conn.send((query, list(accept), list(default_graphs), list(named_graphs)))
            answer = await self._recv(worker, deadline=deadline)
        except asyncio.TimeoutError:
            self._replace(worker)
            raise QueryTimeout() from None
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            return Answer(500, "text/plain; charset=utf-8", b"query worker died")
        except BaseException:
            self._replace(worker)  # cancelled (client went away) or worse: the worker's state is unknown
            raise
        self._idle.put_nowait(worker)
        return answer

    async def stop(self) -> None:
        for worker in list(self._all):
            with contextlib.suppress(Exception):
                worker.conn.send(None)
            worker.kill()
        self._all.clear()
        self._starting = None
        self._executor.shutdown(wait=False, cancel_futures=True)
