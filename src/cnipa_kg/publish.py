"""Publish a release to a triple store by the SPARQL 1.1 Graph Store HTTP Protocol.

``PUT {store}?graph={graph}`` with the release's N-Triples replaces the named graph, so
publishing twice leaves one copy. The body is streamed from the file; connection errors are
retried with exponential backoff; HTTP basic auth comes from the environment
(``CNIPA_KG_STORE_USER`` / ``CNIPA_KG_STORE_PASSWORD``), never from the command line.
"""

from __future__ import annotations

import base64
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .errors import CnipaKgError, InputError


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


def graph_url(store: str, graph: str) -> str:
    """The Graph Store Protocol URL of ``graph`` at ``store``.

    >>> graph_url("http://127.0.0.1:7878/store", "https://w3id.org/cnipa-kg/dataset")
    'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fw3id.org%2Fcnipa-kg%2Fdataset'
    """
    sep = "&" if "?" in store else "?"
    return f"{store}{sep}{urllib.parse.urlencode({'graph': graph})}"


def publish(release: str | Path, *, store: str, graph: str | None = None, retries: int = 5,
            backoff: float = 0.5, timeout: float = 60.0) -> PublishResult:
    """Replace ``graph`` in ``store`` with the release's triples.

    :param release: a release directory (its ``cnipa-kg.nt`` is sent)
    :param store: the store's Graph Store Protocol endpoint, e.g. ``http://127.0.0.1:7878/store``
    :param graph: the named graph; default ``{base}dataset`` of the release
    :raises StoreUnreachable: no answer after ``retries`` attempts
    :raises StoreRefused: the store answered 4xx/5xx
    """
    from .server import check_release, release_base

    release = Path(release)
    data, loaded = check_release(release)  # parses it: nothing malformed or empty is ever sent
    triples = len(loaded)
    del loaded
    target = urllib.parse.urlparse(store)
    if target.scheme not in ("http", "https") or not target.netloc:
        raise InputError(store, None, "the store URL must be http(s)://host[:port]/path")
    graph = graph or f"{release_base(release)}dataset"
    url = graph_url(store, graph)
    size = data.stat().st_size
    headers = {"Content-Type": "application/n-triples", "Content-Length": str(size)}
    user, password = os.environ.get("CNIPA_KG_STORE_USER"), os.environ.get("CNIPA_KG_STORE_PASSWORD")
    if user is not None:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    last_error = ""
    for attempt in range(1, retries + 1):
        try:
            with data.open("rb") as body:
                request = urllib.request.Request(url, data=body, method="PUT", headers=headers)
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    return PublishResult(url, graph, response.status, size, triples, attempt)
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode("utf-8", "replace").strip()
            if exc.code >= 500 and attempt < retries:
                last_error = f"HTTP {exc.code}"
            else:
                raise StoreRefused(f"{store}: the store refused the upload: HTTP {exc.code} {exc.reason}"
                                   + (f": {detail}" if detail else "")) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
            last_error = str(getattr(exc, "reason", exc))
        if attempt < retries:
            time.sleep(backoff * 2 ** (attempt - 1))
    raise StoreUnreachable(f"{store}: no answer after {retries} attempts ({last_error})")
