"""The app: :func:`create_app` wires the routes, the middleware and the query workers over a
release directory; :func:`run_server` runs it with uvicorn.

Routes: ``/`` home · ``/sparql`` (:mod:`.sparql`) · ``/.well-known/void`` · ``/search`` and
``/search-index.json`` · ``/dist/{file}``
release files · ``/assets/{file}`` · every other path is looked up as an IRI under the release's
base (:mod:`.linked_data`).

GET, POST and HEAD of ``/sparql`` go straight to the endpoint, a bare ASGI app, before the
middleware stack and the router (it applies the same headers, CORS and cache itself); other
methods of ``/sparql`` (a CORS preflight, 405) and every page go through Starlette.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
from pathlib import Path
from urllib.parse import urlparse

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount, Route

from ..core.errors import BadOption, CnipaKgError
from ..core.iris import check_base
from ..query.release import check_release
from .cache import LRU
from .linked_data import LinkedData
from .middleware import CORS_OPTIONS, SECURITY_HEADERS, ResponseCache, SecurityHeaders
from .site import ReleaseFiles, Site, assets
from .sparql import QUERY_PREFIXES, SparqlEndpoint
from .state import ServedRelease
from .workers import QueryPool

_ENV = "CNIPA_KG_SERVE_OPTIONS"
_DIRECT = frozenset(("GET", "POST", "HEAD"))


def _route_path(scope) -> str:
    """The path below the mount point (Starlette's own rule)."""
    path, root = scope["path"], scope.get("root_path", "")
    if not root or not path.startswith(root):
        return path
    if path == root:
        return ""
    return path[len(root):] if path[len(root)] == "/" else path


#: the largest request header value, and all of them (name and value) together; a request over either gets
#: 431 before anything reads it: a client cannot make the caches hold, or negotiation parse, megabytes
MAX_HEADER_BYTES = 8 << 10
MAX_HEADERS_BYTES = 32 << 10


def _headers_too_large(headers) -> bool:
    total = 0
    for name, value in headers:
        total += len(name) + len(value)
        if len(value) > MAX_HEADER_BYTES or total > MAX_HEADERS_BYTES:
            return True
    return False


async def _send_plain(send, status: int, message: bytes) -> None:
    body = message + b"\n"
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"%d" % len(body)),
        (b"cache-control", b"no-store"), (b"connection", b"close"), *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})


