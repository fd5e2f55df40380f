"""The SPARQL 1.1 Protocol at ``/sparql``: GET, POST form and POST ``application/sparql-query``;
``default-graph-uri`` / ``named-graph-uri``; results by ``Accept`` or ``format=`` / ``output=``; a
query editor for browsers and a service description for everyone else when there is no query.

User queries run in worker processes (:mod:`.workers`) killed at the deadline; a query that uses
``SERVICE`` is refused there before it runs (:mod:`.guard`); updates are refused (403 as
``update=`` or ``application/sparql-update``; an update sent as a query does not parse: 400).
Bodies are read up to ``max_query_bytes`` and no further (413); answers are bounded in bytes. A
body, and the query, may start with a U+FEFF (an encoding signature), dropped as the ``query``
command drops it (:func:`cnipa_kg.core.sparql.query_text`).

:class:`SparqlEndpoint` is a bare ASGI app that the app (:mod:`.app`) calls before its middleware
and router, so a new query costs little besides its evaluation. It does for its own responses
what the middleware does for the pages: the security headers, CORS (a request with an ``Origin``
goes through Starlette's ``CORSMiddleware``; without one, ``Vary: Origin`` is added as that
middleware would), and the response cache of GET and HEAD (shared with the pages' cache).
"""

from __future__ import annotations

import logging
from functools import lru_cache

from starlette.datastructures import URL
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect

from ..core.sparql import query_text
from ..core.vocab import PREFIXES
from . import pages
from .cache import LRU
from .evaluate import Job
from .form import parse_pairs
from .middleware import CORS_OPTIONS, SECURITY_HEADERS
from .negotiate import format_param, negotiate
from .responses import content_type as _content_type
from .responses import etag_of as _etag
from .state import ServedRelease
from .workers import Busy, QueryPool, QueryTimeout

log = logging.getLogger("cnipa_kg.web")
_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS = "http://www.w3.org/ns/formats/"
_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                   "Turtle", "N-Triples", "JSON-LD", "RDF_XML")
QUERY_PREFIXES = tuple((prefix, str(ns)) for prefix, ns in PREFIXES.items())
_PAGE_SOURCES = ("application/sparql-results+json", "text/turtle")  #: what an HTML page is made from
_READ_ONLY = "updates are not allowed: this endpoint is read-only"
_KEEP_304 = {b"etag", b"cache-control", b"vary", b"content-location", *(name for name, _ in SECURITY_HEADERS)}
HTML_ANSWER_BYTES = 2 << 20  #: the largest answer rendered as an HTML page (in this process)


class BodyTooLarge(Exception):
    pass


def _plan_of(fmt: str | None, accept: str | None) -> tuple[int, str, bool, tuple[str, ...]]:
    """(0, "", page, formats asked of the worker) for ``format=`` or ``Accept``; or (status, message, …)."""
    if fmt:
        wanted = format_param(fmt)
        if wanted is None:
            return 400, f"unknown format {fmt!r}; e.g. json, xml, csv, tsv, ttl, nt, jsonld, html", False, ()
    else:
        wanted = [m for m in (negotiate(accept, "solutions"), negotiate(accept, "graph")) if m]
        if not wanted:
            return 406, "no acceptable format", False, ()
    html = "text/html" in wanted
    return 0, "", wanted[0] == "text/html", tuple([m for m in wanted if m != "text/html"] + (list(_PAGE_SOURCES) if html else []))


_plan_cached = lru_cache(maxsize=1024)(_plan_of)


def _plan(fmt: str | None, accept: str | None):
    if len(fmt or "") + len(accept or "") > 512:  # a header that long is not worth keeping
        return _plan_of(fmt, accept)
    return _plan_cached(fmt, accept)


def _endpoint_of(scheme: str, server, path: str, host: bytes | None) -> str:
    """The endpoint's IRI as Starlette's ``request.url`` gives it (no query, no fragment)."""
    scope = {"scheme": scheme, "server": server, "path": path, "query_string": b"",
             "headers": [(b"host", host)] if host is not None else []}
    return str(URL(scope=scope).replace(query="", fragment=""))


_endpoint_cached = lru_cache(maxsize=256)(_endpoint_of)


