"""Publish a release to a triple store by the SPARQL 1.1 Graph Store HTTP Protocol.

``PUT {store}?graph={graph}`` with the release's N-Triples replaces the named graph, so
publishing twice leaves one copy. The body is streamed from the file; connection errors, time-outs
and 5xx answers are retried with exponential backoff.

- HTTP basic auth comes from the environment (``CNIPA_KG_STORE_USER`` / ``CNIPA_KG_STORE_PASSWORD``),
  never from the command line: a store URL with ``user:password@`` is refused (it would stay in shell
  history and show in ``ps``), and no message shows the password (``user:***@``).
- Each attempt ends at a wall-clock deadline (``timeout``, default 60 s, sending the body included),
  even against a server that trickles bytes; the whole publish ends within ``total_timeout``
  (default twice ``timeout``), retries and pauses included.
- The store URL is checked before anything is read or sent: http(s), a host, a port 1-65535, no
  space or control character, no ``graph`` or ``default`` parameter (the graph comes from ``graph``);
  a ``#fragment`` is dropped (it is never sent to a server). Exactly one ``graph`` parameter is sent.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import re
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from .core.errors import CnipaKgError, InputError
from .core.iris import dataset_iri
from .query.release import check_release, release_base

DEFAULT_TIMEOUT = 60.0  # seconds per attempt; a whole publish gets twice that
_SAFE = "/%:@!$&'()*+,;=?"  # left as they are when the rest of the URL's path and query is percent-encoded
_USERINFO = re.compile(r"^([^/?#]*//)?([^/?#]*)@")  # the userinfo: up to the last @ of the authority


class StoreUnreachable(CnipaKgError):
    """The store did not answer (after retries)."""


class StoreRefused(CnipaKgError):
    """The store answered with an error status."""

    exit_code = 1


@dataclass(frozen=True)
class PublishResult:
    url: str
    graph: str
    status: int
    bytes_sent: int
    triples: int
    attempts: int


def redact(text: str, url: str | None = None) -> str:
    """``text`` fit for a one-line message: the credentials of ``url`` (default: ``text``) as ``user:***``,
    control characters escaped, at most 200 characters.

    >>> redact("https://alice:s3cret@example.org/store")
    'https://alice:***@example.org/store'
    """
    if match := _USERINFO.match(text if url is None else url):
        user, colon, _ = match[2].partition(":")
        text = text.replace(f"{match[2]}@", f"{user}:***@" if colon else "***@")
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return text if len(text) <= 200 else text[:199] + "…"


def store_url(store: str) -> urllib.parse.SplitResult:
    """``store`` split, once checked (see the module's docstring). :raises InputError: a bad store URL"""
    def bad(message: str) -> InputError:
        return InputError(redact(store) or "--store", None, message)

    form = "expected http(s)://host[:port]/path"
    if any(c.isspace() or not c.isprintable() for c in store):
        raise bad(f"the store URL has a space or a control character; {form}")
    try:
        target = urllib.parse.urlsplit(store)
        port = target.port
        (target.hostname or "").encode("idna")
    except ValueError as exc:  # UnicodeError (a bad host name) is one too
        raise bad(f"the store URL is malformed ({redact(str(exc), store)}); {form}") from None
    if target.scheme not in ("http", "https") or not target.hostname:
        raise bad(f"the store URL must start with http:// or https:// and name a host; {form}")
    if port == 0:
        raise bad("the store URL's port must be 1-65535")
    if "@" in target.netloc:
        raise bad("credentials in the store URL are refused: set CNIPA_KG_STORE_USER and CNIPA_KG_STORE_PASSWORD")
    if {key for key, _ in urllib.parse.parse_qsl(target.query, keep_blank_values=True)} & {"graph", "default"}:
        raise bad("the store URL must not have a graph or default parameter: the graph comes from --graph")
    return target


def graph_url(store: str, graph: str) -> str:
    """The Graph Store Protocol URL of ``graph`` at ``store``: one ``graph`` parameter, no fragment.

    >>> graph_url("http://127.0.0.1:7878/store#top", "https://w3id.org/cnipa-kg/dataset")
    'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fw3id.org%2Fcnipa-kg%2Fdataset'
    """
    target = store_url(store)
    query = "&".join(filter(None, [urllib.parse.quote(target.query, safe=_SAFE),
                                   urllib.parse.urlencode({"graph": graph})]))
    path = urllib.parse.quote(target.path or "/", safe=_SAFE)
    return urllib.parse.urlunsplit((target.scheme, target.netloc, path, query, ""))


def _put(url: str, data: Path, headers: dict[str, str], deadline: float) -> tuple[int, str]:
    """One PUT of ``data`` to ``url``: the status, and the reason and start of the answer (one line).

    Over by the wall-clock ``deadline`` (of :func:`time.monotonic`) whatever the server does: a socket
    time-out bounds each wait, and a timer shuts the socket down at the deadline, which ends a read
    from a server that trickles bytes. :raises TimeoutError: at the deadline
    """
    target = urllib.parse.urlsplit(url)
    https = target.scheme == "https"
    connection = (http.client.HTTPSConnection if https else http.client.HTTPConnection)(
        target.hostname, target.port or (443 if https else 80), timeout=max(deadline - time.monotonic(), 0.01))
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        if (sock := connection.sock) is not None:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's: under TLS too

    timer = threading.Timer(max(deadline - time.monotonic(), 0.0), expire)
    timer.daemon = True
    timer.start()
    try:
        connection.connect()
        if expired.is_set():  # the timer fired before there was a socket to shut down
            raise TimeoutError
        with data.open("rb") as body:
            connection.request("PUT", f"{target.path}?{target.query}", body=body, headers=headers)
        response = connection.getresponse()
        detail = b"" if response.status < 300 else response.read(500)
        detail = " ".join(detail.decode("utf-8", "replace").split())
        return response.status, " ".join(response.reason.split()) + (f": {detail}" if detail else "")
    except (OSError, http.client.HTTPException):
        if expired.is_set():
            raise TimeoutError from None
        raise
    finally:
        timer.cancel()
        connection.close()


def publish(release: str | Path, *, store: str, graph: str | None = None, retries: int = 5,
            backoff: float = 0.5, timeout: float | None = None, total_timeout: float | None = None) -> PublishResult:
    """Replace ``graph`` in ``store`` with the release's triples.

    :param release: a release directory (its ``cnipa-kg.nt`` is sent)
    :param store: the store's Graph Store Protocol endpoint, e.g. ``http://127.0.0.1:7878/store``
        (without credentials: they come from the environment, see the module's docstring)
    :param graph: the named graph; default ``{base}dataset`` of the release
    :param timeout: seconds an attempt may take in all (default :data:`DEFAULT_TIMEOUT`)
    :param total_timeout: seconds the whole publish may take (default twice ``timeout``)
    :raises InputError: a bad store URL (nothing is sent), or no release
    :raises StoreUnreachable: no answer after ``retries`` attempts or ``total_timeout`` seconds
    :raises StoreRefused: the store answered 4xx (or 5xx, and no attempt is left)
    """
    store_url(store)  # checked before the release is parsed
    release = Path(release)
    data, loaded = check_release(release)  # parses it: nothing malformed or empty is ever sent
    triples = len(loaded)
    del loaded
    graph = graph or str(dataset_iri(release_base(release)))
    url = graph_url(store, graph)
    size = data.stat().st_size
    headers = {"Content-Type": "application/n-triples", "Content-Length": str(size)}
    user, password = os.environ.get("CNIPA_KG_STORE_USER"), os.environ.get("CNIPA_KG_STORE_PASSWORD")
    if user is not None:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    start = time.monotonic()  # the deadlines count from the first attempt, not from parsing the release
    stop = start + (2 * timeout if total_timeout is None else total_timeout)
    last_error, attempt, shown = "", 0, redact(store)
    while attempt < retries and time.monotonic() < stop:
        attempt += 1
        began, pause = time.monotonic(), backoff * 2 ** (attempt - 1)
        try:
            status, detail = _put(url, data, headers, min(began + timeout, stop))
        except TimeoutError:
            last_error = f"timed out after {time.monotonic() - began:.1f} s"
        except (OSError, http.client.HTTPException) as exc:
            last_error = " ".join(str(exc).split()) or type(exc).__name__
        else:
            if 200 <= status < 300:
                return PublishResult(url, graph, status, size, triples, attempt)
            last_error = f"HTTP {status} {detail}".strip()
            if status < 500 or attempt == retries or time.monotonic() + pause >= stop:
                raise StoreRefused(f"{shown}: the store refused the upload: {last_error}")
        if attempt < retries:
            time.sleep(max(min(pause, stop - time.monotonic()), 0))
    raise StoreUnreachable(f"{shown}: no answer after {attempt} attempt(s) in {time.monotonic() - start:.1f} s "
                           f"({last_error})")
