"""The wire between the HTTP process and a query worker, and the worker's loop.

One ``socketpair`` per worker carries length-prefixed frames both ways; the HTTP process reads
its end on the event loop (an asyncio transport, on any loop and in any thread), so waiting for
an answer costs no thread and nothing is pickled:

* to the worker: ``<I`` length + a ``marshal``-ed tuple, ``(JOB, id, deadline, max_bytes, accept,
  default_graphs, named_graphs, base_iri, query)``, ``(WITHDRAW, ids)`` or ``(STOP,)``; marshal is
  for data of our own (the worker trusts its server, never the other way round);
* to the server: a fixed header :data:`HEADER` (body length, id, status, kind, media) and the body
  as it is: the server never decodes an object a worker made.

A worker answers every job it is sent, in the order sent: with the answer, or :data:`SKIPPED`
when the job was withdrawn (the server moved it to another worker) or its deadline (a
``CLOCK_MONOTONIC`` time, shared by the processes of the machine) passed before it could start.
Before each job it reads every frame already waiting, so a withdrawal sent while it was busy is
seen before the job it withdraws would start.
"""

from __future__ import annotations

import marshal
import os
import socket
import struct
import time
from collections import deque

from ..core.formats import GRAPH_MEDIA, SOLUTION_MEDIA, rdf_format_for
from .evaluate import TEXT, Answer, Job, evaluate
from .isolation import die_with_parent, isolate_network, network_isolated

LENGTH = struct.Struct("<I")
HEADER = struct.Struct("<QIHBB")  #: body length, job id, HTTP status (or SKIPPED), kind, media type
JOB, WITHDRAW, STOP = 0, 1, 2
READY = 0xFFFFFFFF  #: the id of the frame a worker sends once its store is loaded (status: isolated)
SKIPPED = 0  #: the status of a job that never ran (withdrawn, or too late)
KINDS = ("", "solutions", "boolean", "graph")
MEDIA = (TEXT, *SOLUTION_MEDIA, *GRAPH_MEDIA)
_KIND_CODE = {k: i for i, k in enumerate(KINDS)}
_MEDIA_CODE = {m: i for i, m in enumerate(MEDIA)}


def job_frame(ident: int, deadline: float, job: Job) -> bytes:
    payload = marshal.dumps((JOB, ident, deadline, job.max_bytes, job.accept, job.default_graphs, job.named_graphs,
                             job.base_iri, job.query))
    return LENGTH.pack(len(payload)) + payload


def withdraw_frame(idents: list[int]) -> bytes:
    payload = marshal.dumps((WITHDRAW, tuple(idents)))
    return LENGTH.pack(len(payload)) + payload


STOP_FRAME = LENGTH.pack(len(marshal.dumps((STOP,)))) + marshal.dumps((STOP,))


def answer_frame(ident: int, answer: Answer) -> tuple[bytes, bytes]:
    """The header and body of an answer (a media type or kind unknown to :data:`MEDIA` is a 500)."""
    media, kind = _MEDIA_CODE.get(answer.media_type), _KIND_CODE.get(answer.kind)
    if media is None or kind is None:
        answer = Answer(500, TEXT, f"unexpected answer type {answer.media_type!r}".encode())
        media, kind = 0, 0
    return HEADER.pack(len(answer.body), ident, answer.status, kind, media), answer.body


def _send(sock: socket.socket, ident: int, answer: Answer) -> None:
    head, body = answer_frame(ident, answer)
    if len(body) < 1 << 16:
        sock.sendall(head + body)
    else:
        sock.sendall(head)
        sock.sendall(body)


def _read_frames(buf: bytearray, jobs: deque, withdrawn: set) -> bool:
    """Move the complete frames of ``buf`` into ``jobs`` / ``withdrawn``; False on STOP."""
    pos, end = 0, len(buf)
    while end - pos >= 4:
        (size,) = LENGTH.unpack_from(buf, pos)
        if end - pos - 4 < size:
            break
        message = marshal.loads(bytes(buf[pos + 4:pos + 4 + size]))
        pos += 4 + size
        if message[0] == JOB:
            jobs.append(message[1:])
        elif message[0] == WITHDRAW:
            waiting = {job[0] for job in jobs}
            withdrawn.update(i for i in message[1] if i in waiting)
        else:
            return False
    del buf[:pos]
    return True


def open_store(files: list[str], graph_name: str):
    """A pyoxigraph store with the release files loaded into the named graph ``graph_name``."""
    import pyoxigraph as ox

    store = ox.Store()
    for f in files:
        with open(f, "rb") as fh:
            store.bulk_load(fh, format=rdf_format_for(f), to_graph=ox.NamedNode(graph_name))
    return store


def serve(sock: socket.socket, store, prefixes: tuple[tuple[str, str], ...]) -> None:
    """Answer the jobs that come in on ``sock`` until STOP or the server's end closes."""
    buf, jobs, withdrawn = bytearray(), deque(), set()
    while True:
        try:
            data = sock.recv(1 << 18, socket.MSG_DONTWAIT if jobs else 0)
        except BlockingIOError:
            data = None
        except OSError:
            return
        if data is not None:
            if not data or not _read_frames(buf.__iadd__(data), jobs, withdrawn):
                return
            continue  # read everything that is already there before the next job starts
        ident, deadline, max_bytes, accept, default_graphs, named_graphs, base_iri, query = jobs.popleft()
        if ident in withdrawn or time.monotonic() > deadline:
            withdrawn.discard(ident)
            _send(sock, ident, Answer(SKIPPED, TEXT, b""))
            continue
        job = Job(query, accept, default_graphs, named_graphs, base_iri, prefixes, max_bytes)
        try:
            answer = evaluate(store, job)
        except Exception as exc:  # noqa: BLE001 - an evaluation error is the query's, not the server's
            answer = Answer(500, TEXT, f"query evaluation failed: {exc}".encode())
        _send(sock, ident, answer)


def worker_main(sock: socket.socket, files: list[str], graph_name: str, prefixes: tuple[tuple[str, str], ...],
                parent: int, parent_netns: int) -> None:
    """The query worker process: die with the server, leave the network, load the release, serve."""
    die_with_parent(parent)
    isolate_network()  # before any thread starts
    isolated = network_isolated(parent_netns)
    try:
        store = open_store(files, graph_name)
        pid = str(os.getpid()).encode()
        sock.sendall(HEADER.pack(len(pid), READY, int(isolated), 0, 0) + pid)
        serve(sock, store, prefixes)
    except (KeyboardInterrupt, BrokenPipeError, ConnectionResetError):
        return
