"""The HTTP server over real HTTP: SPARQL 1.1 Protocol, every results format, linked data, headers.

A session fixture runs ``create_app(release_dir, …)`` with uvicorn on a free port of 127.0.0.1 in a
background thread (the lifespan starts the query worker processes) and stops it at teardown.
Other test modules reuse :func:`running_app`.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import re
import socket
import threading
import time
import traceback
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

# rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph internally
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

BASE = "https://w3id.org/cnipa-kg/"
CKG = Namespace("https://w3id.org/cnipa-kg/def#")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SRX = "{http://www.w3.org/2005/sparql-results#}"
DATASET = f"{BASE}dataset"
NOTICE = f"{BASE}eli/notice/gzfyz/2022/33"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

# every designation with its designee's Chinese name
DESIGNATIONS = """SELECT ?d ?name WHERE {
  ?d a ckg:Designation ; ckg:designee/skos:prefLabel ?name . FILTER(lang(?name) = "zh")
} ORDER BY ?d"""
COUNT_DESIGNATIONS = "SELECT (COUNT(?d) AS ?n) WHERE { ?d a ckg:Designation }"
CONSTRUCT_DESIGNEES = "CONSTRUCT { ?d ckg:designee ?division } WHERE { ?d a ckg:Designation ; ckg:designee ?division }"
RDF_FORMATS = {  # media type -> rdflib parser
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
SUFFIX_MEDIA = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples", ".html": "text/html"}


# -- running the app -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Live:
    url: str
    port: int
    app: object
    server: object


class _PlainTracebacks(logging.Filter):
    """Log the server thread's exceptions as a plain traceback (no Python 3.11 caret anchors).

    CPython 3.11's traceback formatter calls ``ast.parse`` to place its ``^^^`` carets, and
    ``ast.parse`` in two threads at once can fail with "SystemError: AST constructor recursion
    depth mismatch". When the app answers 500, uvicorn logs the traceback in the server thread
    while pytest formats the failing assertion in the main thread, and that race ends the whole
    session with INTERNALERROR. The traceback is still logged, one frame per line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            _, exc, tb = record.exc_info
            frames = "".join(f'  File "{f.filename}", line {f.lineno}, in {f.name}\n    {f.line}\n'
                             for f in traceback.extract_tb(tb))
            record.msg = f"{record.getMessage()}\nTraceback (most recent call last):\n{frames}{type(exc).__name__}: {exc}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


@contextlib.contextmanager
def running_app(release_dir: Path, **options):
    """Run ``create_app(release_dir, **options)`` with uvicorn on 127.0.0.1 in a thread."""
    import uvicorn

    from cnipa_kg.web.app import create_app

    app = create_app(release_dir, **options)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    plain = _PlainTracebacks()
    for name in ("uvicorn.error", "uvicorn", "cnipa_kg.web"):
        logging.getLogger(name).addFilter(plain)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            if not thread.is_alive():
                raise RuntimeError("the server stopped during startup (see the log above)")
            if server.started:
                with contextlib.suppress(httpx.TransportError):
                    httpx.get(url + "/", timeout=5)  # any answer: it is serving (under --base, / is 404)
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer within 90 s")
            time.sleep(0.05)
        yield Live(url, port, app, server)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        for name in ("uvicorn.error", "uvicorn", "cnipa_kg.web"):
            logging.getLogger(name).removeFilter(plain)


@pytest.fixture(scope="session")
def live(release_dir):
    with running_app(release_dir, query_timeout=2, workers=2) as server:
        yield server


@pytest.fixture(scope="session")
def client(live):
    with httpx.Client(base_url=live.url, timeout=30) as c:
        yield c


@pytest.fixture(scope="session")
def release_graph(release_dir) -> Graph:
    g = Graph()
    g.parse(release_dir / "cnipa-kg.nt", format="nt")
    return g


