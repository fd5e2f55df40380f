"""Regressions of issue 13 on the server side: SERVICE decided by oxigraph's own parser (with and
without a network namespace), the service description and the Host header, bounded answers and
caches, bounded request bodies, fair sharing of the workers, and the protocol as peers expect it.

Issue: "Nothing lost, nothing leaked, never a traceback" (issue 13 of the project tracker).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import socket
import threading
import time

import httpx
import pyoxigraph as ox
import pytest
from test_server import DATASET, running_app
from test_server_abuse import Listener

from cnipa_kg.web.cache import LRU
from cnipa_kg.web.evaluate import Job, evaluate
from cnipa_kg.web.isolation import network_isolated

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . FILTER(STR(?c) != \"{nonce}\") }}")


@pytest.fixture()
def listener():
    """A TCP listener on 127.0.0.1 that records every connection (a SERVICE target)."""
    server = Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def served(release_dir):
    with running_app(release_dir, query_timeout=3, workers=2, max_answer_bytes=200_000, per_client=3) as server:
        yield server


@pytest.fixture(scope="module")
def client(served):
    with httpx.Client(base_url=served.url, timeout=30) as c:
        yield c


# the ways to spell a SERVICE that a lexer of our own got wrong, or that another parser reads otherwise
BYPASSES = {
    "long-string-escaped-quote": "SELECT * WHERE {{ BIND('''A\\'''\"''' AS ?x) SERVICE <{url}> {{ ?a ?b ?c }} }}",
    "long-string-double": 'SELECT * WHERE {{ BIND("""A\\"""\'""" AS ?x) SERVICE <{url}> {{ ?a ?b ?c }} }}',
    "u0022-in-string": 'SELECT * WHERE {{ ?s ?p ?o BIND("\\u0022 AS ?a) #" AS ?b) SERVICE <{url}> {{ ?a ?b ?c }}\n}}',
    "cr-ends-comment": "SELECT * WHERE {{ ?s ?p ?o #\r SERVICE <{url}> {{ ?a ?b ?c }}\n}}",
    "no-space": "SELECT * WHERE {{SERVICE<{url}>{{?s ?p ?o}}}}",
    "escaped-keyword": "SELECT * WHERE {{ ?s ?p ?o SERVI\\u0043E <{url}> {{ ?a ?b ?c }} }}",
    "exists-in-order-by": "SELECT * WHERE {{ ?s ?p ?o }} ORDER BY (EXISTS {{ SERVICE <{url}> {{ ?a ?b ?c }} }})",
    "lateral": "SELECT * WHERE {{ ?s ?p ?o LATERAL {{ SERVICE <{url}> {{ ?a ?b ?c }} }} }}",
    "base-relative": "BASE <{url}>\nSELECT * WHERE {{ SERVICE <x> {{ ?a ?b ?c }} }}",
    "ask-exists": "ASK {{ FILTER EXISTS {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }}",
}


