"""The SPARQL 1.1 Protocol at ``/sparql``: GET, POST form and POST ``application/sparql-query``;
``default-graph-uri`` / ``named-graph-uri``; results by ``Accept`` or ``format=``; a query editor
for browsers and a service description for everyone else when there is no query.

User queries run in worker processes (:mod:`.workers`) killed at the deadline; updates and
``SERVICE`` are refused first (:mod:`.guard`).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from ..core.sparql import shift_position, with_prefixes
from . import pages
from .guard import is_update, uses_service
from .negotiate import FORMAT_PARAM, negotiate
from .responses import error, respond
from .state import ServedRelease
from .workers import Answer, QueryPool, QueryTimeout

_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS = "http://www.w3.org/ns/formats/"
_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                   "Turtle", "N-Triples", "JSON-LD", "RDF_XML")


class SparqlEndpoint:
    def __init__(self, release: ServedRelease, pool: QueryPool, *, timeout: float, max_query_bytes: int) -> None:
        self.release = release
        self.pool = pool
        self.timeout = timeout
        self.max_query_bytes = max_query_bytes

    async def handle(self, request: Request) -> Response:
        params = list(request.query_params.multi_items())
        length = int(request.headers.get("content-length") or 0)
        if length > self.max_query_bytes:
            return error(413, f"request body over {self.max_query_bytes} bytes")
        query = None
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = await request.body()
            if len(body) > self.max_query_bytes:
                return error(413, f"request body over {self.max_query_bytes} bytes")
            if ctype == "application/sparql-update":
                return error(403, "updates are not allowed: this endpoint is read-only")
            if ctype == "application/x-www-form-urlencoded":
                try:
                    params += parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
                except UnicodeDecodeError:
                    return error(400, "form body is not UTF-8")
            elif ctype == "application/sparql-query":
                try:
                    query = body.decode("utf-8")
                except UnicodeDecodeError:
                    return error(400, "query is not UTF-8")
            else:
                return error(415, "POST a form (application/x-www-form-urlencoded) or application/sparql-query")
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
        fast_key = ("response", query, values.get("format", [None])[0], accept, tuple(values.get("default-graph-uri", [])),
                    tuple(values.get("named-graph-uri", [])), request.scope.get("root_path", ""))
        if (hit := self.release.cache.get(fast_key)) is not None:
            return respond(request, hit[0], hit[1], etag=hit[2])
        response = await self._evaluate(request, query, values, accept)
        if response.status_code == 200 and "etag" in response.headers:
            self.release.cache.put(fast_key, (response.body, response.media_type, response.headers["etag"]))
        return response

    async def _evaluate(self, request: Request, query: str, values: dict[str, list[str]], accept: str | None) -> Response:
        if uses_service(query):
            return error(403, "SERVICE (federated query) is not allowed")
        if is_update(query):
            return error(403, "updates are not allowed: this endpoint is read-only")
        fmt = values.get("format", [None])[0]
        if fmt:
            media = FORMAT_PARAM.get(fmt.lower())
            if media is None:
                return error(400, f"unknown format {fmt!r}; one of {', '.join(sorted(FORMAT_PARAM))}")
            wanted = [media]
        else:
            wanted = [m for m in (negotiate(accept, "solutions"), negotiate(accept, "graph")) if m]
            if not wanted:
                return error(406, "no acceptable format")
        html = "text/html" in wanted
        worker_formats = [m for m in wanted if m != "text/html"] + (["application/sparql-results+json", "text/turtle"] if html else [])
        cache = self.release.cache
        key = ("sparql", query, tuple(worker_formats), tuple(values.get("default-graph-uri", [])), tuple(values.get("named-graph-uri", [])))
        answer: Answer | None = cache.get(key)
        if answer is None:
            text = with_prefixes(query)
            try:
                answer = await self.pool.run(text, worker_formats, timeout=self.timeout,
                                             default_graphs=values.get("default-graph-uri", []),
                                             named_graphs=values.get("named-graph-uri", []))
            except QueryTimeout:
                return error(503, f"query timed out after {self.timeout:g} s and was stopped")
            if answer.status == 400:
                shift = text.count("\n") - query.count("\n")
                answer = Answer(400, answer.media_type, shift_position(answer.body.decode(), shift).encode())
            if answer.status in (200, 400, 406):
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
        """The SPARQL 1.1 Service Description of this endpoint, as Turtle."""
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
        return respond(request, body, "text/turtle")
