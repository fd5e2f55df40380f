"""SPARQL queries in worker processes, so that a timeout really ends the query, and fairly shared.

pyoxigraph cannot cancel a running query from another thread, so each query of the endpoint
runs in a worker process that holds its own read-only copy of the release. When a query outlives
its deadline the worker is killed (SIGKILL: the query ends, its memory goes back to the system)
and a fresh worker is started in its place. Workers live in an empty network namespace
(:mod:`.isolation`), die with the server, and are started by :mod:`.query_process` (a fresh
interpreter that runs only our module, never the host's ``__main__``, and inherits no descriptor but
its end of the wire, so never a client's socket).

The wire (:mod:`.wire`) is a socketpair read by the event loop. Up to ``depth`` queries are in
flight on one worker at a time (pipelined: the next is waiting in the worker when the last
ends), but only behind queries that started less than ``stall`` seconds ago; queries waiting
behind one that has run longer are withdrawn and go to another worker (or wait), so nothing
queues behind a long query. When a worker is killed, the queries that were waiting in it go
back to the head of the queue (or get 503 at their own deadline); none is lost.

Sharing: a client (an IP address) may have at most ``per_client`` queries waiting or running
(more: :class:`Busy`, HTTP 429) and may have queries on at most ``size - 1`` workers at once
(with two or more), so one client's runaway queries cannot take every worker; a free place goes
to the waiting client with the fewest queries in flight.

The pool starts with the first query (or at the app's startup), so an app mounted inside another
app, whose startup never runs, works too. Everything runs on the event loop: no thread waits,
and a killed worker is reaped by polling (``waitpid`` with ``WNOHANG``), never by blocking.

This module is over 300 lines: dispatch, pipelining, withdrawal, deadlines and kills are one
state machine over the same tickets and workers, and each rule reads best beside the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import socket
import time
from collections import deque
from pathlib import Path

from .evaluate import TEXT, Answer, Job
from .isolation import netns_inode
from .query_process import start as start_worker
from .wire import (
    HEADER,
    KINDS,
    MEDIA,
    READY,
    SKIPPED,
    STOP_FRAME,
    job_frame,
    open_store,
    withdraw_frame,
)

__all__ = ["Busy", "QueryPool", "QueryTimeout", "open_store"]
log = logging.getLogger("cnipa_kg.web")
_DIED = Answer(500, TEXT, b"query worker died")


class QueryTimeout(Exception):
    pass


class Busy(Exception):
    """The client has too many queries waiting or running."""


class _Ticket:
    """One request's query: waiting, or in flight on ``worker`` as ``entry``."""

    __slots__ = ("client", "deadline", "done", "entry", "future", "job", "timer", "worker")

    def __init__(self, client: str, deadline: float, job: Job, future: asyncio.Future) -> None:
        self.client, self.deadline, self.job, self.future = client, deadline, job, future
        self.done, self.entry, self.worker, self.timer = False, None, None, None


class _Entry:
    """A job sent to a worker, which will answer it (``stale``: nobody waits for that answer)."""

    __slots__ = ("ident", "stale", "ticket")

    def __init__(self, ident: int, ticket: _Ticket) -> None:
        self.ident, self.ticket, self.stale = ident, ticket, False


class _Worker:
    __slots__ = ("dead", "head_start", "inflight", "overrun", "process", "ready", "transport")

    def __init__(self, process, ready: asyncio.Future) -> None:
        self.process, self.ready = process, ready
        self.transport = None
        self.inflight: deque[_Entry] = deque()  #: in the order sent; the first is running
        self.head_start = 0.0  #: when the first of ``inflight`` started
        self.dead = False
        self.overrun: asyncio.TimerHandle | None = None


class _Wire(asyncio.Protocol):
    """The server's end of a worker's socketpair: frames in, :meth:`QueryPool._answered` out."""

    def __init__(self, pool: QueryPool, worker: _Worker) -> None:
        self.pool, self.worker, self.buf = pool, worker, bytearray()

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        if buf:
            buf += data
            data = buf
        pos, end, limit = 0, len(data), self.pool.max_frame
        while end - pos >= HEADER.size:
            size, ident, status, kind, media = HEADER.unpack_from(data, pos)
            if size > limit or media >= len(MEDIA) or kind >= len(KINDS):
                self.pool._kill(self.worker, _DIED)
                return
            stop = pos + HEADER.size + size
            if stop > end:
                break
            body = data[pos + HEADER.size:stop] if data is not buf else bytes(memoryview(buf)[pos + HEADER.size:stop])
            pos = stop
            self.pool._answered(self.worker, ident, status, kind, media, body)
            if self.worker.dead:
                return
        if data is buf:
            del buf[:pos]
        elif pos < end:
            buf += data[pos:]

    def connection_lost(self, exc) -> None:
        self.pool._kill(self.worker, _DIED)


