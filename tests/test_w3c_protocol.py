"""The W3C SPARQL 1.1 Protocol tests (query side) against a real `cnipa-kg serve`, over HTTP.

The manifest is vendored in ``tests/data/w3c-protocol/manifest.ttl`` (see the README there for
its source commit and licence). Each query test's requests are read from it and sent as written:
method, path (``/sparql/…``, which the server routes like ``/sparql``), the listed headers only
(no ``Accept``, as in the manifest), and the body in its ``cnt:characterEncoding`` (Python's
``utf-16`` codec, so with a BOM). Only the authority differs: ``www.example`` becomes the
server's ``127.0.0.1:PORT``. The answer is checked against ``mf:expectedStatus`` (status class),
``mf:expectedFormat`` (a media type the W3C allows for it, parsed to prove it well formed) and
``mf:expectedBoolean``.

The server is started once per session as ``python -m cnipa_kg.cli serve --data DIR --port
PORT`` on a release built by ``python -m cnipa_kg.cli build``, in its own session; teardown
kills the whole process group (query workers included).

Dataset tests. The tests carrying ``ut:graphData`` expect the graphs
``http://kasei.us/2009/09/sparql/data/data{1,2,3}.rdf`` (one ``foaf:Document`` triple each) to be
loaded. This endpoint is read-only and holds only its release, in one named graph (the
``sd:name`` of its service description), with the union of its graphs as default graph. A graph
IRI in ``default-graph-uri``/``named-graph-uri`` (or ``FROM``) that it does not hold is an
empty graph. So each such test sends three variants of its request:

1. *as written*: the W3C graphs are empty here, so the ASK must answer ``false``;
2. *on the release*: the W3C graph IRIs become the release graph and the three subjects
   ``<…/dataN.rdf>`` become three divisions that share a type (ckg:AdministrativeDivision),
   so the manifest's expected ``true`` must come back; ``FROM <…/data3.rdf>`` in
   query_multiple_dataset becomes ``FROM <release graph>`` and the protocol's named graphs
   must still win over it;
3. *release subjects, W3C graphs*: the subjects exist but the protocol names only graphs that
   do not, so the answer must be ``false`` (an endpoint that ignored the protocol dataset and
   queried everything would say ``true``).

Left out (see ``LEFT_OUT``): every update test, since this endpoint is read-only.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "tests" / "data" / "w3c-protocol" / "manifest.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SRX = "{http://www.w3.org/2005/sparql-results#}"

# media types the W3C tests accept for each mf:expectedFormat (RDFa is not offered here)
FORMATS = {
    "boolean": {"application/sparql-results+xml", "application/sparql-results+json"},
    "tabular": {"application/sparql-results+xml", "application/sparql-results+json", "text/csv",
                "text/tab-separated-values"},
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples"},
}
RDF_PARSERS = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt"}

# Update tests of the manifest, left out: the endpoint is read-only (every update is refused).
READ_ONLY = "executes SPARQL Update, then checks the change with a query; a read-only endpoint refuses every update"
UPDATE_ERROR = ("checks how a malformed *update* request is rejected; a read-only endpoint rejects every update "
                "(403, or 415 for the media type) before looking at it, so a pass would say nothing")
LEFT_OUT = {
    "update_dataset_default_graph": READ_ONLY,
    "update_dataset_default_graphs": READ_ONLY,
    "update_dataset_named_graphs": READ_ONLY,
    "update_dataset_full": READ_ONLY,
    "update_post_form": READ_ONLY,
    "update_post_direct": READ_ONLY,
    "update_base_uri": READ_ONLY,
    "bad_update_get": UPDATE_ERROR,
    "bad_multiple_updates": UPDATE_ERROR,
    "bad_update_wrong_media_type": UPDATE_ERROR,
    "bad_update_missing_form_type": UPDATE_ERROR,
    "bad_update_non_utf8": UPDATE_ERROR,
    "bad_update_syntax": UPDATE_ERROR,
    "bad_update_dataset_conflict": UPDATE_ERROR,
}

# the W3C data graphs, and release resources standing in for their one subject each
W3C_DATA = [f"http://kasei.us/2009/09/sparql/data/data{n}.rdf" for n in (1, 2, 3)]
RELEASE_SUBJECTS = [f"https://w3id.org/cnipa-kg/division/{code}" for code in ("110108", "320500", "440300")]


# -- the manifest ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[int]  #: allowed status classes: 2, 3, 4, 5
    format: str | None  #: mf:expectedFormat: "boolean", "tabular", "RDF"
    boolean: bool | None  #: mf:expectedBoolean


@dataclass(frozen=True)
class W3CTest:
    name: str  #: local name, e.g. query_post_form
    title: str  #: mf:name
    requests: tuple[Request, ...]
    needs_data: bool  #: carries ut:graphData (expects the W3C data graphs to be loaded)


def _status_class(term: URIRef) -> int:
    m = re.fullmatch(r".*StatusCode(\d)xx", str(term))
    assert m, f"unknown status term {term}"
    return int(m.group(1))


def _request(g: Graph, node) -> Request:
    headers = {}
    header_list = g.value(node, HT.headers)
    if header_list is not None:
        for h in Collection(g, header_list):
            headers[str(g.value(h, HT.fieldName)).lower()] = str(g.value(h, HT.fieldValue))
    body = None
    if (b := g.value(node, HT.body)) is not None:
        body = str(g.value(b, CNT.chars)).encode(str(g.value(b, CNT.characterEncoding)).lower())
    resp = g.value(node, HT.resp)
    expected_boolean = g.value(resp, MF.expectedBoolean)
    expected_format = g.value(resp, MF.expectedFormat)
    return Request(method=str(g.value(node, HT.methodName)), path=str(g.value(node, HT.absolutePath)), headers=headers,
                   body=body, statuses=frozenset(_status_class(s) for s in g.objects(resp, MF.expectedStatus)),
                   format=str(expected_format) if expected_format is not None else None,
                   boolean=expected_boolean.toPython() if expected_boolean is not None else None)


def load_manifest(path: Path = MANIFEST) -> list[W3CTest]:
    g = Graph()
    g.parse(path, format="turtle")
    manifest = g.value(predicate=RDF.type, object=MF.Manifest, any=False)
    tests = []
    for entry in Collection(g, g.value(manifest, MF.entries)):
        action = g.value(entry, MF.action)
        requests = tuple(_request(g, r) for r in Collection(g, g.value(action, HT.requests)))
        tests.append(W3CTest(name=str(entry).rsplit("#", 1)[1], title=str(g.value(entry, MF.name)), requests=requests,
                             needs_data=(entry, UT.graphData, None) in g))
    return tests


ALL_TESTS = load_manifest()
QUERY_TESTS = [t for t in ALL_TESTS if t.name not in LEFT_OUT]


# -- adapting the dataset tests ------------------------------------------------------------------------


def _map_query(query: str, graph: str | None, subjects: bool) -> str:
    for iri, subject in zip(W3C_DATA, RELEASE_SUBJECTS):
        if graph is not None:
            query = re.sub(rf"(FROM\s+(?:NAMED\s+)?)<{re.escape(iri)}>", rf"\g<1><{graph}>", query)
        if subjects:
            query = re.sub(rf"(?<!FROM )(?<!NAMED )<{re.escape(iri)}>", f"<{subject}>", query)
    return query


def adapt(request: Request, graph: str | None, subjects: bool) -> Request:
    """``request`` with the W3C data graphs named ``graph`` (None: unchanged) and, if ``subjects``, the
    W3C subjects replaced by release resources."""

    def pair(k: str, v: str) -> tuple[str, str]:
        if k in ("default-graph-uri", "named-graph-uri") and graph is not None and v in W3C_DATA:
            return k, graph
        if k == "query":
            return k, _map_query(v, graph, subjects)
        return k, v

    path, _, qs = request.path.partition("?")
    if qs:
        path += "?" + urlencode([pair(k, v) for k, v in parse_qsl(qs, keep_blank_values=True)], quote_via=quote)
    body = request.body
    ctype = request.headers.get("content-type", "")
    if body is not None and ctype == "application/sparql-query":
        body = _map_query(body.decode("utf-8"), graph, subjects).encode("utf-8")
    elif body is not None and ctype == "application/x-www-form-urlencoded":
        body = urlencode([pair(k, v) for k, v in parse_qsl(body.decode("utf-8"), keep_blank_values=True)],
                         quote_via=quote).encode()
    return replace(request, path=path, body=body)


# -- the server --------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _child_env() -> dict[str, str]:
    """This interpreter's environment, with PYTHONPATH made absolute (default: the checkout's src/)."""
    entries = [e for e in os.environ.get("PYTHONPATH", "").split(os.pathsep) if e] or [str(ROOT / "src")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(str(Path(e).resolve()) for e in entries), "PYTHONUNBUFFERED": "1"}


def _kill_group(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 15)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=wait)
    with contextlib.suppress(ProcessLookupError, PermissionError):  # query workers left in the group
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def cli_release(tmp_path_factory) -> Path:
    """A release built once by `cnipa-kg build` in a subprocess."""
    out = tmp_path_factory.mktemp("w3c-release") / "dist"
    done = subprocess.run([sys.executable, "-m", "cnipa_kg.cli", "build", "--out", str(out), "-q"], cwd=ROOT,
                          env=_child_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"cnipa-kg build failed ({done.returncode}):\n{done.stderr[-3000:]}"
    return out


@pytest.fixture(scope="session")
def serve_url(cli_release, tmp_path_factory) -> str:
    """``http://127.0.0.1:PORT`` of a `cnipa-kg serve` subprocess; its process group is killed at teardown."""
    port = _free_port()
    log = tmp_path_factory.mktemp("w3c-serve") / "serve.log"
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "cnipa_kg.cli", "serve", "--data", str(cli_release),
                                 "--port", str(port)], cwd=ROOT, env=_child_env(), stdin=subprocess.DEVNULL,
                                stdout=err, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"cnipa-kg serve exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/sparql", headers={"Accept": "text/turtle"}, timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"cnipa-kg serve did not answer /sparql within 120 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        yield url
    finally:
        _kill_group(proc)