class SparqlEndpoint:
    def __init__(self, release: ServedRelease, pool: QueryPool, *, timeout: float, max_query_bytes: int,
                 max_answer_bytes: int = 64 << 20, cors: bool = True, responses: LRU | None = None,
                 max_cached_body: int = 1 << 20) -> None:
        self.release = release
        self.pool = pool
        self.timeout = timeout
        self.max_query_bytes = max_query_bytes
        self.max_answer_bytes = max_answer_bytes
        self.responses = responses if responses is not None else LRU(4096, max_item=max_cached_body + (64 << 10))
        self.max_cached_body = max_cached_body
        self.cors = CORSMiddleware(self._behind_cors, **CORS_OPTIONS) if cors else None
        self._vary_origin = cors  #: add ``Origin`` to ``Vary`` ourselves (when CORSMiddleware is not in the way)

    # -- ASGI ---------------------------------------------------------------------------------------

    async def __call__(self, scope, receive, send) -> None:
        headers = dict(reversed(scope["headers"]))  # the first of repeated headers, as Starlette reads them
        if self.cors is not None and b"origin" in headers:
            await self.cors(scope, receive, send)
        else:
            await self._serve(scope, receive, send, headers, self._vary_origin)

    async def _behind_cors(self, scope, receive, send) -> None:
        await self._serve(scope, receive, send, dict(reversed(scope["headers"])), False)

    async def _serve(self, scope, receive, send, headers: dict, vary_origin: bool) -> None:
        method = scope["method"]
        key = None
        if method != "POST":
            key = (scope["path"], scope["query_string"], headers.get(b"accept", b""), headers.get(b"host", b""),
                   scope.get("root_path", ""), method, vary_origin, scope.get("scheme", "http"))
            hit = self.responses.get(key)
            if hit is not None:
                return await self._send(send, method, headers, 200, *hit)
        try:
            status, head, body, etag = await self._answer(scope, receive, headers, vary_origin)
        except BodyTooLarge:
            status, head, body, etag = self._plain(413, f"request body over {self.max_query_bytes} bytes", vary_origin)
        except ClientDisconnect:  # nobody is listening; no traceback in the log
            status, head, body, etag = 400, [(b"content-length", b"0"), *self._vary_error(vary_origin), *SECURITY_HEADERS], b"", None
        except Exception:
            status, head, body, _ = self._plain(500, "Internal Server Error", vary_origin)
            await self._send(send, method, headers, status, head, body, None)
            raise
        if etag is not None and key is not None and len(body) <= self.max_cached_body:
            self.responses.put(key, (head, body, etag), len(body) + len(key[1]) + 1024)
        await self._send(send, method, headers, status, head, body, etag)

    @staticmethod
    async def _send(send, method: str, headers: dict, status: int, head: list, body: bytes, etag: bytes | None) -> None:
        if etag is not None and (match := headers.get(b"if-none-match")) is not None \
                and etag in [t.strip() for t in match.split(b",")]:
            await send({"type": "http.response.start", "status": 304, "headers": [h for h in head if h[0] in _KEEP_304]})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": status, "headers": list(head)})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})

    # -- the protocol --------------------------------------------------------------------------------

    async def _body(self, receive, headers: dict) -> bytes:
        """The request body, read as it streams in and refused past ``max_query_bytes``."""
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_query_bytes:
            raise BodyTooLarge()
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_query_bytes:
                    raise BodyTooLarge()
                chunks.append(chunk)
                more = message.get("more_body", False)
        return b"".join(chunks)

    async def _answer(self, scope, receive, headers: dict, vary_origin: bool):
        """(status, headers, body, ETag or None when the answer may not be stored)."""
        params = parse_pairs(scope["query_string"].decode("latin-1"))
        query = None
        if scope["method"] == "POST":
            ctype = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
            if ctype == "application/sparql-update":
                return self._plain(403, _READ_ONLY, vary_origin)
            if ctype not in ("application/x-www-form-urlencoded", "application/sparql-query"):
                return self._plain(415, "POST a form (application/x-www-form-urlencoded) or application/sparql-query", vary_origin)
            try:
                text = (await self._body(receive, headers)).decode("utf-8")
            except UnicodeDecodeError:
                return self._plain(400, "form body is not UTF-8" if ctype.endswith("urlencoded") else "query is not UTF-8", vary_origin)
            if ctype == "application/x-www-form-urlencoded":
                params += parse_pairs(query_text(text))  # a body may start with an encoding signature
            else:
                query = query_text(text)
        values: dict[str, list[str]] = {}
        for k, v in params:
            values.setdefault(k, []).append(v)
        if "update" in values:
            return self._plain(403, _READ_ONLY, vary_origin)
        if query is None and (queries := values.get("query")):
            if len(queries) > 1:
                return self._plain(400, "more than one query parameter", vary_origin)
            query = query_text(queries[0])  # so may the query (as the command line reads it)
        accept = headers.get(b"accept")
        accept = accept.decode("latin-1") if accept is not None else None
        root = scope.get("root_path", "")
        host = headers.get(b"host")
        server = scope.get("server")
        where = (scope.get("scheme", "http"), tuple(server) if server is not None else None, scope["path"], host)
        endpoint = _endpoint_cached(*where) if host is None or len(host) <= 256 else _endpoint_of(*where)
        if query is None:
            if negotiate(accept, "page") == "text/html":
                html = pages.query_page(self.release.named, pages.Links(self.release.base, root),
                                        terms=self.release.terms).encode()
                return self._ok(html, "text/html", _etag(html, "text/html"), vary_origin)
            body = self.service_description(endpoint)
            vary = b"Accept, Origin" if vary_origin else b"Accept"
            return 200, [(b"cache-control", b"no-store"), (b"vary", vary), (b"content-length", b"%d" % len(body)),
                         (b"content-type", b"text/turtle; charset=utf-8"), *SECURITY_HEADERS], body, None
        if len(query) > self.max_query_bytes or (4 * len(query) > self.max_query_bytes
                                                 and len(query.encode("utf-8")) > self.max_query_bytes):
            return self._plain(413, f"query over {self.max_query_bytes} bytes", vary_origin)
        default_graphs, named_graphs = tuple(values.get("default-graph-uri", ())), tuple(values.get("named-graph-uri", ()))
        fmt = values.get("format") or values.get("output")
        status, message, page, formats = _plan(fmt[0] if fmt else None, accept)
        if status:
            return self._plain(status, message, vary_origin)
        for name, graphs in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
            bad = next((g for g in graphs if not _is_iri(g)), None)
            if bad is not None:
                return self._plain(400, f"{name} must be an absolute IRI, not {bad[:200]!r}", vary_origin)
        job = Job(query, formats, default_graphs, named_graphs, endpoint, QUERY_PREFIXES,
                  HTML_ANSWER_BYTES if page else self.max_answer_bytes)
        cache = self.release.cache
        answer = cache.get(("sparql", job))
        if answer is None:
            client = scope.get("client")
            try:
                answer = await self.pool.run(job, timeout=self.timeout, client=client[0] if client else "")
            except QueryTimeout:
                return self._plain(503, f"query timed out after {self.timeout:g} s and was stopped", vary_origin)
            except Busy:
                return self._plain(429, f"too many queries from your address at once (at most {self.pool.per_client}); "
                                   "wait for an answer before asking again", vary_origin, [(b"retry-after", b"1")])
            # the data never changes: an answer is reused (a GET's is kept whole in the response cache)
            if answer.status in (400, 403, 406, 422) or (answer.status == 200 and (
                    scope["method"] == "POST" or len(answer.body) > self.max_cached_body)):
                cache.put(("sparql", job), answer, len(answer.body) + len(query) + 512)
        if answer.status != 200:
            return answer.status, [(b"cache-control", b"no-store"), (b"content-length", b"%d" % len(answer.body)),
                                   (b"content-type", _content_type(answer.media_type)), *self._vary_error(vary_origin),
                                   *SECURITY_HEADERS], answer.body, None
        body, media = answer.body, answer.media_type
        if page and media in _PAGE_SOURCES:
            links = pages.Links(self.release.base, root)
            render = pages.results_page if answer.kind != "graph" else pages.graph_page
            body, media = render(body, links, query=query, named=self.release.named,
                                 terms=self.release.terms).encode(), "text/html"
        return self._ok(body, media, _etag(body, media), vary_origin)

    @staticmethod
    def _ok(body: bytes, media: str, etag: bytes, vary_origin: bool):
        return 200, [(b"cache-control", b"public, max-age=3600"), (b"vary", b"Accept, Origin" if vary_origin else b"Accept"),
                     (b"etag", etag), (b"content-length", b"%d" % len(body)), (b"content-type", _content_type(media)),
                     *SECURITY_HEADERS], body, etag

    @staticmethod
    def _vary_error(vary_origin: bool) -> list:
        return [(b"vary", b"Origin")] if vary_origin else []

    def _plain(self, status: int, message: str, vary_origin: bool, extra: list = ()):
        body = (message + "\n").encode()
        return status, [(b"cache-control", b"no-store"), *extra, (b"content-length", b"%d" % len(body)),
                        (b"content-type", b"text/plain; charset=utf-8"), *self._vary_error(vary_origin),
                        *SECURITY_HEADERS], body, None

    def service_description(self, endpoint_iri: str) -> bytes:
        """The SPARQL 1.1 Service Description of this endpoint, as Turtle. It names the endpoint by
        the request's URL, so it is never stored in a cache (``no-store``)."""
        import pyoxigraph as ox

        endpoint = ox.NamedNode(endpoint_iri)
        sd = lambda local: ox.NamedNode(_SD + local)
        a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        dataset, default_graph, named = ox.BlankNode("dataset"), ox.BlankNode("default"), ox.BlankNode("named")
        triples = [ox.Triple(endpoint, a, sd("Service")), ox.Triple(endpoint, sd("endpoint"), endpoint),
                   ox.Triple(endpoint, sd("supportedLanguage"), sd("SPARQL11Query"))]
        triples += [ox.Triple(endpoint, sd("resultFormat"), ox.NamedNode(_FORMATS + f)) for f in _RESULT_FORMATS]
        triples += [ox.Triple(endpoint, sd("feature"), sd("UnionDefaultGraph")),
                    ox.Triple(endpoint, sd("defaultDataset"), dataset), ox.Triple(dataset, a, sd("Dataset")),
                    ox.Triple(dataset, sd("defaultGraph"), default_graph), ox.Triple(default_graph, a, sd("Graph")),
                    ox.Triple(dataset, sd("namedGraph"), named),
                    ox.Triple(named, sd("name"), ox.NamedNode(self.release.graph_name))]
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes={"sd": _SD})


def _is_iri(text: str) -> bool:
    import pyoxigraph as ox

    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return ":" in text
