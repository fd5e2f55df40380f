"""Publish a release to a triple store by the SPARQL 1.1 Graph Store HTTP Protocol, with httpx.

``PUT {store}?graph={graph}`` with the release's N-Triples replaces the named graph, so publishing twice
leaves one copy. The body is streamed from the open file (64 KiB at a time); connection errors, time-outs
and 5xx answers are retried with exponential backoff.

**Success is claimed only for a complete, valid 2xx answer to a complete upload**: the whole body was
taken by the connection, then an answer arrived whose status line, headers and body h11 (httpx's HTTP/1.1
parser) reads to their end. Anything else is an error with one line and a non-zero exit:

- a store that answers (even 2xx) before it has taken the whole body, or closes the connection early:
  the answer is not taken for success (exit 1 for an early 2xx, else the connection error is retried);
- a store that trickles its answer or never finishes its headers: every attempt ends at a wall-clock
  deadline (``timeout``, default 60 s, sending included; an asyncio deadline over the whole exchange, not
  a per-read time-out), the whole publish within ``total_timeout`` (default twice ``timeout``);
- a redirect (3xx) is not followed (exit 1: give the final URL); a 4xx is a refusal (exit 1); a 5xx is
  retried, then a refusal; an answer that is not HTTP is reported as such.

Credentials come from the environment (``CNIPA_KG_STORE_USER`` / ``CNIPA_KG_STORE_PASSWORD``), never from
the command line: a store URL with ``user:password@`` is refused (it would stay in shell history and show
in ``ps``), and no message shows the password (``user:***@``). A ``HEAD`` with basic auth (RFC 7617, UTF-8; a
user name with ``:`` sends none) comes first: a store that wants digest auth (RFC 7616, e.g. Virtuoso's
``/sparql-graph-crud-auth``) answers it 401 with a challenge (or, as Virtuoso does, a ``HEAD`` without
credentials does), a ``HEAD`` with the digest answer checks the credentials, and the upload is answered by
:class:`httpx.DigestAuth`; else it goes with basic auth (a 401 with a digest challenge to it is answered too).
Without credentials a ``HEAD`` goes first as well; a 401 to it is the store's refusal, before any upload. So the body is sent once, never to be refused half-way
(Virtuoso answers the first 64 KiB of a large upload with 401 and resets the connection, which can lose its
answer). No scheme can carry a control character (refused before anything is sent); digest, as httpx
sends it, carries a user name of printable ASCII without quotes or backslashes (else a clear error when the
store asks for digest); a malformed challenge is an error, not a traceback.

The store URL is checked before anything is read or sent: http(s), a host, a port 1-65535, no space or
control character, no ``graph`` or ``default`` parameter (the graph comes from ``graph``); a ``#fragment``
is dropped (it is never sent to a server). Exactly one ``graph`` parameter is sent.
"""

from __future__ import annotations

import asyncio
import math
import os
from dataclasses import dataclass
from pathlib import Path

import httpx

from ..core.errors import InputError
from ..core.iris import dataset_iri
from ..query.release import check_release, release_base
from .auth import StoreAuth, Unauthenticated, credentials
from .body import Upload, read_detail, unread
from .errors import StoreRefused, StoreUnreachable
from .target import graph_url, redact, store_url

__all__ = ["DEFAULT_TIMEOUT", "PublishResult", "StoreRefused", "StoreUnreachable", "graph_url", "publish", "query_hint", "redact",
           "store_url"]

DEFAULT_TIMEOUT = 60.0  # seconds per attempt; a whole publish gets twice that


@dataclass(frozen=True)
class PublishResult:
    url: str
    graph: str | None  #: the named graph replaced; None: the store's default graph
    status: int
    bytes_sent: int
    triples: int
    attempts: int