@pytest.fixture(scope="session")
def w3c_client(serve_url):
    """A client that sends only the headers a test lists (httpx's default ``Accept: */*`` removed)."""
    with httpx.Client(base_url=serve_url, timeout=30, follow_redirects=True) as c:
        del c.headers["accept"]
        yield c


@pytest.fixture(scope="session")
def release_graph_name(w3c_client) -> str:
    r = w3c_client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = Graph().parse(data=r.content, format="turtle")
    names = set(g.objects(None, SD.name))
    assert len(names) == 1, names
    return str(names.pop())


# -- checking an answer ------------------------------------------------------------------------------


def _media(r: httpx.Response) -> str:
    return r.headers.get("content-type", "").split(";")[0].strip().lower()


def _describe(r: httpx.Response) -> str:
    return f"{r.request.method} {r.request.url} -> {r.status_code} {r.headers.get('content-type')!r}: {r.text[:300]!r}"


def _boolean(r: httpx.Response) -> bool:
    if _media(r) == "application/sparql-results+json":
        value = json.loads(r.content)["boolean"]
        assert isinstance(value, bool)
        return value
    node = ET.fromstring(r.content).find(f"{SRX}boolean")
    assert node is not None and node.text in ("true", "false")
    return node.text == "true"


def _table(r: httpx.Response) -> tuple[list[str], list[dict[str, str]]]:
    """Variables and rows (values as plain strings) of a SELECT answer in any tabular format."""
    media = _media(r)
    if media == "application/sparql-results+json":
        doc = json.loads(r.content)
        return doc["head"]["vars"], [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]
    if media == "application/sparql-results+xml":
        root = ET.fromstring(r.content)
        names = [v.get("name") for v in root.iter(f"{SRX}variable")]
        rows = [{b.get("name"): "".join(b.itertext()) for b in res.iter(f"{SRX}binding")}
                for res in root.iter(f"{SRX}result")]
        return names, rows
    if media == "text/csv":
        head, *rows = list(csv.reader(io.StringIO(r.text)))
        return head, [dict(zip(head, row)) for row in rows]
    head, *rows = [line.split("\t") for line in r.text.splitlines()]
    names = [h.lstrip("?") for h in head]
    values = [[re.sub(r'^"(.*)"(\^\^<[^>]*>|@[\w-]+)?$', r"\1", v) for v in row] for row in rows]
    return names, [dict(zip(names, row)) for row in values]


