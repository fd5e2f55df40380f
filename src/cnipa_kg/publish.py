"""Publish a release to a triple store by the SPARQL 1.1 Graph Store HTTP Protocol.

``PUT {store}?graph={graph}`` with the release's N-Triples replaces the named graph, so
publishing twice leaves one copy. The body is streamed from the file; connection errors, time-outs
and 5xx answers are retried with exponential backoff.

- Credentials come from the environment (``CNIPA_KG_STORE_USER`` / ``CNIPA_KG_STORE_PASSWORD``),
  never from the command line: a store URL with ``user:password@`` is refused (it would stay in shell
  history and show in ``ps``), and no message shows the password (``user:***@``). They are sent by HTTP
  basic auth; a store that wants digest auth (RFC 7616, e.g. Virtuoso's ``/sparql-graph-crud-auth``)
  answers 401, and the attempt goes on: the challenge (from that 401, or else from a ``HEAD`` without
  credentials) is answered with one more PUT. A store may answer before it has read the whole body
  (Virtuoso refuses a large upload after 64 KiB): that answer is read, not taken for a lost connection.
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
import hashlib
import http.client
import os
import re
import secrets
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


_CHALLENGE_PARAM = re.compile(r'([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*)')
_DIGEST_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Credentials:
    """``user`` / ``password`` as an ``Authorization`` header: basic until a digest challenge is learnt."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password
        self.challenge: dict[str, str] | None = None
        self.count = 0  # requests sent with the current nonce (the digest's ``nc``)

    def learn(self, www_authenticate: list[str]) -> bool:
        """Take the digest challenge of a 401's ``WWW-Authenticate`` headers; False if there is none we can answer."""
        for header in www_authenticate:
            scheme, _, rest = header.strip().partition(" ")
            if scheme.lower() != "digest":
                continue
            params: dict[str, str] = {}
            for key, value in _CHALLENGE_PARAM.findall(rest):
                params.setdefault(key.lower(), re.sub(r"\\(.)", r"\1", value[1:-1]) if value.startswith('"') else value)
            algorithm = params.get("algorithm", "MD5").upper().removesuffix("-SESS")
            qops = {q.strip() for q in params.get("qop", "auth").split(",")}
            if "nonce" in params and algorithm in _DIGEST_HASHES and "auth" in qops:
                self.challenge, self.count = params, 0
                return True
        return False

    def header(self, method: str, target: str) -> str:
        """The ``Authorization`` value of a ``method`` request for ``target`` (the path and query sent)."""
        if self.challenge is None:
            return "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        c = self.challenge
        algorithm = c.get("algorithm", "MD5")
        hash_ = _DIGEST_HASHES[algorithm.upper().removesuffix("-SESS")]

        def h(*parts: str) -> str:
            return hash_(":".join(parts).encode()).hexdigest()

        self.count += 1
        nc, cnonce = f"{self.count:08x}", secrets.token_hex(8)
        secret = h(self.user, c.get("realm", ""), self.password)
        if algorithm.upper().endswith("-SESS"):
            secret = h(secret, c["nonce"], cnonce)
        fields = {"username": self.user, "realm": c.get("realm", ""), "nonce": c["nonce"], "uri": target}
        if "qop" in c:
            response = h(secret, c["nonce"], nc, cnonce, "auth", h(method, target))
            fields |= {"response": response, "cnonce": cnonce}
            unquoted = f", qop=auth, nc={nc}, algorithm={algorithm}"
        else:  # RFC 2069
            fields["response"] = h(secret, c["nonce"], h(method, target))
            unquoted = f", algorithm={algorithm}"
        if "opaque" in c:
            fields["opaque"] = c["opaque"]
        return "Digest " + ", ".join(f"{key}={_quoted(value)}" for key, value in fields.items()) + unquoted


def _put(url: str, data: Path | None, headers: dict[str, str], deadline: float,
         method: str = "PUT") -> tuple[int, str, list[str]]:
    """One PUT of ``data`` to ``url`` (or a ``HEAD``, without data): the status, the reason and start of
    the answer (one line), and the answer's ``WWW-Authenticate`` headers.

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
        unsent = None
        try:
            with contextlib.nullcontext() if data is None else data.open("rb") as body:
                connection.request(method, f"{target.path}?{target.query}", body=body, headers=headers)
        except (BrokenPipeError, ConnectionResetError) as exc:  # it may have answered already (a 401, a 413)
            unsent = exc
        try:
            response = connection.getresponse()
        except (OSError, http.client.HTTPException):
            if unsent is not None and not expired.is_set():
                raise unsent from None
            raise
        detail = b"" if response.status < 300 else response.read(500)
        detail = " ".join(detail.decode("utf-8", "replace").split())
        reason = " ".join(response.reason.split()) + (f": {detail}" if detail else "")
        return response.status, reason, response.headers.get_all("WWW-Authenticate") or []
    except (OSError, http.client.HTTPException):
        if expired.is_set():
            raise TimeoutError from None
        raise
    finally:
        timer.cancel()
        connection.close()


def _attempt(url: str, data: Path, headers: dict[str, str], credentials: _Credentials | None,
             deadline: float) -> tuple[int, str]:
    """One attempt by the ``deadline``: a PUT, and if the store asks for digest auth, its challenge answered."""
    target = urllib.parse.urlsplit(url)
    path = f"{target.path}?{target.query}"
    if credentials is None:
        return _put(url, data, headers, deadline)[:2]
    status, detail, challenges = _put(url, data, headers | {"Authorization": credentials.header("PUT", path)}, deadline)
    if status == 401:
        if not credentials.learn(challenges):  # Virtuoso sends no challenge to a basic attempt: ask for one
            challenges = _put(url, None, {}, deadline, method="HEAD")[2]
            if not credentials.learn(challenges):
                return status, detail
        status, detail, _ = _put(url, data, headers | {"Authorization": credentials.header("PUT", path)}, deadline)
    return status, detail


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
    credentials = None if user is None else _Credentials(user, password or "")
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    start = time.monotonic()  # the deadlines count from the first attempt, not from parsing the release
    stop = start + (2 * timeout if total_timeout is None else total_timeout)
    last_error, attempt, shown = "", 0, redact(store)
    while attempt < retries and time.monotonic() < stop:
        attempt += 1
        began, pause = time.monotonic(), backoff * 2 ** (attempt - 1)
        try:
            status, detail = _attempt(url, data, headers, credentials, min(began + timeout, stop))
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