@pytest.fixture(scope="session")
def designations_csv(release_dir) -> list[dict[str, str]]:
    with (release_dir / "designations.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 110
    return rows


def sparql_get(client, query: str, accept: str | None = None, **params) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql", params={"query": query, **params}, headers=headers)


def media(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def parse_rdf(response: httpx.Response, fmt: str | None = None) -> Graph:
    g = Graph()
    g.parse(data=response.content, format=fmt or RDF_FORMATS[media(response)])
    return g


def json_bindings(response: httpx.Response) -> list[dict[str, str]]:
    doc = json.loads(response.content)
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


# -- SPARQL Protocol ---------------------------------------------------------------------------------


def test_get_post_form_and_post_query_give_the_same_answer(client):
    accept = {"Accept": "application/sparql-results+json"}
    by_get = client.get("/sparql", params={"query": DESIGNATIONS}, headers=accept)
    by_form = client.post("/sparql", data={"query": DESIGNATIONS}, headers=accept)
    by_body = client.post("/sparql", content=DESIGNATIONS.encode(),
                          headers={**accept, "Content-Type": "application/sparql-query"})
    for r in (by_get, by_form, by_body):
        assert r.status_code == 200, r.text
        assert media(r) == "application/sparql-results+json"
    answers = [json.loads(r.content) for r in (by_get, by_form, by_body)]
    assert answers[0] == answers[1] == answers[2]
    rows = json_bindings(by_get)
    assert len(rows) == 110
    assert len({r["d"] for r in rows}) == 110
    assert {"海淀区", "苏州市", "深圳市"} <= {r["name"] for r in rows}


def test_post_query_with_charset_parameter(client):
    r = client.post("/sparql", content=COUNT_DESIGNATIONS.encode(),
                    headers={"Accept": "text/csv", "Content-Type": "application/sparql-query; charset=utf-8"})
    assert r.status_code == 200, r.text
    assert list(csv.reader(io.StringIO(r.text))) == [["n"], ["110"]]


@pytest.mark.parametrize("how", ["accept", "format"])
def test_select_as_json(client, how):
    r = sparql_get(client, DESIGNATIONS, "application/sparql-results+json") if how == "accept" else \
        sparql_get(client, DESIGNATIONS, format="json")
    assert r.status_code == 200
    assert media(r) == "application/sparql-results+json"
    doc = json.loads(r.content)
    assert doc["head"]["vars"] == ["d", "name"]
    assert len(doc["results"]["bindings"]) == 110
    first = doc["results"]["bindings"][0]
    assert first["d"]["type"] == "uri" and first["name"]["xml:lang"] == "zh"


def test_select_as_json_by_generic_application_json(client):
    r = sparql_get(client, DESIGNATIONS, "application/json")
    assert r.status_code == 200
    assert len(json.loads(r.content)["results"]["bindings"]) == 110


@pytest.mark.parametrize("how", ["accept", "format"])
def test_select_as_xml(client, how):
    r = sparql_get(client, DESIGNATIONS, "application/sparql-results+xml") if how == "accept" else \
        sparql_get(client, DESIGNATIONS, format="xml")
    assert r.status_code == 200
    assert media(r) == "application/sparql-results+xml"
    root = ET.fromstring(r.content)
    assert [v.get("name") for v in root.iter(f"{SRX}variable")] == ["d", "name"]
    results = list(root.iter(f"{SRX}result"))
    assert len(results) == 110
    names = {b.find(f"{SRX}literal").text for res in results for b in res if b.get("name") == "name"}
    assert "海淀区" in names


@pytest.mark.parametrize("how", ["accept", "format"])
def test_select_as_csv(client, how):
    r = sparql_get(client, DESIGNATIONS, "text/csv") if how == "accept" else sparql_get(client, DESIGNATIONS, format="csv")
    assert r.status_code == 200
    assert media(r) == "text/csv"
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["d", "name"]
    assert len(rows) == 111
    assert all(row[0].startswith(f"{NOTICE}/annex/") for row in rows[1:])
    assert ["https://w3id.org/cnipa-kg/eli/notice/gzfyz/2022/33/annex/1/1", "海淀区"] in rows


@pytest.mark.parametrize("how", ["accept", "format"])
def test_select_as_tsv(client, how):
    r = sparql_get(client, DESIGNATIONS, "text/tab-separated-values") if how == "accept" else \
        sparql_get(client, DESIGNATIONS, format="tsv")
    assert r.status_code == 200
    assert media(r) == "text/tab-separated-values"
    rows = list(csv.reader(io.StringIO(r.text), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["?d", "?name"]
    assert len(rows) == 111
    assert [f"<{NOTICE}/annex/1/1>", '"海淀区"@zh'] in rows


def test_unknown_format_parameter_is_400(client):
    r = sparql_get(client, COUNT_DESIGNATIONS, format="png")
    assert r.status_code == 400
    assert "png" in r.text


def test_no_acceptable_format_is_406(client):
    r = sparql_get(client, COUNT_DESIGNATIONS, "image/png")
    assert r.status_code == 406


@pytest.mark.parametrize(("accept", "check"), [
    ("application/sparql-results+json", lambda body: json.loads(body)["boolean"] is True),
    ("application/sparql-results+xml", lambda body: ET.fromstring(body).find(f"{SRX}boolean").text == "true"),
])
def test_ask(client, accept, check):
    r = sparql_get(client, f"ASK {{ ?d ckg:designee <{BASE}division/110108> }}", accept)
    assert r.status_code == 200
    assert media(r) == accept
    assert check(r.content)
    r = sparql_get(client, f"ASK {{ ?d ckg:designee <{BASE}division/540000> }}", "application/sparql-results+json")
    assert json.loads(r.content)["boolean"] is False


@pytest.mark.parametrize("accept", list(RDF_FORMATS))
def test_construct_in_every_rdf_format(client, accept):
    r = sparql_get(client, CONSTRUCT_DESIGNEES, accept)
    assert r.status_code == 200, r.text
    assert media(r) == accept
    g = parse_rdf(r)
    assert len(g) == 110
    assert len(set(g.subjects(CKG.designee, None))) == 110
    assert (URIRef(f"{NOTICE}/annex/1/1"), CKG.designee, URIRef(f"{BASE}division/110108")) in g


@pytest.mark.parametrize(("fmt", "parser"), [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdfxml", "xml")])
def test_construct_by_format_parameter(client, fmt, parser):
    r = sparql_get(client, CONSTRUCT_DESIGNEES, format=fmt)
    assert r.status_code == 200, r.text
    assert len(parse_rdf(r, parser)) == 110


@pytest.mark.parametrize("accept", list(RDF_FORMATS))
def test_describe_in_every_rdf_format(client, release_graph, accept):
    iri = URIRef(f"{BASE}division/110108")
    r = sparql_get(client, f"DESCRIBE <{iri}>", accept)
    assert r.status_code == 200, r.text
    g = parse_rdf(r)
    expected = set(release_graph.triples((iri, None, None)))
    assert len(expected) >= 8
    assert set(g.triples((iri, None, None))) == expected
    assert (iri, SKOS.prefLabel, Literal("海淀区", lang="zh")) in g


def test_default_graph_is_the_union_and_the_release_is_a_named_graph(client):
    count_in_graphs = "SELECT ?g (COUNT(?d) AS ?n) WHERE { GRAPH ?g { ?d a ckg:Designation } } GROUP BY ?g"
    r = sparql_get(client, COUNT_DESIGNATIONS, "application/json")
    assert json_bindings(r) == [{"n": "110"}]
    r = sparql_get(client, count_in_graphs, "application/json")
    assert json_bindings(r) == [{"g": DATASET, "n": "110"}]


def test_default_graph_uri(client):
    r = sparql_get(client, COUNT_DESIGNATIONS + " # dg", "application/json", **{"default-graph-uri": DATASET})
    assert r.status_code == 200
    assert json_bindings(r) == [{"n": "110"}]
    r = sparql_get(client, COUNT_DESIGNATIONS + " # dg", "application/json", **{"default-graph-uri": "http://example.org/none"})
    assert r.status_code == 200
    assert json_bindings(r) == [{"n": "0"}]


def test_named_graph_uri(client):
    q = "SELECT ?g (COUNT(?d) AS ?n) WHERE { GRAPH ?g { ?d a ckg:Designation } } GROUP BY ?g # ng"
    r = sparql_get(client, q, "application/json", **{"named-graph-uri": DATASET})
    assert r.status_code == 200
    assert json_bindings(r) == [{"g": DATASET, "n": "110"}]
    r = sparql_get(client, q, "application/json", **{"named-graph-uri": "http://example.org/none"})
    assert r.status_code == 200
    assert json_bindings(r) == []


def test_dataset_parameters_in_a_post_form(client):
    r = client.post("/sparql", data={"query": COUNT_DESIGNATIONS + " # form", "default-graph-uri": "http://example.org/none"},
                    headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert json_bindings(r) == [{"n": "0"}]


def test_browser_accept_gets_an_html_results_table(client):
    r = sparql_get(client, DESIGNATIONS, BROWSER_ACCEPT)
    assert r.status_code == 200
    assert media(r) == "text/html"
    table = re.search(r'<table class="results">(.*?)</table>', r.text, re.S)
    assert table, r.text[:500]
    assert table.group(1).count("<tr>") == 111  # header + 110 rows
    assert "110 rows" in r.text
    assert "海淀区" in r.text
    assert 'href="/eli/notice/gzfyz/2022/33/annex/1/1"' in r.text  # IRIs are links on this server


def test_browser_accept_on_a_construct_gets_html(client):
    r = sparql_get(client, CONSTRUCT_DESIGNEES, BROWSER_ACCEPT)
    assert r.status_code == 200
    assert media(r) == "text/html"
    assert "division/110108" in r.text


def test_query_page_for_a_browser(client):
    r = client.get("/sparql", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200
    assert media(r) == "text/html"
    options = re.findall(r'<option value="([^"]+)"', r.text)
    from cnipa_kg.core.resources import named_queries

    assert options == list(named_queries())
    assert {"designations-by-province", "pilot-cities", "demonstration-cities"} <= set(options)
    assert '<textarea id="query" name="query"' in r.text
    assert '<script src="/assets/query.js"' in r.text
    assert "<script>" not in r.text  # no inline script: the CSP forbids it
    js = client.get("/assets/query.js")
    assert js.status_code == 200 and media(js) == "text/javascript"
    css = client.get("/assets/style.css")
    assert css.status_code == 200 and media(css) == "text/css"
    assert r.text.index('src="/assets/editor.js"') < r.text.index('src="/assets/query.js"')  # the editor, then its user
    editor = client.get("/assets/editor.js")
    assert editor.status_code == 200 and media(editor) == "text/javascript"


def _terms_of(html: str) -> dict[str, list[str]]:
    import html as markup

    found = re.search(r"data-terms='([^']*)'", html)
    assert found, "the editor page carries the terms it completes"
    return {iri: [kind, label] for iri, kind, label in json.loads(markup.unescape(found.group(1)))}


def test_the_query_page_carries_the_terms_the_editor_completes(client, release_graph):
    """Issue 24 item 5: completion after ``ckg:`` offers the ontology's classes and properties, and the other
    vocabularies' terms the data uses, with their labels (deprecated ones marked)."""
    terms = _terms_of(client.get("/sparql", headers={"Accept": BROWSER_ACCEPT}).text)
    ckg = "https://w3id.org/cnipa-kg/def#"
    assert terms[ckg + "Designation"] == ["class", "designation"]
    assert terms[ckg + "designee"][0] == "property" and terms[ckg + "adcode"] == ["property", "division code"]
    assert terms[ckg + "designationLevel"] == ["property", "designation level (deprecated)"]
    assert terms[ckg + "demonstration"][0] == "term"  # a tier: neither a class nor a property
    used = {str(p) for p in release_graph.predicates()} | {str(c) for c in release_graph.objects(None, RDF.type)}
    assert used <= set(terms)  # every property and class of the data
    assert not {i for i in terms if i not in used and not i.startswith(ckg)}  # and nothing else outside ckg:
    answer = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": BROWSER_ACCEPT})
    assert _terms_of(answer.text) == terms  # the results page is the editor too


def test_service_description(client, live):
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert media(r) == "text/turtle"
    g = parse_rdf(r)
    endpoint = URIRef(f"{live.url}/sparql")
    assert (endpoint, RDF.type, SD.Service) in g
    assert (endpoint, SD.endpoint, endpoint) in g
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert set(g.objects(None, SD.name)) == {URIRef(DATASET)}


def test_cors_on_query_and_data_responses(client):
    origin = {"Origin": "https://example.org"}
    for r in (client.get("/sparql", params={"query": COUNT_DESIGNATIONS}, headers=origin),
              client.get("/division/110108", headers={**origin, "Accept": "text/turtle"}),
              client.get("/dist/designations.csv", headers=origin),
              client.get("/.well-known/void", headers=origin)):
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in r.headers


def test_cors_preflight(client):
    r = client.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST",
                                           "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 200  # Starlette's CORSMiddleware answers a preflight 200 (any 2xx is a success)
    assert r.headers["access-control-allow-origin"] == "*"
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "content-type" in r.headers["access-control-allow-headers"].lower()
    assert r.content in (b"", b"OK")


@pytest.mark.parametrize(("path", "headers"), [
    ("/sparql?query=" + COUNT_DESIGNATIONS.replace(" ", "%20"), {"Accept": "text/csv"}),
    ("/division/110108", {"Accept": "text/turtle"}),
    ("/eli/notice/gzfyz/2022/33", {"Accept": "text/html"}),
    ("/", {}),
    ("/dist/designations.csv", {}),
])
def test_etag_and_if_none_match(client, path, headers):
    r = client.get(path, headers=headers)
    assert r.status_code == 200
    etag = r.headers["etag"]
    assert re.fullmatch(r'(W/)?"[^"]+"', etag)
    assert "max-age" in r.headers["cache-control"]
    again = client.get(path, headers=headers)
    assert again.headers["etag"] == etag  # the data never changes while serving
    cached = client.get(path, headers={**headers, "If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached.headers["etag"] == etag
    other = client.get(path, headers={**headers, "If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_etag_differs_between_representations(client):
    ttl = client.get("/division/110108", headers={"Accept": "text/turtle"})
    nt = client.get("/division/110108", headers={"Accept": "application/n-triples"})
    assert ttl.headers["etag"] != nt.headers["etag"]


def test_errors_are_not_cached(client):
    r = sparql_get(client, "SELECT WHERE {")
    assert r.status_code == 400
    assert "no-store" in r.headers["cache-control"]
    assert "etag" not in r.headers


# -- linked data -------------------------------------------------------------------------------------

RESOURCES = [
    "eli/notice/gzfyz/2022/33",
    "eli/notice/gzfyz/2022/33/annex/1",
    "eli/notice/gzfyz/2022/33/annex/2/72",
    "division/110108",
    "org/cnipa",
]


def _norm(o):
    """Language tags lower-cased (BCP 47 tags compare case-insensitively)."""
    if isinstance(o, Literal) and o.language:
        return Literal(str(o), lang=o.language.lower())
    return o


def _check_description(g: Graph, release_graph: Graph, iri: URIRef) -> None:
    """The served graph holds the resource's own triples and the labels of what it links to."""
    served = {(s, p, _norm(o)) for s, p, o in g}
    own = {(s, p, _norm(o)) for s, p, o in release_graph.triples((iri, None, None)) if not isinstance(o, BNode)}
    assert own, f"{iri} has no triples in the release"
    missing = own - served
    assert not missing, f"{iri}: {len(missing)} of its triples missing, e.g. {sorted(missing)[:3]}"
    for o in {o for _, _, o in release_graph.triples((iri, None, None)) if isinstance(o, URIRef)}:
        for label in release_graph.objects(o, SKOS.prefLabel):
            assert (o, SKOS.prefLabel, _norm(label)) in served, f"{iri}: label {label!r} of linked {o} missing"


@pytest.mark.parametrize("accept", list(RDF_FORMATS)[:3])
@pytest.mark.parametrize("path", RESOURCES)
def test_dereference_by_accept(client, release_graph, path, accept):
    r = client.get(f"/{path}", headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert media(r) == accept
    assert "Accept" in r.headers["vary"]
    suffix = {v: k for k, v in SUFFIX_MEDIA.items()}[accept]
    assert r.headers["content-location"] == f"/{path}{suffix}"
    _check_description(parse_rdf(r), release_graph, URIRef(BASE + path))
    if accept == "application/ld+json":  # the context is inline, never fetched from elsewhere
        assert not re.search(r'"@context"\s*:\s*"', r.text)


@pytest.mark.parametrize("suffix", [".ttl", ".jsonld", ".nt"])
@pytest.mark.parametrize("path", RESOURCES)
def test_dereference_by_suffix(client, release_graph, path, suffix):
    r = client.get(f"/{path}{suffix}", headers={"Accept": "text/html"})  # the suffix wins over Accept
    assert r.status_code == 200, r.text
    assert media(r) == SUFFIX_MEDIA[suffix]
    assert r.headers["content-location"] == f"/{path}{suffix}"
    _check_description(parse_rdf(r), release_graph, URIRef(BASE + path))


@pytest.mark.parametrize("path", RESOURCES)
def test_dereference_as_html(client, release_graph, path):
    iri = URIRef(BASE + path)
    for r in (client.get(f"/{path}", headers={"Accept": "text/html"}),
              client.get(f"/{path}", headers={"Accept": BROWSER_ACCEPT}),
              client.get(f"/{path}.html", headers={"Accept": "text/turtle"})):
        assert r.status_code == 200
        assert media(r) == "text/html"
        assert "Accept" in r.headers["vary"]
        assert r.headers["content-location"] == f"/{path}.html"
        zh = [str(label) for label in release_graph.objects(iri, SKOS.prefLabel) if label.language == "zh"]
        en = [str(label) for label in release_graph.objects(iri, SKOS.prefLabel) if label.language == "en"]
        assert zh and zh[0] in r.text
        assert en and en[0].replace("'", "&#x27;") in r.text  # bilingual
        for suffix in (".ttl", ".jsonld", ".nt"):
            assert f'href="/{path}{suffix}"' in r.text  # links to the other representations


def test_same_triples_in_every_rdf_representation(client):
    graphs = [parse_rdf(client.get("/eli/notice/gzfyz/2022/33/annex/2/72", headers={"Accept": m})) for m in RDF_FORMATS]
    sizes = {len(g) for g in graphs}
    assert len(sizes) == 1, sizes
    assert sizes.pop() > 10


def test_designation_description(client):
    g = parse_rdf(client.get("/eli/notice/gzfyz/2022/33/annex/2/72.ttl"))
    d = URIRef(f"{NOTICE}/annex/2/72")
    assert (d, RDF.type, CKG.Designation) in g
    assert (d, CKG.serialNumber, Literal(72)) in g
    assert (d, CKG.designationLevel, CKG.pilot) in g
    designee = g.value(d, CKG.designee)
    assert designee is not None and str(designee).startswith(f"{BASE}division/")
    assert g.value(designee, SKOS.prefLabel) is not None  # label of what it links to


def test_notice_page_names_the_issuer_and_links_every_designee(client, designations_csv):
    r = client.get("/eli/notice/gzfyz/2022/33", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200
    assert "国家知识产权局" in r.text
    assert 'href="/org/cnipa"' in r.text
    assert "国知发运字〔2022〕33号" in r.text
    assert 'lang="en"' in r.text
    linked = set(re.findall(r'href="/division/(\d{6})"', r.text))
    assert len(linked) == 110
    assert linked == {row["adcode"] for row in designations_csv}
    assert 'href="/eli/notice/gzfyz/2022/33/annex/1"' in r.text
    assert 'href="/eli/notice/gzfyz/2022/33/annex/2"' in r.text


def test_division_page_links_its_designation_and_province(client):
    r = client.get("/division/110108.html")
    assert "海淀区" in r.text and "Haidian District" in r.text
    assert 'href="/division/110000"' in r.text
    assert 'href="/eli/notice/gzfyz/2022/33/annex/1/1"' in r.text


@pytest.mark.parametrize("path", [
    "/division/999999", "/division/999999.ttl", "/eli/notice/gzfyz/2022/34", "/eli/notice/gzfyz/2022/33/annex/3",
    "/eli/notice/gzfyz/2022/33/annex/2/73", "/org/nobody.jsonld", "/nothing/here", "/division/", "/favicon.ico",
])
@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "*/*"])
def test_unknown_iri_is_404(client, path, accept):
    r = client.get(path, headers={"Accept": accept})
    assert r.status_code == 404
    assert "no-store" in r.headers.get("cache-control", "no-store")


@pytest.mark.parametrize("path", ["/division/a%20b", "/division/%7B%7D", "/division/x%7Cy", "/division/%22x%22",
                                  "/eli/notice/%5E", "/org/%EF%BF%BD"])
def test_path_that_is_not_a_valid_iri_is_404(client, path):
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 404, f"{path}: {r.status_code} {r.text[:200]}"


def test_unacceptable_type_for_a_resource_is_406(client):
    r = client.get("/division/110108", headers={"Accept": "image/png"})
    assert r.status_code == 406


def test_head_of_a_resource(client):
    get = client.get("/division/110108", headers={"Accept": "text/turtle"})
    head = client.head("/division/110108", headers={"Accept": "text/turtle"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-type"] == get.headers["content-type"]


# -- home, VoID, files ---------------------------------------------------------------------------------


def test_home_page(client):
    r = client.get("/", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200
    assert media(r) == "text/html"
    assert "<strong>110</strong> 项认定 <span lang=\"en\">designations</span>" in r.text
    assert "国知发运字〔2022〕33号" in r.text
    assert "国家知识产权局" in r.text
    assert "示范 38" in r.text and "试点 72" in r.text  # the tiers of the notice's designations
    for href in ("/sparql", "/.well-known/void", "/eli/notice/gzfyz/2022/33", "/dist/designations.csv",
                 "/dist/cnipa-kg.ttl", "/dist/cnipa-kg.nt", "/dist/cnipa-kg.jsonld"):
        assert f'href="{href}"' in r.text, href


def test_home_page_links_resolve(client):
    r = client.get("/", headers={"Accept": "text/html"})
    hrefs = sorted(set(re.findall(r'href="(/[^"]*)"', r.text)))
    assert len(hrefs) >= 8
    for href in hrefs:
        assert client.get(href, headers={"Accept": "text/html"}, follow_redirects=True).status_code == 200, href


def test_void(client, release_dir):
    r = client.get("/.well-known/void")
    assert r.status_code == 200
    assert media(r) == "text/turtle"
    g = parse_rdf(r)
    totals = {int(t) for t in g.objects(None, VOID.triples)}
    lines = sum(1 for line in (release_dir / "cnipa-kg.nt").open(encoding="utf-8") if line.strip())
    assert lines in totals
    assert any(True for _ in g.subjects(RDF.type, VOID.Dataset))
    assert (None, VOID.uriSpace, Literal(BASE)) in g


@pytest.mark.parametrize("accept", ["application/n-triples", "application/ld+json"])
def test_void_in_other_formats(client, accept):
    r = client.get("/.well-known/void", headers={"Accept": accept})
    assert r.status_code == 200
    assert media(r) == accept
    assert any(True for _ in parse_rdf(r).objects(None, VOID.triples))


def test_dist_designations_csv(client, release_dir):
    r = client.get("/dist/designations.csv")
    assert r.status_code == 200
    assert media(r) == "text/csv"
    assert r.content == (release_dir / "designations.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 110
    assert Counter(row["level"] for row in rows) == {"demonstration": 38, "pilot": 72}


@pytest.mark.parametrize("name", ["cnipa-kg.ttl", "cnipa-kg.nt", "cnipa-kg.jsonld"])
def test_dist_rdf_files(client, release_dir, name):
    r = client.get(f"/dist/{name}")
    assert r.status_code == 200
    assert r.content == (release_dir / name).read_bytes()


@pytest.mark.parametrize("name", ["pyproject.toml", "cnipa-kg.nq", "docs", "void.ttl.bak", "README.md"])
def test_dist_serves_only_release_files(client, name):
    assert client.get(f"/dist/{name}").status_code == 404


# -- deployed under another base -------------------------------------------------------------------


def test_app_deployed_under_another_base(release_dir):
    with running_app(release_dir, base="https://example.org/kg/", query_timeout=2, workers=1) as other:
        with httpx.Client(base_url=other.url, timeout=30) as c:
            r = c.get("/kg/division/110108", headers={"Accept": "text/turtle"})
            assert r.status_code == 200
            g = parse_rdf(r)
            # the release's IRIs are served; the request path maps to them
            assert (URIRef(f"{BASE}division/110108"), SKOS.prefLabel, Literal("海淀区", lang="zh")) in g
            assert r.headers["content-location"] == "/kg/division/110108.ttl"
            html = c.get("/kg/eli/notice/gzfyz/2022/33", headers={"Accept": "text/html"}).text
            assert 'href="/kg/division/110108"' in html
            assert 'href="/kg/sparql"' in html
            r = c.get("/kg/sparql", params={"query": COUNT_DESIGNATIONS}, headers={"Accept": "text/csv"})
            assert r.status_code == 200 and r.text.split() == ["n", "110"]


def test_the_results_page_offers_tsv_as_the_readme_says(release_dir):
    """The server-rendered results page (no script needed) links CSV, TSV and JSON; the TSV link answers TSV."""
    import html as htmllib
    import re as regex

    from starlette.testclient import TestClient

    from cnipa_kg.web.app import create_app

    query = "SELECT ?d WHERE { ?d a ckg:Designation } LIMIT 3"
    with TestClient(create_app(release_dir, workers=1)) as client:
        page = client.get("/sparql", params={"query": query}, headers={"Accept": "text/html"}).text
        links = dict(regex.findall(r'<a href="([^"]+)" download="results\.(\w+)"', page))
        formats = {v: htmllib.unescape(k) for k, v in links.items()}
        assert set(formats) == {"csv", "tsv", "json"}, formats
        tsv = client.get(formats["tsv"])
    assert tsv.headers["content-type"].startswith("text/tab-separated-values")
    assert tsv.text.splitlines()[0] == "?d" and len(tsv.text.splitlines()) == 4