class QueryPool:
    """Worker processes shared fairly; :meth:`run` enforces the deadline by killing."""

    def __init__(self, files: list[str | Path], *, graph_name: str, size: int = 2, per_client: int = 4,
                 prefixes: tuple[tuple[str, str], ...] = (), depth: int = 4, stall: float = 0.05,
                 max_answer_bytes: int = 64 << 20) -> None:
        self.files = [str(f) for f in files]
        self.graph_name = graph_name
        self.prefixes = tuple(prefixes)
        self.size = max(1, size)
        self.per_client = max(1, per_client)
        self.max_running = self.size - 1 if self.size > 1 else 1  #: workers one client may have queries on
        self.depth = max(1, depth)  #: queries in flight on one worker
        self.stall = stall  #: seconds after which nothing more waits behind a running query
        self.max_frame = max_answer_bytes + (1 << 20)
        self._workers: list[_Worker] = []  #: ready and alive
        self._all: set[_Worker] = set()  #: alive, starting included
        self._waiting: dict[str, deque[_Ticket]] = {}
        self._nwaiting = 0
        self._load: dict[str, int] = {}  #: client -> its queries waiting or in flight
        self._held: dict[str, dict[_Worker, int]] = {}  #: client -> worker -> its queries in flight there
        self._ids = itertools.count(1)
        self._tick: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task] = set()
        self._starting: asyncio.Future | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False
        self._dying: set = set()  #: killed worker processes not reaped yet
        self.isolated: bool | None = None  #: whether the workers run without a network (None: not started)
        self.killed = 0  #: workers killed or dead while serving (deadline, death), not at stop
        self.pipelined = 0  #: queries sent to a worker that was still busy with another
        self.withdrawn = 0  #: queries taken back from behind a query that ran ``stall`` seconds
        self.requeued = 0  #: queries that were waiting in a worker when it was killed, sent again

    # -- workers --------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the workers (once; later calls wait for the first)."""
        if self._starting is None:
            self._loop = asyncio.get_running_loop()
            self._stopping = False
            self._starting = asyncio.ensure_future(asyncio.gather(*(self._spawn() for _ in range(self.size))))
        await asyncio.shield(self._starting)

    async def _spawn(self) -> None:
        loop = asyncio.get_running_loop()
        mine, theirs = socket.socketpair()
        try:
            process = start_worker(theirs, self.files, self.graph_name, self.prefixes, os.getpid(), netns_inode())
        finally:
            theirs.close()
        worker = _Worker(process, loop.create_future())
        self._all.add(worker)
        worker.transport, _ = await loop.create_unix_connection(lambda: _Wire(self, worker), sock=mine)
        if worker.dead:  # stopped while connecting
            worker.transport.abort()
        try:
            isolated = await asyncio.wait_for(asyncio.shield(worker.ready), timeout=120)
        except (TimeoutError, RuntimeError):  # no READY within 120 s, or it died first
            self._kill(worker, None, respawn=False)
            raise RuntimeError("query worker failed to start") from None
        if not isolated and self.isolated is not False:
            log.warning("query workers are NOT isolated from the network (no network namespace here): "
                        "SERVICE is refused by the query check alone")
        self.isolated = isolated if self.isolated is None else (self.isolated and isolated)
        if worker.dead or self._stopping:
            self._kill(worker, None, respawn=False)
            return
        self._workers.append(worker)
        self._dispatch()

    def _respawn(self) -> None:
        async def spawn() -> None:
            try:
                await self._spawn()
            except Exception as exc:  # noqa: BLE001 - logged; the next kill tries again
                log.error("could not start a query worker: %s", exc)

        task = self._loop.create_task(spawn())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _kill(self, worker: _Worker, first: Answer | None, *, respawn: bool = True) -> None:
        """Kill ``worker``; its running query is answered ``first`` (None: it timed out, 503), the
        ones waiting in it go back to the head of the queue."""
        if worker.dead:
            return
        worker.dead = True
        with contextlib.suppress(ValueError):
            self._workers.remove(worker)
        self._all.discard(worker)
        with contextlib.suppress(Exception):
            worker.process.kill()
        if worker.transport is not None:
            worker.transport.abort()
        if worker.overrun is not None:
            worker.overrun.cancel()
        if not worker.ready.done():
            worker.ready.set_exception(RuntimeError("query worker stopped"))
            worker.ready.exception()  # retrieved: nobody else may wait for it
        self.killed += not self._stopping
        self._dying.add(worker.process)
        self._reap(worker.process, 0)
        entries, moved = list(worker.inflight), []
        worker.inflight.clear()
        for i, entry in enumerate(entries):
            ticket = entry.ticket
            if entry.stale or ticket.done:
                continue
            if i == 0 or self._stopping:
                if first is None or self._stopping:
                    self._finish(ticket, None, QueryTimeout())
                else:
                    self._finish(ticket, first, None)
            else:
                self._unhold(ticket)
                moved.append(ticket)
        self.requeued += len(moved)
        for ticket in reversed(moved):
            self._enqueue(ticket, front=True)
        if respawn and not self._stopping:
            self._respawn()
        self._dispatch()

    def _reap(self, process, tries: int) -> None:
        """Collect a killed worker's exit status without blocking (its zombie is gone after)."""
        if process.poll() is not None:
            self._dying.discard(process)
        elif tries < 600 and self._loop is not None and not self._loop.is_closed():
            self._loop.call_later(0.02 if tries < 50 else 0.5, self._reap, process, tries + 1)

    async def stop(self) -> None:
        self._stopping = True
        for worker in list(self._all):
            with contextlib.suppress(Exception):
                worker.transport.write(STOP_FRAME)
            self._kill(worker, None, respawn=False)
        for queue in list(self._waiting.values()):
            for ticket in list(queue):
                self._finish(ticket, None, QueryTimeout())
        for task in list(self._tasks):
            task.cancel()
        for _ in range(100):  # reaped by _reap: wait a little for the processes to be gone
            if not self._dying:
                break
            await asyncio.sleep(0.02)
        self._starting = None

    # -- queries ----------------------------------------------------------------------------------------

    def load(self, client: str) -> int:
        """Queries of ``client`` waiting or in flight."""
        return self._load.get(client, 0)

    async def run(self, job: Job, *, timeout: float, client: str = "") -> Answer:
        """Evaluate in a worker; :class:`QueryTimeout` when ``timeout`` seconds pass first,
        :class:`Busy` when ``client`` already has ``per_client`` queries waiting or running."""
        now = time.monotonic()
        deadline = now + timeout
        if self._starting is None or not self._starting.done():
            await self.start()  # (a mounted app's first query): the workers' start counts against the deadline
            now = time.monotonic()
        load = self._load.get(client, 0)
        if load >= self.per_client:
            raise Busy()
        ticket = _Ticket(client, deadline, job, self._loop.create_future())
        self._load[client] = load + 1
        ticket.timer = self._loop.call_later(max(0.0, deadline - now), self._expire, ticket)
        if not self._nwaiting and (worker := self._pick(client, now)) is not None:
            self._send(ticket, worker, now)
        else:
            self._enqueue(ticket)
            self._dispatch()
        try:
            return await ticket.future
        except asyncio.CancelledError:
            self._finish(ticket, None, QueryTimeout())  # the request is gone: its place is free
            raise

    def _pick(self, client: str, now: float) -> _Worker | None:
        """The least busy worker ``client`` may send a query to now, or None."""
        held = self._held.get(client)
        room = held is None or len(held) < self.max_running
        best, best_n = None, self.depth
        for worker in self._workers:
            n = len(worker.inflight)
            if n >= best_n or (n and now - worker.head_start >= self.stall) or not (room or worker in held):
                continue
            best, best_n = worker, n
            if not n:
                break
        return best

    def _send(self, ticket: _Ticket, worker: _Worker, now: float) -> None:
        ident = next(self._ids) % READY
        entry = _Entry(ident, ticket)
        ticket.entry, ticket.worker = entry, worker
        held = self._held.get(ticket.client)
        if held is None:
            self._held[ticket.client] = {worker: 1}
        else:
            held[worker] = held.get(worker, 0) + 1
        worker.transport.write(job_frame(ident, ticket.deadline, ticket.job))
        worker.inflight.append(entry)
        if len(worker.inflight) == 1:
            worker.head_start = now
        else:
            self.pipelined += 1
            if self._tick is None:
                self._tick = self._loop.call_later(self.stall / 2, self._check_stalls)

    def _enqueue(self, ticket: _Ticket, *, front: bool = False) -> None:
        queue = self._waiting.get(ticket.client)
        if queue is None:
            queue = self._waiting[ticket.client] = deque()
        queue.appendleft(ticket) if front else queue.append(ticket)
        self._nwaiting += 1

    def _dispatch(self) -> None:
        """Give free places to waiting queries: the client with the fewest in flight goes first."""
        while self._nwaiting and self._workers:
            now = time.monotonic()
            waiting = self._waiting
            order = waiting if len(waiting) == 1 else [c for _, c in sorted((self._load[c] - len(q), c) for c, q in waiting.items())]
            for client in order:
                worker = self._pick(client, now)
                if worker is not None:
                    queue = self._waiting[client]
                    ticket = queue.popleft()
                    self._nwaiting -= 1
                    if not queue:
                        del self._waiting[client]
                    self._send(ticket, worker, now)
                    break
            else:
                return

    def _answered(self, worker: _Worker, ident: int, status: int, kind: int, media: int, body: bytes) -> None:
        if ident == READY:
            if not worker.ready.done():
                worker.ready.set_result(bool(status))
            return
        if not worker.inflight or worker.inflight[0].ident != ident:
            self._kill(worker, _DIED)  # out of order: the worker is not ours any more
            return
        entry = worker.inflight.popleft()
        ticket = entry.ticket
        if status != SKIPPED:
            self._finish(ticket, Answer(status, MEDIA[media], body, KINDS[kind]), None)
        elif ticket.entry is entry:  # skipped by the worker's clock before ours: too late all the same
            self._finish(ticket, None, QueryTimeout())
        if worker.overrun is not None:
            worker.overrun.cancel()
            worker.overrun = None
        if worker.inflight:
            worker.head_start = time.monotonic()
            if worker.inflight[0].stale:
                self._watch(worker)
        if self._nwaiting:
            self._dispatch()

    def _finish(self, ticket: _Ticket, answer: Answer | None, error: Exception | None) -> None:
        if ticket.done:
            return
        ticket.done = True
        ticket.timer.cancel()
        client = ticket.client
        if ticket.worker is None and ticket.entry is None:
            with contextlib.suppress(KeyError, ValueError):
                self._waiting[client].remove(ticket)
                self._nwaiting -= 1
                if not self._waiting[client]:
                    del self._waiting[client]
        load = self._load.pop(client) - 1
        if load:
            self._load[client] = load
        entry, worker = ticket.entry, ticket.worker
        self._unhold(ticket)
        if entry is not None:
            entry.stale = True  # still in its worker (behind another query, or running): nobody waits for it
            if worker.inflight and worker.inflight[0] is entry:
                self._watch(worker)
        if not ticket.future.done():
            ticket.future.set_result(answer) if error is None else ticket.future.set_exception(error)

    def _unhold(self, ticket: _Ticket) -> None:
        worker = ticket.worker
        if worker is None:
            return
        ticket.worker = ticket.entry = None
        held = self._held[ticket.client]
        if held[worker] > 1:
            held[worker] -= 1
        else:
            del held[worker]
            if not held:
                del self._held[ticket.client]

    def _expire(self, ticket: _Ticket) -> None:
        """A query's deadline: it is answered 503, and its worker killed if it is running there."""
        worker = ticket.worker
        if worker is not None and worker.inflight and worker.inflight[0] is ticket.entry:
            self._kill(worker, None)
        else:
            self._finish(ticket, None, QueryTimeout())

    def _watch(self, worker: _Worker) -> None:
        """The running query of ``worker`` is one nobody waits for: kill the worker if it is still
        running at the query's deadline (a worker skips a job past its deadline at once)."""
        if worker.overrun is None:
            entry = worker.inflight[0]
            delay = max(entry.ticket.deadline - time.monotonic(), 0.5)
            worker.overrun = self._loop.call_later(delay, self._overrun, worker, entry)

    def _overrun(self, worker: _Worker, entry: _Entry) -> None:
        worker.overrun = None
        if worker.inflight and worker.inflight[0] is entry:
            self._kill(worker, None)

    def _check_stalls(self) -> None:
        """Withdraw the queries waiting behind one that has run ``stall`` seconds; they go elsewhere."""
        self._tick = None
        now, again, moved = time.monotonic(), False, []
        for worker in self._workers:
            if len(worker.inflight) < 2:
                continue
            if now - worker.head_start < self.stall:
                again = True
                continue
            idents = []
            for entry in itertools.islice(worker.inflight, 1, None):
                ticket = entry.ticket
                if entry.stale or ticket.done:
                    continue
                entry.stale = True
                idents.append(entry.ident)
                self._unhold(ticket)
                moved.append(ticket)
            if idents:
                self.withdrawn += len(idents)
                worker.transport.write(withdraw_frame(idents))
        for ticket in reversed(moved):
            self._enqueue(ticket, front=True)
        if again:
            self._tick = self._loop.call_later(self.stall / 2, self._check_stalls)
        if moved:
            self._dispatch()
