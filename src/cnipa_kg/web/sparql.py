"""The SPARQL 1.1 Protocol at ``/sparql``: GET, POST form and POST ``application/sparql-query``;
``default-graph-uri`` / ``named-graph-uri``; results by ``Accept`` or ``format=`` / ``output=``; a
query editor for browsers and a service description for everyone else when there is no query.

User queries run in worker processes (:mod:`.workers`) killed at the deadline; a query that uses
``SERVICE`` is refused there before it runs (:mod:`.guard`); updates are refused (403 as
``update=`` or ``application/sparql-update``; an update sent as a query does not parse: 400).
Bodies are read up to ``max_query_bytes`` and no further (413); answers are bounded in bytes.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from ..core.vocab import PREFIXES
from . import pages
from .evaluate import Answer, Job
from .negotiate import format_param, negotiate
from .responses import error, respond
from .state import ServedRelease
from .workers import Busy, QueryPool, QueryTimeout

_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS = "http://www.w3.org/ns/formats/"
_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                   "Turtle", "N-Triples", "JSON-LD", "RDF_XML")
_PREFIXES = tuple((prefix, str(ns)) for prefix, ns in PREFIXES.items())
HTML_ANSWER_BYTES = 2 << 20  #: the largest answer rendered as an HTML page (in this process)


class BodyTooLarge(Exception):
    pass


class SparqlEndpoint:
    def __init__(self, release: ServedRelease, pool: QueryPool, *, timeout: float, max_query_bytes: int,
                 max_answer_bytes: int = 64 << 20) -> None:
        self.release = release
        self.pool = pool
        self.timeout = timeout
        self.max_query_bytes = max_query_bytes
        self.max_answer_bytes = max_answer_bytes

    async def _body(self, request: Request) -> bytes:
        """The request body, read as it streams in and refused past ``max_query_bytes``."""
        if int(request.headers.get("content-length") or 0) > self.max_query_bytes:
            raise BodyTooLarge()
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_query_bytes:
                raise BodyTooLarge()
            chunks.append(chunk)
        return b"".join(chunks)

    async def handle(self, request: Request) -> Response:
        try:
            return await self._handle(request)
        except BodyTooLarge:
            return error(413, f"request body over {self.max_query_bytes} bytes")
        except ClientDisconnect:
            return Response(status_code=400)  # nobody is listening; no traceback in the log

    async def _handle(self, request: Request) -> Response:
        params = list(request.query_params.multi_items())
        query = None
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype == "application/sparql-update":
                return error(403, "updates are not allowed: this endpoint is read-only")
            if ctype not in ("application/x-www-form-urlencoded", "application/sparql-query"):
                return error(415, "POST a form (application/x-www-form-urlencoded) or application/sparql-query")
            body = await self._body(request)
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                return error(400, "form body is not UTF-8" if ctype.endswith("urlencoded") else "query is not UTF-8")
            if ctype == "application/x-www-form-urlencoded":
                params += parse_qsl(text, keep_blank_values=True, strict_parsing=False)
            else:
                query = text
        values: dict[str, list[str]] = {}
        for k, v in params:
            values.setdefault(k, []).append(v)
        if "update" in values:
            return error(403, "updates are not allowed: this endpoint is read-only")
        if query is None:
            queries = values.get("query", [])
            if len(queries) > 1:
                return error(400, "more than one query parameter")
            query = queries[0] if queries else None
        accept = request.headers.get("accept")
        if query is None:
            if negotiate(accept, "page") == "text/html":
                html = pages.query_page(self.release.named, self.release.links(request))
                return respond(request, html.encode(), "text/html")
            return self.service_description(request)
        if len(query.encode("utf-8")) > self.max_query_bytes:
            return error(413, f"query over {self.max_query_bytes} bytes")
        # fast path: the data never changes, so a successful answer is reused as it was sent
        fast_key = ("response", query, tuple(values.get("format", [])), tuple(values.get("output", [])), accept,
                    tuple(values.get("default-graph-uri", [])), tuple(values.get("named-graph-uri", [])),
                    str(request.base_url), request.scope.get("root_path", ""))
        if (hit := self.release.cache.get(fast_key)) is not None:
            return respond(request, hit[0], hit[1], etag=hit[2])
        response = await self._evaluate(request, query, values, accept)
        if response.status_code == 200 and "etag" in response.headers:
            self.release.cache.put(fast_key, (response.body, response.media_type, response.headers["etag"]))
        return response

    def _wanted(self, values: dict[str, list[str]], accept: str | None) -> list[str] | Response:
        fmt = (values.get("format") or values.get("output") or [None])[0]
        if fmt:
            wanted = format_param(fmt)
            if wanted is None:
                return error(400, f"unknown format {fmt!r}; e.g. json, xml, csv, tsv, ttl, nt, jsonld, html")
            return wanted
        wanted = [m for m in (negotiate(accept, "solutions"), negotiate(accept, "graph")) if m]
        return wanted or error(406, "no acceptable format")

    async def _evaluate(self, request: Request, query: str, values: dict[str, list[str]], accept: str | None) -> Response:
        wanted = self._wanted(values, accept)
        if isinstance(wanted, Response):
            return wanted
        graphs = {}
        for name in ("default-graph-uri", "named-graph-uri"):
            graphs[name] = tuple(values.get(name, []))
            bad = next((g for g in graphs[name] if not _is_iri(g)), None)
            if bad is not None:
                return error(400, f"{name} must be an absolute IRI, not {bad[:200]!r}")
        html = "text/html" in wanted
        worker_formats = [m for m in wanted if m != "text/html"] + (["application/sparql-results+json", "text/turtle"] if html else [])
        endpoint = str(request.url.replace(query="", fragment=""))
        job = Job(query, tuple(worker_formats), graphs["default-graph-uri"], graphs["named-graph-uri"], base_iri=endpoint,
                  prefixes=_PREFIXES, max_bytes=HTML_ANSWER_BYTES if html and wanted[0] == "text/html" else self.max_answer_bytes)
        cache = self.release.cache
        key = ("sparql", job)
        answer: Answer | None = cache.get(key)
        if answer is None:
            try:
                answer = await self.pool.run(job, timeout=self.timeout, client=request.client.host if request.client else "")
            except QueryTimeout:
                return error(503, f"query timed out after {self.timeout:g} s and was stopped")
            except Busy:
                return Response(f"too many queries from your address at once (at most {self.pool.per_client}); "
                                "wait for an answer before asking again\n", status_code=429, media_type="text/plain",
                                headers={"Retry-After": "1", "Cache-Control": "no-store"})
            if answer.status in (200, 400, 403, 406, 422):
                cache.put(key, answer)
        if answer.status != 200:
            return Response(answer.body, status_code=answer.status, media_type=answer.media_type, headers={"Cache-Control": "no-store"})
        if html and answer.media_type in ("application/sparql-results+json", "text/turtle") and "text/html" == wanted[0]:
            links = self.release.links(request)
            page = (pages.results_page(answer.body, links, query=query) if answer.kind != "graph"
                    else pages.graph_page(answer.body, links, query=query))
            return respond(request, page.encode(), "text/html")
        return respond(request, answer.body, answer.media_type)

    def service_description(self, request: Request) -> Response:
        """The SPARQL 1.1 Service Description of this endpoint, as Turtle. It names the endpoint by
        the request's URL, so it is never stored in a cache (``no-store``)."""
        import pyoxigraph as ox

        endpoint = ox.NamedNode(str(request.url.replace(query="", fragment="")))
        sd = lambda local: ox.NamedNode(_SD + local)  # noqa: E731
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
        body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes={"sd": _SD})
        return Response(body, media_type="text/turtle; charset=utf-8", headers={"Cache-Control": "no-store", "Vary": "Accept"})


def _is_iri(text: str) -> bool:
    import pyoxigraph as ox

    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return ":" in text