def query_hint(graph: str | None) -> str:
    """How to query what was published, where it went (printed after "Published")."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    if graph is None:
        return f"Query it at the store's SPARQL endpoint, e.g. {count}"
    return (f"Query it with FROM <{graph}>, e.g. SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}, "
            f"or GRAPH <{graph}> {{ … }}. A query without FROM sees it in Virtuoso; in Oxigraph only under "
            "`oxigraph serve --union-default-graph`, in Fuseki only with tdb2:unionDefaultGraph; "
            "or publish with --default-graph.")


def _transport_error(exc: httpx.TransportError) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, httpx.RemoteProtocolError) and "illegal" in text.lower():
        return f"the answer is not HTTP ({text[:200]})"
    if isinstance(exc, httpx.RemoteProtocolError) and "without sending a response" in text:
        return "the store closed the connection without an HTTP answer"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    return text[:200]


def _seconds(name: str, value: float, *, zero: bool = False) -> float:
    value = float(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
        raise InputError(name, None, f"must be a finite number of seconds{'' if zero else ' greater than 0'}, "
                                     f"not {value}")
    return value


async def _exchange(client: httpx.AsyncClient, url: str, upload: Upload, auth: httpx.Auth | None,
                    deadline: float) -> tuple[int, str, str | None, str | None]:
    """One attempt, over by ``deadline`` (of the loop's clock) whatever the store does: the final answer's
    status, the start of its body, its ``Location``, and for a 2xx what its connection shows of an upload
    the store did not take (looked at as soon as the headers are in: see :func:`body.unread`)."""
    headers = {"Content-Type": "application/n-triples", "Content-Length": str(upload.size)}
    async with asyncio.timeout_at(deadline):
        request = client.build_request("PUT", url, content=upload, headers=headers)
        response = await client.send(request, auth=auth, stream=True)
        try:
            not_taken = unread(response) if response.is_success else None
            detail = await read_detail(response)
        finally:
            await response.aclose()
    return response.status_code, detail, response.headers.get("Location"), not_taken


def _outcome(shown: str, answer: tuple[int, str, str | None, str | None], upload: Upload) -> str | None:
    """None for a success; else why not, as a message (raises for what retrying cannot mend)."""
    status, detail, location, not_taken = answer
    if 200 <= status < 300:
        if upload.complete and not_taken is None:
            return None
        when = not_taken or f"after taking {upload.sent:,} of {upload.size:,} bytes"
        raise StoreRefused(f"{shown}: the store answered HTTP {status} {when}; the upload did not complete, "
                           "so nothing is known to be published")
    if 300 <= status < 400:
        where = f" to {redact(location)}" if location else ""
        raise StoreRefused(f"{shown}: the store redirects{where} (HTTP {status}); publish does not follow "
                           "redirects: give --store the final URL")
    message = f"HTTP {status}" + (f": {detail}" if detail else "")
    if status < 500:
        raise StoreRefused(f"{shown}: the store refused the upload: {message}")
    return message


def publish(release: str | Path, *, store: str, graph: str | None = None, default_graph: bool = False, retries: int = 5,
            backoff: float = 0.5, timeout: float | None = None, total_timeout: float | None = None) -> PublishResult:
    """Replace ``graph`` in ``store`` with the release's triples.

    :param release: a release directory (its ``cnipa-kg.nt`` is sent)
    :param store: the store's Graph Store Protocol endpoint, e.g. ``http://127.0.0.1:7878/store``
        (without credentials: they come from the environment, see the module's docstring)
    :param graph: the named graph; default ``{base}dataset`` of the release
    :param default_graph: replace the store's default graph instead (``?default``); not with ``graph``
    :param timeout: seconds an attempt may take in all (default :data:`DEFAULT_TIMEOUT`)
    :param total_timeout: seconds the whole publish may take (default twice ``timeout``)
    :raises InputError: a bad store URL, option or credentials (nothing is sent), or no release
    :raises StoreUnreachable: no answer after ``retries`` attempts or ``total_timeout`` seconds
    :raises StoreRefused: the store answered 4xx, a redirect, an early 2xx (or 5xx, and no attempt is left)
    """
    store_url(store)  # checked before the release is parsed
    if default_graph and graph is not None:
        raise InputError("graph", None, "either a named graph or the default graph, not both")
    timeout = _seconds("timeout", DEFAULT_TIMEOUT if timeout is None else timeout)
    total = _seconds("total_timeout", 2 * timeout if total_timeout is None else total_timeout)
    backoff = _seconds("backoff", backoff, zero=True)
    if retries < 1:
        raise InputError("retries", None, f"must be at least 1, not {retries}")
    user_password = credentials()
    release = Path(release)
    data, loaded = check_release(release)  # parses it: nothing malformed or empty is ever sent
    triples = len(loaded)
    del loaded
    graph = None if default_graph else graph or str(dataset_iri(release_base(release)))
    url = graph_url(store, graph)
    fd = os.open(data, os.O_RDONLY)
    try:
        upload = Upload(fd, os.fstat(fd).st_size)
        auth = Unauthenticated() if user_password is None else StoreAuth(*user_password)
        status, attempts = asyncio.run(_publish(url, upload, auth, redact(store), retries, backoff, timeout, total))
    finally:
        os.close(fd)
    return PublishResult(url, graph, status, upload.size, triples, attempts)


async def _publish(url: str, upload: Upload, auth: httpx.Auth | None, shown: str, retries: int, backoff: float,
                   timeout: float, total: float) -> tuple[int, int]:
    loop = asyncio.get_running_loop()
    start = loop.time()  # the deadlines count from the first attempt, not from parsing the release
    stop = start + total
    last_error, attempt = "", 0
    limits = httpx.Timeout(timeout)
    async with httpx.AsyncClient(timeout=limits, follow_redirects=False, trust_env=False) as client:
        while attempt < retries and loop.time() < stop:
            attempt += 1
            began, pause = loop.time(), backoff * 2 ** (attempt - 1)
            try:
                answer = await _exchange(client, url, upload, auth, min(began + timeout, stop))
            except TimeoutError:
                last_error = f"timed out after {loop.time() - began:.1f} s"
            except httpx.TransportError as exc:
                last_error = _transport_error(exc)
            else:
                last_error = _outcome(shown, answer, upload)
                if last_error is None:
                    return answer[0], attempt
                if attempt == retries or loop.time() + pause >= stop:
                    raise StoreRefused(f"{shown}: the store refused the upload: {last_error}")
            if attempt < retries:
                await asyncio.sleep(max(min(pause, stop - loop.time()), 0))
    raise StoreUnreachable(f"{shown}: no answer after {attempt} attempt(s) in {loop.time() - start:.1f} s "
                           f"({last_error})")
