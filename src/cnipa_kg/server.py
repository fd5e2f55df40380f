"""The HTTP server: SPARQL 1.1 Protocol endpoint and dereferenceable linked data.

``create_app(release_dir, …)`` returns a Starlette app that another Starlette/FastAPI app can
``Mount``. The release is loaded once into read-only pyoxigraph stores: one in this process
for the linked-data pages (fixed, bounded queries), and one in each query worker process for
user queries (see :mod:`cnipa_kg.workers`: a timeout kills the worker, so it ends the query).

Routes: ``/`` home · ``/sparql`` (GET, POST form, POST ``application/sparql-query``; HTML
editor for browsers; service description without a query) · ``/.well-known/void`` ·
``/dist/{file}`` release files · ``/assets/{file}`` · every other path is looked up as an IRI
under the release's base (``.ttl``/``.jsonld``/``.nt``/``.html`` suffixes or ``Accept``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
from collections import OrderedDict
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

from . import pages
from .negotiate import FORMAT_PARAM, SUFFIXES, negotiate
from .queries import header
from .resources import named_queries
from .store import _shift_position, with_prefixes
from .vocab import DEFAULT_BASE
from .workers import Answer, QueryPool, QueryTimeout

log = logging.getLogger("cnipa_kg.server")

RELEASE_FILES = ("cnipa-kg.ttl", "cnipa-kg.nt", "cnipa-kg.jsonld", "designations.csv", "designations.csv-metadata.json",
                 "city-year-panel.csv", "void.ttl")
ASSETS = {"style.css": "text/css; charset=utf-8", "query.js": "text/javascript; charset=utf-8"}
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy",
     b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
     b"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
]
CORS_HEADERS = [(b"access-control-allow-origin", b"*")]
_UPDATE = re.compile(r"^(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_PROLOGUE = re.compile(r"^\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s+)*", re.IGNORECASE)  # IRIs already stripped
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)
# strings, IRIs, backslash escapes (ex:p\#x) and only then comments
_STRIP = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s"{}|^`]*>|\\.|[?$]\w+|#[^\n]*')
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _keywords_only(query: str) -> str:
    """The query without strings, IRIs and comments, so keywords are not found inside them.

    SPARQL allows \\uXXXX escapes anywhere in a query; they are decoded first.
    """
    decoded = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)
    return _STRIP.sub(" ", decoded)


def is_update(query: str) -> bool:
    """True when the request (after its PREFIX/BASE prologue) is a SPARQL Update.

    >>> is_update("PREFIX ex: <http://e/> DELETE { ?s ?p ?o } WHERE { { SELECT * WHERE { ?s ?p ?o } } }")
    True
    >>> is_update("SELECT * WHERE { ?s <http://e/insert> ?o }")
    False
    """
    text = _keywords_only(query)
    return bool(_UPDATE.match(text[_PROLOGUE.match(text).end():].lstrip()))


class _Headers:
    """ASGI middleware: security headers on every response, CORS on every response, preflight."""

    def __init__(self, app, *, cors: bool) -> None:
        self.app = app
        self.cors = cors

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["method"] == "OPTIONS" and self.cors:
            headers = SECURITY_HEADERS + CORS_HEADERS + [
                (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
                (b"access-control-allow-headers", b"Accept, Content-Type"),
                (b"access-control-max-age", b"86400"), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return

        async def wrapped(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [h for h in SECURITY_HEADERS + (CORS_HEADERS if self.cors else []) if h[0] not in names]
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        await self.app(scope, receive, wrapped)


class _ResponseCache:
    """ASGI middleware: GET answers are reused byte for byte (the data never changes while serving).

    The key is the path, the raw query string, the Accept header and the mount point; only complete
    200 answers below 1 MiB are kept. ``If-None-Match`` is honoured on hits. This keeps repeated
    lookups off the router and the event loop's slower paths.
    """

    def __init__(self, app, *, size: int = 4096, max_body: int = 1 << 20) -> None:
        self.app = app
        self.store = _Cache(size)
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        key = (scope["path"], scope["query_string"], headers.get(b"accept", b""), scope.get("root_path", ""), scope["method"])
        hit = self.store.get(key)
        if hit is not None:
            status_headers, body, etag = hit
            if etag and etag in [t.strip() for t in headers.get(b"if-none-match", b"").split(b",")]:
                kept = [(k, v) for k, v in status_headers if k in (b"etag", b"cache-control", b"vary", b"content-location")]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({"type": "http.response.start", "status": 200, "headers": status_headers})
            await send({"type": "http.response.body", "body": body})
            return
        captured: dict = {"status": None, "headers": [], "body": [], "size": 0, "ok": True}

        async def capture(message):
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured["size"] += len(message.get("body", b""))
                if captured["size"] <= self.max_body:
                    captured["body"].append(message.get("body", b""))
                else:
                    captured["ok"] = False
            await send(message)

        await self.app(scope, receive, capture)
        if captured["status"] == 200 and captured["ok"]:
            etag = dict(captured["headers"]).get(b"etag")
            self.store.put(key, (captured["headers"], b"".join(captured["body"]), etag))


class _Cache:
    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self.data: OrderedDict = OrderedDict()

    def get(self, key):
        if key in self.data:
            self.data.move_to_end(key)
            return self.data[key]
        return None

    def put(self, key, value) -> None:
        self.data[key] = value
        self.data.move_to_end(key)
        while len(self.data) > self.size:
            self.data.popitem(last=False)


def check_release(release: Path, *, graph_name: str | None = None):
    """Load the release's N-Triples into a new store, or fail with a clear message.

    :returns: ``(path of cnipa-kg.nt, pyoxigraph store)``; the data goes into ``graph_name`` if given
    :raises InputError: not a release directory; the file is empty, unreadable or does not parse
    """
    import pyoxigraph as ox

    from .errors import InputError
    from .store import load_file

    data = Path(release) / "cnipa-kg.nt"
    if not data.exists():
        raise InputError(release, None, "no cnipa-kg.nt here: build a release first (cnipa-kg build --out DIR)")
    store = ox.Store()
    load_file(store, data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph_name) if graph_name else None)
    if next(iter(store), None) is None:
        raise InputError(data, None, "no triples: not a release")
    return data, store


def release_base(release: Path) -> str:
    """The base IRI the release was built with (``void:uriSpace`` of its void.ttl)."""
    from .decode import MAX_RDF_BYTES, read_bytes
    from .errors import InputError

    void = Path(release) / "void.ttl"
    if not void.exists():
        return DEFAULT_BASE
    data = read_bytes(void, limit=MAX_RDF_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(void, data[: exc.start].count(b"\n") + 1, "not UTF-8 Turtle") from None
    m = re.search(r'void:uriSpace\s+"(https?://[^"\s]+)"', text)
    return m.group(1) if m else DEFAULT_BASE


class App:
    def __init__(self, release: Path, *, base: str | None, query_timeout: float, workers: int,
                 max_query_bytes: int, cors: bool) -> None:
        self.release = release
        self.release_base = release_base(release)
        self.deployed_base = base
        self.graph_name = f"{self.release_base}dataset"
        data, self.store = check_release(release, graph_name=self.graph_name)
        self.timeout = query_timeout
        self.max_query_bytes = max_query_bytes
        self.pool = QueryPool([data], graph_name=self.graph_name, size=workers)
        self.cache = _Cache()
        self.named = {name: (header(p).get("title", ""), p.read_text(encoding="utf-8")) for name, p in named_queries().items()}
        self.cors = cors

    # -- helpers ----------------------------------------------------------------------------
    def links(self, request: Request) -> pages.Links:
        return pages.Links(self.release_base, request.scope.get("root_path", ""))

    @staticmethod
    def respond(request: Request, body: bytes, media: str, *, status: int = 200, vary: bool = True,
                extra: dict | None = None, etag: str | None = None) -> Response:
        headers = {"Cache-Control": "public, max-age=3600"} if status == 200 else {"Cache-Control": "no-store"}
        if vary:
            headers["Vary"] = "Accept"
        if extra:
            headers.update(extra)
        if status == 200:
            etag = etag or '"' + hashlib.sha256(body + media.encode()).hexdigest()[:32] + '"'
            headers["ETag"] = etag
            if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
                return Response(status_code=304, headers=headers)
        if media.startswith("text/") and "charset" not in media:
            media += "; charset=utf-8"
        return Response(body, status_code=status, media_type=media, headers=headers)

    def error(self, request: Request, status: int, message: str) -> Response:
        return PlainTextResponse(message + "\n", status_code=status, headers={"Cache-Control": "no-store"})

    # -- home, void, files ----------------------------------------------------------------------
    def summary(self) -> dict:
        cached = self.cache.get(("summary",))
        if cached:
            return cached
        rows = self.local_select("""
            SELECT ?notice ?number ?title ?date ?issuer ?level (COUNT(?d) AS ?n) WHERE {
              ?notice a ckg:Notice ; eli:id_local ?number ; eli:date_document ?date ; eli:passed_by/skos:prefLabel ?issuer ;
                      skos:prefLabel ?title .
              FILTER(lang(?title) = "zh" && lang(?issuer) = "zh")
              ?d ckg:designatedBy ?notice ; ckg:designationLevel/skos:prefLabel ?level . FILTER(lang(?level) = "zh")
            } GROUP BY ?notice ?number ?title ?date ?issuer ?level ORDER BY ?number ?level""")
        notices: dict = {}
        for r in rows:
            n = notices.setdefault(r["notice"], {"iri": r["notice"], "number": r["number"], "title": r["title"],
                                                 "date": r["date"], "issuer": r["issuer"], "counts": []})
            n["counts"].append(f"{r['level']} {r['n']}")
        for n in notices.values():
            n["counts"] = "，".join(n["counts"])
        counts = self.local_select("""SELECT (COUNT(*) AS ?t) (SUM(IF(?p = ckg:designatedBy, 1, 0)) AS ?d)
                                      (SUM(IF(?p = ckg:divisionLevel, 1, 0)) AS ?v) WHERE { ?s ?p ?o }""")[0]
        summary = {"notices": list(notices.values()), "triples": int(counts["t"]), "designations": int(counts["d"]),
                   "divisions": int(counts["v"]), "files": [f for f in RELEASE_FILES if (self.release / f).is_file()]}
        self.cache.put(("summary",), summary)
        return summary

    def local_select(self, query: str) -> list[dict[str, str]]:
        import pyoxigraph as ox

        result = self.store.query(with_prefixes(query), use_default_graph_as_union=True)
        names = [v.value for v in result.variables]
        return [{n: (s[n].value if s[n] is not None else "") for n in names} for s in result
                if isinstance(result, ox.QuerySolutions)]

    async def home(self, request: Request) -> Response:
        media = negotiate(request.headers.get("accept"), "page")
        if media and media != "text/html":
            return await self.void(request)
        html = pages.home_page(self.summary(), self.links(request))
        return self.respond(request, html.encode(), "text/html")

    async def void(self, request: Request) -> Response:
        path = self.release / "void.ttl"
        if not path.is_file():
            return self.error(request, 404, "this release has no void.ttl")
        media = negotiate(request.headers.get("accept"), "graph") or "text/turtle"
        if media in ("text/turtle", "text/html"):
            return self.respond(request, path.read_bytes(), "text/turtle")
        key = ("void", media)
        body = self.cache.get(key)
        if body is None:
            import pyoxigraph as ox

            from .workers import _GRAPH_FORMATS

            triples = ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE)
            body = ox.serialize(triples, format=getattr(ox.RdfFormat, _GRAPH_FORMATS[media]))
            self.cache.put(key, body)
        return self.respond(request, body, media)

    async def dist_file(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in RELEASE_FILES or not (self.release / name).is_file():
            return self.not_found(request)
        media = {".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json",
                 ".csv": "text/csv", ".json": "application/csvm+json"}[Path(name).suffix]
        return self.respond(request, (self.release / name).read_bytes(), media, vary=False)

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            return self.not_found(request)
        body = resources.files("cnipa_kg").joinpath("assets", name).read_bytes()
        return self.respond(request, body, ASSETS[name], vary=False)

    def not_found(self, request: Request) -> Response:
        if negotiate(request.headers.get("accept"), "page") == "text/html":
            html = pages.not_found_page(request.url.path, self.links(request))
            return Response(html, status_code=404, media_type="text/html; charset=utf-8")
        return self.error(request, 404, "not found")

    # -- linked data --------------------------------------------------------------------------
    def describe(self, iri: str) -> list[tuple[str, str, dict]] | None:
        key = ("describe", iri)
        cached = self.cache.get(key)
        if cached is not None:
            return cached or None
        import pyoxigraph as ox

        try:
            node = ox.NamedNode(iri)
        except ValueError:  # the path is not a valid IRI: nothing can be minted there
            return None
        if not any(True for _ in self.store.quads_for_pattern(node, None, None)):
            self.cache.put(key, [])
            return None
        ref = f"<{iri}>"
        q = f"""CONSTRUCT {{ {ref} ?p ?o . ?o skos:prefLabel ?ol . ?s ?q {ref} . ?s skos:prefLabel ?sl .
                              ?s ckg:designee ?dd . ?dd skos:prefLabel ?ddl }}
                WHERE {{ {{ {ref} ?p ?o OPTIONAL {{ ?o skos:prefLabel ?ol }} }}
                         UNION {{ ?s ?q {ref} OPTIONAL {{ ?s skos:prefLabel ?sl }}
                                  OPTIONAL {{ ?s ckg:designee ?dd . ?dd skos:prefLabel ?ddl }} }} }}"""
        result = self.store.query(with_prefixes(q), use_default_graph_as_union=True)
        triples = []
        for t in result:
            o = t.object
            if isinstance(o, ox.Literal):
                value = {"type": "literal", "value": o.value}
                if o.language:
                    value["lang"] = o.language
                else:
                    value["datatype"] = o.datatype.value
            elif isinstance(o, ox.NamedNode):
                value = {"type": "uri", "value": o.value}
            else:
                value = {"type": "bnode", "value": str(o)}
            triples.append((t.subject.value if isinstance(t.subject, ox.NamedNode) else str(t.subject), t.predicate.value, value))
        triples.sort(key=lambda t: (t[0], t[1], json.dumps(t[2], sort_keys=True)))
        self.cache.put(key, triples)
        return triples

    def serialise(self, triples: list, media: str) -> bytes:
        import pyoxigraph as ox

        from .workers import _GRAPH_FORMATS

        quads = []
        for s, p, o in triples:
            subject = ox.NamedNode(s) if not s.startswith("_:") else ox.BlankNode(s[2:])
            if o["type"] == "uri":
                obj = ox.NamedNode(o["value"])
            elif o["type"] == "bnode":
                obj = ox.BlankNode(o["value"][2:])
            elif "lang" in o:
                obj = ox.Literal(o["value"], language=o["lang"])
            else:
                obj = ox.Literal(o["value"], datatype=ox.NamedNode(o["datatype"]))
            quads.append(ox.Triple(subject, ox.NamedNode(p), obj))
        prefixes = {"ckg": "https://w3id.org/cnipa-kg/def#", "eli": "http://data.europa.eu/eli/ontology#",
                    "skos": "http://www.w3.org/2004/02/skos/core#", "org": "http://www.w3.org/ns/org#",
                    "prov": "http://www.w3.org/ns/prov#", "xsd": "http://www.w3.org/2001/XMLSchema#"}
        fmt = getattr(ox.RdfFormat, _GRAPH_FORMATS[media])
        if fmt in (ox.RdfFormat.TURTLE,):
            return ox.serialize(quads, format=fmt, prefixes=prefixes)
        return ox.serialize(quads, format=fmt)

    async def resource(self, request: Request) -> Response:
        path = request.path_params["path"]
        suffix_media = None
        for suffix, media in SUFFIXES.items():
            if path.endswith(suffix):
                path, suffix_media = path[: -len(suffix)], media
                break
        if not path or ".." in path or "\\" in path or "\x00" in path:
            return self.not_found(request)
        iri = self.release_base + path
        triples = self.describe(iri)
        if triples is None:
            return self.not_found(request)
        media = suffix_media or negotiate(request.headers.get("accept"), "page")
        if media is None:
            return self.error(request, 406, "acceptable: text/html, text/turtle, application/ld+json, application/n-triples")
        root = request.scope.get("root_path", "")
        location = f"{root}/{path}{[k for k, v in SUFFIXES.items() if v == media][0]}"
        key = ("page", iri, media, root)
        body = self.cache.get(key)
        if body is None:
            if media == "text/html":
                alternates = {f"{k[1:].upper()}": f"{root}/{path}{k}" for k in (".ttl", ".jsonld", ".nt")}
                body = pages.resource_page(iri, triples, self.links(request), alternates=alternates).encode()
            else:
                body = self.serialise(triples, media)
            self.cache.put(key, body)
        return self.respond(request, body, media, extra={"Content-Location": location})

    # -- SPARQL ---------------------------------------------------------------------------------
    async def sparql(self, request: Request) -> Response:
        params = list(request.query_params.multi_items())
        length = int(request.headers.get("content-length") or 0)
        if length > self.max_query_bytes:
            return self.error(request, 413, f"request body over {self.max_query_bytes} bytes")
        query = None
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = await request.body()
            if len(body) > self.max_query_bytes:
                return self.error(request, 413, f"request body over {self.max_query_bytes} bytes")
            if ctype == "application/sparql-update":
                return self.error(request, 403, "updates are not allowed: this endpoint is read-only")
            if ctype == "application/x-www-form-urlencoded":
                try:
                    params += parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
                except UnicodeDecodeError:
                    return self.error(request, 400, "form body is not UTF-8")
            elif ctype == "application/sparql-query":
                try:
                    query = body.decode("utf-8")
                except UnicodeDecodeError:
                    return self.error(request, 400, "query is not UTF-8")
            else:
                return self.error(request, 415, "POST a form (application/x-www-form-urlencoded) or application/sparql-query")
        values: dict[str, list[str]] = {}
        for k, v in params:
            values.setdefault(k, []).append(v)
        if "update" in values:
            return self.error(request, 403, "updates are not allowed: this endpoint is read-only")
        if query is None:
            queries = values.get("query", [])
            if len(queries) > 1:
                return self.error(request, 400, "more than one query parameter")
            query = queries[0] if queries else None
        accept = request.headers.get("accept")
        if query is None:
            if negotiate(accept, "page") == "text/html":
                html = pages.query_page(self.named, self.links(request))
                return self.respond(request, html.encode(), "text/html")
            return self.service_description(request)
        if len(query.encode("utf-8")) > self.max_query_bytes:
            return self.error(request, 413, f"query over {self.max_query_bytes} bytes")
        # fast path: the data never changes, so a successful answer is reused as it was sent
        fast_key = ("response", query, values.get("format", [None])[0], accept, tuple(values.get("default-graph-uri", [])),
                    tuple(values.get("named-graph-uri", [])), request.scope.get("root_path", ""))
        if (hit := self.cache.get(fast_key)) is not None:
            return self.respond(request, hit[0], hit[1], etag=hit[2])
        response = await self._evaluate(request, query, values, accept)
        if response.status_code == 200 and "etag" in response.headers:
            self.cache.put(fast_key, (response.body, response.media_type, response.headers["etag"]))
        return response

    async def _evaluate(self, request: Request, query: str, values: dict[str, list[str]], accept: str | None) -> Response:
        if _SERVICE.search(_keywords_only(query)):
            return self.error(request, 403, "SERVICE (federated query) is not allowed")
        if is_update(query):
            return self.error(request, 403, "updates are not allowed: this endpoint is read-only")
        fmt = values.get("format", [None])[0]
        if fmt:
            media = FORMAT_PARAM.get(fmt.lower())
            if media is None:
                return self.error(request, 400, f"unknown format {fmt!r}; one of {', '.join(sorted(FORMAT_PARAM))}")
            wanted = [media]
        else:
            wanted = [m for m in (negotiate(accept, "solutions"), negotiate(accept, "graph")) if m]
            if not wanted:
                return self.error(request, 406, "no acceptable format")
        html = "text/html" in wanted
        worker_formats = [m for m in wanted if m != "text/html"] + (["application/sparql-results+json", "text/turtle"] if html else [])
        key = ("sparql", query, tuple(worker_formats), tuple(values.get("default-graph-uri", [])), tuple(values.get("named-graph-uri", [])))
        answer: Answer | None = self.cache.get(key)
        if answer is None:
            text = with_prefixes(query)
            try:
                answer = await self.pool.run(text, worker_formats, timeout=self.timeout,
                                             default_graphs=values.get("default-graph-uri", []),
                                             named_graphs=values.get("named-graph-uri", []))
            except QueryTimeout:
                return self.error(request, 503, f"query timed out after {self.timeout:g} s and was stopped")
            if answer.status == 400:
                shift = text.count("\n") - query.count("\n")
                answer = Answer(400, answer.media_type, _shift_position(answer.body.decode(), shift).encode())
            if answer.status in (200, 400, 406):
                self.cache.put(key, answer)
        if answer.status != 200:
            return Response(answer.body, status_code=answer.status, media_type=answer.media_type, headers={"Cache-Control": "no-store"})
        if html and answer.media_type in ("application/sparql-results+json", "text/turtle") and "text/html" == wanted[0]:
            page = (pages.results_page(answer.body, self.links(request), query=query) if answer.kind != "graph"
                    else pages.graph_page(answer.body, self.links(request), query=query))
            return self.respond(request, page.encode(), "text/html")
        return self.respond(request, answer.body, answer.media_type)

    def service_description(self, request: Request) -> Response:
        endpoint = str(request.url.replace(query="", fragment=""))
        sd = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>, <http://www.w3.org/ns/formats/SPARQL_Results_XML>,
        <http://www.w3.org/ns/formats/SPARQL_Results_CSV>, <http://www.w3.org/ns/formats/SPARQL_Results_TSV>,
        <http://www.w3.org/ns/formats/Turtle>, <http://www.w3.org/ns/formats/N-Triples>,
        <http://www.w3.org/ns/formats/JSON-LD>, <http://www.w3.org/ns/formats/RDF_XML> ;
    sd:feature sd:UnionDefaultGraph ;
    sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ] ;
        sd:namedGraph [ sd:name <{self.graph_name}> ] ] .
"""
        return self.respond(request, sd.encode(), "text/turtle")