def check(test: W3CTest, request: Request, r: httpx.Response, boolean: bool | None) -> None:
    assert r.status_code // 100 in request.statuses, \
        f"{test.name}: expected {'/'.join(f'{s}xx' for s in sorted(request.statuses))}; {_describe(r)}"
    if request.format is None:
        return
    assert _media(r) in FORMATS[request.format], \
        f"{test.name}: expected {request.format} as one of {sorted(FORMATS[request.format])}; {_describe(r)}"
    if request.format == "boolean":
        value = _boolean(r)
        if boolean is not None:
            assert value is boolean, f"{test.name}: expected {boolean}; {_describe(r)}"
    elif request.format == "tabular":  # SELECT (1 AS ?value) {}
        assert _table(r) == (["value"], [{"value": "1"}]), _describe(r)
    else:
        g = Graph().parse(data=r.content, format=RDF_PARSERS[_media(r)])
        if "CONSTRUCT" in (request.body or b"").decode():  # CONSTRUCT { <s> <p> 1 } WHERE {}: one triple
            assert len(g) == 1, _describe(r)
            [(s, p, o)] = list(g)
            assert isinstance(s, URIRef) and isinstance(p, URIRef) and o == Literal(1), _describe(r)
        # DESCRIBE <http://example.org/>: the release says nothing about it, so the graph is empty