class KgApp(Starlette):
    """A Starlette app that answers ``/sparql`` (GET, POST, HEAD) before its middleware and router."""

    sparql = None
    sparql_paths: frozenset = frozenset()
    sparql_prefix = ""  #: the sub-path of ``--base`` the routes are mounted at

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and _headers_too_large(scope["headers"]):
            await _send_plain(send, 431, f"request headers over {MAX_HEADER_BYTES} bytes each or "
                                         f"{MAX_HEADERS_BYTES} in all".encode())
            return
        if scope["type"] == "http" and scope["method"] in _DIRECT and _route_path(scope) in self.sparql_paths:
            if self.sparql_prefix:
                scope = {**scope, "root_path": scope.get("root_path", "") + self.sparql_prefix}
            await self.sparql(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


MAX_QUERY_TIMEOUT = 86400.0  #: a day: a timeout that never comes would let a runaway query run for ever


def check_options(*, base: str | None, query_timeout: float, **counts: int) -> None:
    """:class:`BadOption` unless ``base`` is an absolute http(s) IRI ending in / or # (as ``build``
    asks), ``query_timeout`` a finite number of seconds in (0, a day] and each of ``counts`` an int ≥ 1."""
    if base is not None:
        try:
            check_base(base)
        except ValueError as exc:
            raise BadOption(str(exc)) from None
    if isinstance(query_timeout, bool) or not isinstance(query_timeout, (int, float)) or not (
            math.isfinite(query_timeout) and 0 < query_timeout <= MAX_QUERY_TIMEOUT):
        raise BadOption(f"query_timeout must be a number of seconds in (0, {MAX_QUERY_TIMEOUT:g}], not {query_timeout!r}")
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise BadOption(f"{name} must be a whole number of at least 1, not {value!r}")


def create_app(release: str | Path, *, base: str | None = None, query_timeout: float = 10.0, workers: int = 2,
               max_query_bytes: int = 32 * 1024, max_answer_bytes: int = 64 << 20, per_client: int = 4,
               cors: bool = True) -> KgApp:
    """A Starlette app serving ``release`` (a directory written by ``cnipa-kg build``).

    It can be mounted in another Starlette/FastAPI app (``Mount("/kg", app=create_app("dist"))``):
    the query workers start with the first query when the parent's startup does not start them.

    :param base: the base IRI where the app is deployed; requests map to the release's IRIs
    :param query_timeout: seconds after which a SPARQL query is stopped (its worker is killed)
    :param workers: query worker processes
    :param max_query_bytes: larger queries or bodies get 413 (bodies are not read past it)
    :param max_answer_bytes: larger answers get 422 (the worker stops writing them)
    :param per_client: queries one client (IP address) may have waiting or running; more get 429
    :param cors: send ``Access-Control-Allow-Origin: *`` (no credentials) and answer preflights
    :raises BadOption: an option out of its range (:func:`check_options`)
    """
    check_options(base=base, query_timeout=query_timeout, workers=workers, max_query_bytes=max_query_bytes,
                  max_answer_bytes=max_answer_bytes, per_client=per_client)
    served = ServedRelease(Path(release))
    pool = QueryPool([served.data_file], graph_name=served.graph_name, size=workers, per_client=per_client,
                     prefixes=QUERY_PREFIXES, max_answer_bytes=max_answer_bytes)
    site = Site(served)
    linked = LinkedData(served, site.not_found)
    responses = LRU(4096, max_bytes=64 << 20, max_item=(1 << 20) + (64 << 10))  #: the response cache, pages and /sparql
    sparql = SparqlEndpoint(served, pool, timeout=query_timeout, max_query_bytes=max_query_bytes,
                            max_answer_bytes=max_answer_bytes, cors=cors, responses=responses)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        await pool.start()
        try:
            yield
        finally:
            await pool.stop()

    routes = [
        Route("/", site.home, methods=["GET", "HEAD"]),
        Route("/sparql", sparql, methods=["GET", "POST", "HEAD"]),  # reached for other methods only: 405
        Route("/sparql/", sparql, methods=["GET", "POST", "HEAD"]),
        Route("/.well-known/void", site.void, methods=["GET", "HEAD"]),
        Route("/search", site.search, methods=["GET", "HEAD"]),
        Route("/search-index.json", site.search_index, methods=["GET", "HEAD"]),
        Mount("/dist", ReleaseFiles(directory=served.path)),
        Mount("/assets", assets()),
        Route("/{path:path}", linked.resource, methods=["GET", "HEAD"]),
    ]
    prefix = urlparse(base).path.rstrip("/") if base else ""
    if prefix:  # deployed under a sub-path of --base: serve there, links follow (root_path)
        app = KgApp(routes=[Mount(prefix, routes=routes)], lifespan=lifespan)
    else:
        app = KgApp(routes=routes, lifespan=lifespan)
    app.sparql, app.sparql_prefix = sparql, prefix
    app.sparql_paths = frozenset((prefix + "/sparql", prefix + "/sparql/"))
    app.state.cnipa = served
    app.state.pool = pool
    app.state.sparql = sparql
    app.add_middleware(ResponseCache, store=responses)
    if cors:
        app.add_middleware(CORSMiddleware, **CORS_OPTIONS)
    app.add_middleware(SecurityHeaders)
    return app


def app_from_env() -> Starlette:
    """App factory for uvicorn's multi-process mode: options come from the environment."""
    options = json.loads(os.environ[_ENV])
    return create_app(options.pop("release"), **options)


def check_port(host: str, port: int) -> None:
    """:raises CnipaKgError: ``host:port`` cannot be bound (in use, or not an address of this machine)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise CnipaKgError(f"cannot serve on {host}:{port}: {exc}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            reason = "the port is in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
            raise CnipaKgError(f"cannot serve on {host}:{port}: {reason}") from None


def run_server(release: str | Path, *, host: str = "127.0.0.1", port: int = 8000, query_timeout: float = 10.0,
               base: str | None = None, workers: int = 2, http_workers: int = 1, behind_proxy: bool = False,
               **options) -> None:
    """Build the app and run it with uvicorn (tests patch ``uvicorn.run``).

    :param workers: query worker processes per HTTP process
    :param http_workers: HTTP server processes (uvicorn ``workers``); each loads the release
    :param behind_proxy: trust ``X-Forwarded-For`` / ``X-Forwarded-Proto`` from 127.0.0.1 (a reverse proxy on
        this host); otherwise they are ignored: they would name the client (its share of the workers) and
        the scheme for anyone who can connect
    :param options: more keyword options of :func:`create_app` (``max_answer_bytes``, ``per_client``)
    :raises CnipaKgError: the port cannot be bound; the release cannot be read
    """
    import uvicorn

    check_options(base=base, query_timeout=query_timeout, workers=workers, http_workers=http_workers,
                  **{k: v for k, v in options.items() if k in ("max_query_bytes", "max_answer_bytes", "per_client")})
    check_release(Path(release))  # fail here, not in each child
    proxy = {"proxy_headers": True, "forwarded_allow_ips": "127.0.0.1"} if behind_proxy else {"proxy_headers": False}
    if port:
        check_port(host, port)
    if http_workers > 1:
        os.environ[_ENV] = json.dumps({"release": str(Path(release).resolve()), "base": base,
                                       "query_timeout": query_timeout, "workers": workers, **options})
        uvicorn.run("cnipa_kg.web.app:app_from_env", factory=True, host=host, port=port, workers=http_workers,
                    log_level="info", access_log=False, **proxy)
        return
    app = create_app(release, base=base, query_timeout=query_timeout, workers=workers, **options)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False, **proxy)