def create_app(release: str | Path, *, base: str | None = None, query_timeout: float = 10.0, workers: int = 2,
               max_query_bytes: int = 32 * 1024, cors: bool = True) -> Starlette:
    """A Starlette app serving ``release`` (a directory written by ``cnipa-kg build``).

    :param base: the base IRI where the app is deployed; requests map to the release's IRIs
    :param query_timeout: seconds after which a SPARQL query is stopped (its worker is killed)
    :param workers: query worker processes
    :param max_query_bytes: larger queries or bodies get 413
    :param cors: send ``Access-Control-Allow-Origin: *`` (no credentials) and answer preflights
    """
    app_state = App(Path(release), base=base, query_timeout=query_timeout, workers=workers,
                    max_query_bytes=max_query_bytes, cors=cors)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        await app_state.pool.start()
        try:
            yield
        finally:
            await app_state.pool.stop()

    routes = [
        Route("/", app_state.home, methods=["GET", "HEAD"]),
        Route("/sparql", app_state.sparql, methods=["GET", "POST", "HEAD"]),
        Route("/sparql/", app_state.sparql, methods=["GET", "POST", "HEAD"]),
        Route("/.well-known/void", app_state.void, methods=["GET", "HEAD"]),
        Route("/dist/{name}", app_state.dist_file, methods=["GET", "HEAD"]),
        Route("/assets/{name}", app_state.asset, methods=["GET", "HEAD"]),
        Route("/{path:path}", app_state.resource, methods=["GET", "HEAD"]),
    ]
    prefix = urlparse(base).path.rstrip("/") if base else ""
    if prefix:  # deployed under a sub-path of --base: serve there, links follow (root_path)
        app = Starlette(routes=[Mount(prefix, routes=routes)], lifespan=lifespan)
    else:
        app = Starlette(routes=routes, lifespan=lifespan)
    app.state.cnipa = app_state
    app.add_middleware(_ResponseCache)
    app.add_middleware(_Headers, cors=cors)
    return app


_ENV = "CNIPA_KG_SERVE_OPTIONS"


def app_from_env() -> Starlette:
    """App factory for uvicorn's multi-process mode: options come from the environment."""
    options = json.loads(os.environ[_ENV])
    return create_app(options.pop("release"), **options)


def run_server(release: str | Path, *, host: str = "127.0.0.1", port: int = 8000, query_timeout: float = 10.0,
               base: str | None = None, workers: int = 2, http_workers: int = 1) -> None:
    """Build the app and run it with uvicorn (tests patch ``uvicorn.run``).

    :param workers: query worker processes per HTTP process
    :param http_workers: HTTP server processes (uvicorn ``workers``); each loads the release
    """
    import uvicorn

    if http_workers > 1:
        os.environ[_ENV] = json.dumps({"release": str(Path(release).resolve()), "base": base,
                                       "query_timeout": query_timeout, "workers": workers})
        check_release(Path(release))  # fail here, not in each child
        uvicorn.run("cnipa_kg.server:app_from_env", factory=True, host=host, port=port, workers=http_workers,
                    log_level="info")
        return
    app = create_app(release, base=base, query_timeout=query_timeout, workers=workers)
    uvicorn.run(app, host=host, port=port, log_level="info")