def send(client: httpx.Client, request: Request) -> httpx.Response:
    return client.request(request.method, request.path, headers=request.headers, content=request.body)


# -- the tests ---------------------------------------------------------------------------------------


def test_manifest_tests_are_all_classified():
    names = [t.name for t in ALL_TESTS]
    assert len(names) == 34 and len(set(names)) == 34
    assert set(LEFT_OUT) <= set(names), set(LEFT_OUT) - set(names)
    assert {n for n in names if "update" in n} == set(LEFT_OUT)
    assert len(QUERY_TESTS) == 20
    for test in QUERY_TESTS:  # none of the kept tests sends an update
        for r in test.requests:
            assert r.headers.get("content-type") != "application/sparql-update", test.name
            params = r.path.partition("?")[2] + "&" + (r.body or b"").decode("utf-8", "replace")
            assert not re.search(r"(^|&)update=", params), test.name


@pytest.mark.parametrize("test", [pytest.param(t, id=t.name) for t in QUERY_TESTS])
def test_w3c_query_request_gets_expected_response(w3c_client, release_graph_name, test):
    for request in test.requests:
        if not test.needs_data:
            check(test, request, send(w3c_client, request), request.boolean)
            continue
        variants = [("as written", request, False),
                    ("on the release", adapt(request, release_graph_name, subjects=True), request.boolean),
                    ("release subjects, W3C graphs", adapt(request, None, subjects=True), False)]
        for label, variant, boolean in variants:
            r = send(w3c_client, variant)
            try:
                check(test, variant, r, boolean)
            except AssertionError as exc:
                raise AssertionError(f"[{label}] {exc}") from None