@pytest.mark.parametrize("name", list(BYPASSES))
def test_service_is_refused_by_the_parser_even_without_a_network_namespace(listener, name):
    """This test process has a network: only the check on the parsed query stands between the query
    and the listener (before the fix, the lexer let the long-string case through)."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o"), ox.NamedNode(DATASET)))
    query = BYPASSES[name].format(url=f"http://127.0.0.1:{listener.port}/x")
    answer = evaluate(store, Job(query, ("application/sparql-results+json",), base_iri="http://localhost/sparql"))
    time.sleep(0.2)
    assert listener.accepted == [], f"{name}: a connection reached the listener"
    assert answer.status in (400, 403), answer
    assert not network_isolated()  # the check above really ran with a network


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?s <http://example.org/service> 'SERVICE' } # SERVICE <http://x/> {}",
    "PREFIX service: <http://s/> SELECT ?service WHERE { ?service service:SERVICE ?o }",
])
def test_the_word_service_outside_the_keyword_runs(client, text):
    r = client.get("/sparql", params={"query": text}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text


def test_query_workers_run_without_a_network(served, client):
    client.get("/sparql", params={"query": "ASK {}"})
    assert served.app.state.pool.isolated is True


@pytest.mark.parametrize("name", list(BYPASSES))
def test_service_over_http_is_refused_and_nothing_connects(client, listener, name):
    r = client.get("/sparql", params={"query": BYPASSES[name].format(url=f"http://127.0.0.1:{listener.port}/x")})
    time.sleep(0.1)
    assert r.status_code in (400, 403), r.text
    assert listener.accepted == []


def test_service_description_ignores_a_forged_host_for_later_clients(client):
    forged = client.get("/sparql", headers={"Host": "evil.example", "Accept": "text/turtle"})
    assert "evil.example" in forged.text
    assert "no-store" in forged.headers["cache-control"]
    honest = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert honest.status_code == 200
    assert "evil.example" not in honest.text
    assert "no-store" in honest.headers["cache-control"]


def test_an_answer_over_the_limit_is_stopped_with_a_clear_error(client):
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
    assert r.status_code == 422, r.text[:200]
    assert "over 200,000 bytes" in r.text and "LIMIT" in r.text


def test_answers_under_the_limit_are_whole(client):
    r = client.get("/sparql", params={"query": "SELECT ?d WHERE { ?d a ckg:Designation }"}, headers={"Accept": "text/csv"})
    assert r.status_code == 200
    assert len(r.text.split()) == 111


def test_the_answer_cache_is_bounded_in_bytes():
    cache = LRU(10_000, max_bytes=1 << 20, max_item=300_000)
    for i in range(200):
        cache.put(("answer", i), b"x" * 250_000)
    assert cache.bytes <= 1 << 20
    assert len(cache.data) <= 4
    cache.put("huge", b"x" * 400_000)
    assert cache.get("huge") is None


def test_a_large_html_result_shows_its_first_rows_and_offers_the_whole(client):
    r = client.get("/sparql", params={"query": "SELECT ?s ?o WHERE { ?s skos:prefLabel ?o } LIMIT 1500"},
                   headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert r.text.count("<tr>") == 1001  # the header and 1,000 rows
    assert "1500 rows (the first 1000 shown)" in r.text
    assert "format=csv" in r.text


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


def test_a_huge_chunked_body_is_refused_without_being_buffered(served):
    """The server runs in this process: its memory is ours. Before the fix the whole body was held."""
    peak = [_rss_mib()]
    before = peak[0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak.append(_rss_mib())
            time.sleep(0.01)

    def body():
        chunk = b"query=" + b"x" * (1 << 20)
        for _ in range(200):  # 200 MiB, sent chunked (no Content-Length)
            yield chunk

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        with contextlib.suppress(httpx.TransportError):
            r = httpx.post(f"{served.url}/sparql", content=body(), timeout=60,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert r.status_code == 413
    finally:
        done.set()
        sampler.join()
    assert max(peak) - before < 64, f"memory grew by {max(peak) - before:.0f} MiB for a refused body"


def test_one_client_with_runaway_queries_cannot_starve_another(served):
    """The runaway client sends from 127.0.0.2, the ordinary one from 127.0.0.3 (both loopback)."""
    runaway = httpx.Client(base_url=served.url.replace("127.0.0.1", "127.0.0.1"), timeout=30,
                           transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    ordinary = httpx.Client(base_url=served.url, timeout=30, transport=httpx.HTTPTransport(local_address="127.0.0.3"))
    stop = time.monotonic() + 6
    nonce = iter(range(10**6))

    def flood() -> list[int]:
        statuses = []
        while time.monotonic() < stop:
            statuses.append(runaway.get("/sparql", params={"query": RUNAWAY.format(nonce=next(nonce))}).status_code)
        return statuses

    with runaway, ordinary, cf.ThreadPoolExecutor(max_workers=8) as pool:
        floods = [pool.submit(flood) for _ in range(8)]
        time.sleep(0.5)
        asks = []
        for i in range(10):
            r = ordinary.get("/sparql", params={"query": f"ASK {{ ?d ckg:serialNumber {i + 1} }}"},
                             headers={"Accept": "application/sparql-results+json"})
            asks.append(r.status_code)
        flooded = [s for f in floods for s in f.result()]
    assert asks == [200] * 10, asks
    assert set(flooded) <= {503, 429} and 429 in flooded


def test_an_invalid_default_graph_uri_is_400(client):
    r = client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert r.status_code == 400 and "default-graph-uri" in r.text


def test_sparqlwrapper_construct_with_format_and_output_xml_gets_rdf_xml(client):
    r = client.get("/sparql", params={"query": "CONSTRUCT { ?d ckg:serialNumber ?n } WHERE { ?d ckg:serialNumber ?n } LIMIT 3",
                                      "format": "xml", "output": "xml", "results": "xml"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/rdf+xml")


def test_output_is_a_synonym_of_format(client):
    r = client.get("/sparql", params={"query": "ASK {}", "output": "json"})
    assert r.status_code == 200 and r.json()["boolean"] is True


def test_relative_iris_resolve_against_the_endpoint(client, served):
    r = client.get("/sparql", params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200, r.text
    assert f"<{served.url}/s> <{served.url}/p>" in r.text


@pytest.mark.parametrize(("query", "expected"), [
    ("ASK FROM <http://example.org/none> { ?s ?p ?o }", False),
    (f"ASK FROM <{DATASET}> {{ ?d a ckg:Designation }}", True),
    ("ASK { ?d a ckg:Designation }", True),
])
def test_from_names_the_default_graph(client, query, expected):
    r = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert r.json()["boolean"] is expected


def test_an_update_sent_as_a_query_is_400_and_as_an_update_403(client):
    update = "INSERT DATA { <http://e/s> <http://e/p> <http://e/o> }"
    assert client.get("/sparql", params={"query": update}).status_code == 400
    assert client.post("/sparql", data={"update": update}).status_code == 403


def test_aborted_uploads_leave_no_traceback_in_the_log(served, caplog):
    host, port = "127.0.0.1", served.port
    with caplog.at_level("WARNING"):
        for _ in range(5):
            with socket.create_connection((host, port)) as s:
                s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                          b"Content-Length: 100000\r\n\r\nSELECT * WHERE")
        time.sleep(0.5)
        assert httpx.get(f"{served.url}/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/csv"}).status_code == 200
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Traceback" not in logged and "ClientDisconnect" not in logged, logged[:2000]


def test_serve_on_a_port_in_use_is_one_line_and_exit_2(release_dir):
    from click.testing import CliRunner

    from cnipa_kg.cli import cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--data", str(release_dir), "--port", str(port)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert "in use" in result.output
