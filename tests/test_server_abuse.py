"""The server under abuse, over real HTTP: malformed queries, updates, SERVICE, oversized queries,
path traversal, script injection, runaway queries (worker processes killed at the timeout).

The app runs with ``query_timeout=2, workers=2`` on its own port for this module.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import http.client
import os
import random
import re
import socket
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from test_server import BROWSER_ACCEPT, DATASET, running_app

TIMEOUT = 2.0
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} # {nonce}"
COUNT_DESIGNATIONS = "SELECT (COUNT(?d) AS ?n) WHERE {{ ?d a ckg:Designation }} # {nonce}"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} # runaway {nonce}"
ROOT = Path(__file__).resolve().parents[1]


# -- processes ---------------------------------------------------------------------------------------


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def query_workers() -> set[int]:
    """Child processes of this process that are query workers (``python -m cnipa_kg.web.query_process``)."""
    me, out = os.getpid(), set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or _ppid(int(entry.name)) != me:
            continue
        with contextlib.suppress(OSError):
            if b"cnipa_kg.web.query_process" in (entry / "cmdline").read_bytes():
                out.add(int(entry.name))
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


# -- fixtures ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def abuse(release_dir):
    others = query_workers()  # workers of servers other modules started in this process
    with running_app(release_dir, query_timeout=TIMEOUT, workers=2) as live:
        live.others = others
        yield live


@pytest.fixture(scope="module")
def client(abuse):
    with httpx.Client(base_url=abuse.url, timeout=60) as c:
        yield c


def own_workers(live) -> set[int]:
    return query_workers() - live.others


_nonce = iter(range(10**9))


def count(client, template: str = COUNT_ALL) -> int:
    """A count with a fresh query text each time (no answer from a cache)."""
    r = client.get("/sparql", params={"query": template.format(nonce=next(_nonce))}, headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    return int(r.text.split()[1])


class Listener:
    """A local TCP socket that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[bytes] = []
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    data = conn.recv(4096)
                except OSError:
                    data = b""
                self.accepted.append(data)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture()
def listener():
    listen = Listener()
    yield listen
    listen.close()


# -- malformed queries -----------------------------------------------------------------------------------


def _local_error(text: str) -> str | None:
    """The message pyoxigraph's parser gives for ``text`` (with the project prefixes), or None if it parses."""
    from cnipa_kg.core.sparql import with_prefixes

    full = with_prefixes(text)
    try:
        ox.Store().query(full)
    except SyntaxError as exc:
        shift = full.count("\n") - text.count("\n")
        return re.sub(r"error at (\d+):(\d+)",
                      lambda m: f"error at line {max(1, int(m.group(1)) - shift)}, column {m.group(2)}", str(exc), count=1)
    return None


GARBAGE = ["{", "}", "(", ")", "?", ".", ";", ",", '"', "'", "<", ">", "@", "^^", "!", "$", "*", "||", "&&", "=",
           "SELECT", "WHERE", "GROUP BY", "ORDER BY", "FILTER(", "BIND(", "AS", "a", "?x ?y", "}}", "{{", "((",
           "\\", "`", "~", "%", "|", "_:", "::", "€", "的", "\x01", "\t}", "1e", "0x1"]
TYPOS = {"SELECT": "SELEC", "WHERE": "WHRE", "GROUP BY": "GROUP", "ORDER BY": "ORDER", "FILTER": "FILTR",
         "BIND": "BIN", "SUM": "SUMM", "COUNT": "CUONT", "lang": "lnag", " AS ": " AZ ", "DESC": "DESK"}


def malformed_queries(n: int = 300) -> list[str]:
    """Truncations and garbage variations of a real named query, each rejected by the parser."""
    base = (ROOT / "queries" / "designations-by-province.rq").read_text(encoding="utf-8")
    assert _local_error(base) is None
    rng = random.Random(20220804)
    seen: set[str] = set()
    out: list[str] = []

    def add(q: str) -> None:
        if q.strip() and q not in seen and _local_error(q) is not None:
            seen.add(q)
            out.append(q)

    body_start = base.index("SELECT")
    for cut in sorted(rng.sample(range(body_start, len(base) - 1), 90)):  # truncations
        add(base[:cut])
    for word, typo in TYPOS.items():  # misspelt keywords
        add(base.replace(word, typo, 1))
    while len(out) < n:
        kind = rng.randrange(4)
        pos = rng.randrange(body_start, len(base))
        if kind == 0:  # insert garbage
            add(base[:pos] + rng.choice(GARBAGE) + base[pos:])
        elif kind == 1:  # delete a structural character
            marks = [i for i, c in enumerate(base) if c in "{}()?.\"" and i >= body_start]
            i = rng.choice(marks)
            add(base[:i] + base[i + 1:])
        elif kind == 2:  # replace a span with garbage
            add(base[:pos] + rng.choice(GARBAGE) + base[pos + rng.randrange(1, 12):])
        else:  # truncate and append garbage
            add(base[:pos] + " " + rng.choice(GARBAGE) + " " + rng.choice(GARBAGE))
    return out[:n]


def test_300_malformed_queries_each_get_400_with_the_parser_message(abuse, client):
    queries = malformed_queries(300)
    assert len(queries) == 300 and len(set(queries)) == 300
    workers_before = own_workers(abuse)
    assert len(workers_before) == 2
    failures = []
    for i, q in enumerate(queries):
        expected = f"malformed query: {_local_error(q)}"
        how = i % 3
        if how == 0:
            r = client.get("/sparql", params={"query": q})
        elif how == 1:
            r = client.post("/sparql", data={"query": q})
        else:
            r = client.post("/sparql", content=q.encode("utf-8"), headers={"Content-Type": "application/sparql-query"})
        if r.status_code != 400 or r.text.strip() != expected:
            failures.append((i, r.status_code, r.text[:200], expected))
    assert not failures, f"{len(failures)} of 300 wrong, e.g. {failures[:3]}"
    # still answering, with the same workers (a parse error is the query's, not the worker's)
    assert count(client, COUNT_DESIGNATIONS) == 110
    assert own_workers(abuse) == workers_before


def test_malformed_query_message_names_the_line_of_the_users_text(client):
    r = client.get("/sparql", params={"query": "SELECT ?x\nWHERE {\n  ?x a ckg:Designation\n  FILTER(\n}"})
    assert r.status_code == 400
    assert "line 5" in r.text, r.text


def test_invalid_utf8_is_400(client):
    r = client.post("/sparql", content=b"SELECT * WHERE { ?s ?p \xff }", headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400


def test_two_query_parameters_is_400(client):
    r = client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert r.status_code == 400


def test_unsupported_post_content_type_is_415(client):
    r = client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


# -- updates -------------------------------------------------------------------------------------------------

INSERT = "INSERT DATA { GRAPH <%s> { <http://example.org/evil> <http://example.org/p> \"pwned\" } }" % DATASET
EVIL_ASK = "ASK {{ <http://example.org/evil> ?p ?o }} # {nonce}"


def _evil_present(client) -> bool:
    r = client.get("/sparql", params={"query": EVIL_ASK.format(nonce=next(_nonce))}, headers={"Accept": "application/json"})
    assert r.status_code == 200
    return r.json()["boolean"]


UPDATE_REQUESTS = {
    "post-sparql-update": lambda c: c.post("/sparql", content=INSERT.encode(), headers={"Content-Type": "application/sparql-update"}),
    "post-form-update": lambda c: c.post("/sparql", data={"update": INSERT}),
    "get-update-param": lambda c: c.get("/sparql", params={"update": INSERT}),
    "get-query-insert-data": lambda c: c.get("/sparql", params={"query": INSERT}),
    "post-form-query-insert-data": lambda c: c.post("/sparql", data={"query": INSERT}),
    "post-query-body-insert-data": lambda c: c.post("/sparql", content=INSERT.encode(), headers={"Content-Type": "application/sparql-query"}),
    "delete-where": lambda c: c.get("/sparql", params={"query": "DELETE WHERE { ?s ?p ?o }"}),
    "clear-all": lambda c: c.get("/sparql", params={"query": "CLEAR ALL"}),
    "drop-graph": lambda c: c.get("/sparql", params={"query": f"DROP GRAPH <{DATASET}>"}),
    "lowercase-insert": lambda c: c.get("/sparql", params={"query": INSERT.replace("INSERT DATA", "insert data")}),
    "update-with-prefix": lambda c: c.get("/sparql", params={"query": "PREFIX ex: <http://example.org/>\n" + INSERT}),
    "update-with-a-subselect": lambda c: c.get("/sparql", params={
        "query": "DELETE { ?s ?p ?o } WHERE { { SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 1 } }"}),
    "insert-where-with-a-subselect": lambda c: c.get("/sparql", params={
        "query": "INSERT { <http://example.org/evil> <http://example.org/p> ?n } WHERE { { SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } } }"}),
}


@pytest.mark.parametrize("name", list(UPDATE_REQUESTS))
def test_updates_are_refused_and_the_data_is_unchanged(client, name):
    before = count(client)
    r = UPDATE_REQUESTS[name](client)
    # update= and application/sparql-update: 403 (read-only); an update sent as a query does not
    # parse as one: 400, as the W3C SPARQL 1.1 Protocol tests expect
    expected = 403 if name in ("post-sparql-update", "post-form-update", "get-update-param") else 400
    assert r.status_code == expected, f"{name}: {r.status_code} {r.text[:200]}"
    assert "read-only" in r.text or "queries only" in r.text
    assert count(client) == before
    assert not _evil_present(client)


def test_update_words_inside_strings_iris_and_comments_are_not_updates(client):
    q = ('SELECT ?x WHERE { BIND("INSERT DATA { <a:b> <a:b> <a:b> }" AS ?x) }  # DELETE WHERE { ?s ?p ?o }\n'
         'VALUES ?y { <http://example.org/CLEAR/DROP> }')
    r = client.get("/sparql", params={"query": q}, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text


# -- SERVICE -------------------------------------------------------------------------------------------------


def test_service_to_a_closed_port_is_refused(client):
    r = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"})
    assert r.status_code == 403
    assert "SERVICE" in r.text


SERVICE_QUERIES = {
    "plain": "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "lowercase": "select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
    "silent": "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "no-space": "SELECT * WHERE {{ SERVICE<{url}>{{?s ?p ?o}} }}",
    "comment-between": "SELECT * WHERE {{ SERVICE # where?\n <{url}> {{ ?s ?p ?o }} }}",
    "optional": "SELECT * WHERE {{ ?d a ckg:Designation OPTIONAL {{ SERVICE SILENT <{url}> {{ ?d ?p ?o }} }} }}",
    "subquery": "SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }} }}",
    "prefixed-name": "PREFIX remote: <{url}>\nSELECT * WHERE {{ SERVICE SILENT remote:sparql {{ ?s ?p ?o }} }}",
    "construct": "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "ask-exists": "ASK {{ FILTER EXISTS {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }}",
    # a `#` escaped in a prefixed name's local part (PN_LOCAL_ESC) is not a comment
    "escaped-hash-in-local-name": "PREFIX ex: <http://example.org/>\n"
                                  "SELECT * WHERE {{ OPTIONAL {{ ?s ex:p\\#x ?o }} SERVICE SILENT <{url}> {{ ?a ?b ?c }} }}",
    # an apostrophe escaped in a local name is not a string delimiter
    "escaped-quote-in-local-name": "PREFIX ex: <http://example.org/>\n"
                                   "SELECT * WHERE {{ OPTIONAL {{ ?s ex:it\\'s ?o }} SERVICE SILENT <{url}> {{ ?a ?b ?c }} "
                                   "OPTIONAL {{ ?s ex:isn\\'t ?o }} }}",
}


@pytest.mark.parametrize("name", list(SERVICE_QUERIES))
@pytest.mark.parametrize("method", ["get", "post"])
def test_service_is_refused_without_opening_a_connection(client, listener, name, method):
    q = SERVICE_QUERIES[name].format(url=f"http://127.0.0.1:{listener.port}/sparql")
    if method == "get":
        r = client.get("/sparql", params={"query": q})
    else:
        r = client.post("/sparql", content=q.encode(), headers={"Content-Type": "application/sparql-query"})
    time.sleep(0.1)
    assert listener.accepted == [], f"{name}: the server connected to the SERVICE endpoint: {listener.accepted[:1]}"
    assert r.status_code == 403, f"{name}: {r.status_code} {r.text[:200]}"


# -- size limit ---------------------------------------------------------------------------------------------

BIG = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n# " + "x" * 40_000 + "\n"


@pytest.mark.parametrize("how", ["get", "post-form", "post-query"])
def test_query_over_the_size_limit_is_413(client, how):
    if how == "get":
        r = client.get("/sparql", params={"query": BIG})
    elif how == "post-form":
        r = client.post("/sparql", data={"query": BIG})
    else:
        r = client.post("/sparql", content=BIG.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413, r.text[:200]


def test_query_under_the_size_limit_runs(client):
    q = "SELECT (COUNT(?d) AS ?n) WHERE { ?d a ckg:Designation }\n# " + "y" * 30_000 + "\n"
    r = client.post("/sparql", content=q.encode(), headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert r.status_code == 200
    assert r.text.split() == ["n", "110"]


def test_oversized_multibyte_query_is_413(client):
    q = "SELECT * WHERE { ?s ?p ?o } # " + "的" * 12_000  # 36 kB in UTF-8, 12 k characters
    r = client.post("/sparql", data={"query": q})
    assert r.status_code == 413


# -- path traversal -------------------------------------------------------------------------------------------

TRAVERSALS = [
    "/assets/..%2f..%2fetc%2fpasswd",
    "/assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
    "/dist/../pyproject.toml",
    "/dist/../../../../etc/passwd",
    "/dist/%2e%2e/pyproject.toml",
    "/dist/..%2fpyproject.toml",
    "/dist/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/assets/../server.py",
    "/assets/%2e%2e%2fserver.py",
    "/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/assets/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "/dist/%252e%252e/pyproject.toml",
    "/assets/..\\..\\etc\\passwd",
    "/dist/..\\..\\pyproject.toml",
    "/..%5c..%5cetc%5cpasswd",
    "/%2e%2e%5c%2e%2e%5cetc%5cpasswd",
    "/assets/..%5cserver.py",
    "/../../etc/passwd",
    "/eli/notice/../../../etc/passwd.ttl",
    "/division/..%2f..%2fpyproject.toml.ttl",
    "/assets/style.css%00.ttl",
    "/assets/%00../../etc/passwd",
    "/assets/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    "/assets/..%c0%af..%c0%afetc%c0%afpasswd",
    "//etc/passwd",
    "/assets//etc/passwd",
    "/dist/%2fetc%2fpasswd",
]
SECRETS = [b"root:x:0:0", b"root:", b"[build-system]", b"[project]", b"from __future__", b"def create_app"]


def raw_get(port: int, path: str, accept: str = "text/html") -> tuple[int, bytes, dict]:
    """GET ``path`` exactly as written (no client-side normalisation of dot segments)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.putheader("Accept", accept)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read(), {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


@pytest.mark.parametrize("path", TRAVERSALS)
@pytest.mark.parametrize("accept", ["text/html", "*/*"])
def test_path_traversal_is_404(abuse, path, accept):
    status, body, _ = raw_get(abuse.port, path, accept)
    for secret in SECRETS:
        assert secret not in body, f"{path} leaked a file"
    assert status == 404, f"{path}: {status} {body[:200]!r}"


def test_assets_serves_only_its_own_files(abuse):
    assert raw_get(abuse.port, "/assets/query.js")[0] == 200
    for name in ("server.py", "__init__.py", "query.js.bak", "style.css~", "..", "%2e%2e"):
        assert raw_get(abuse.port, f"/assets/{name}")[0] == 404, name


# -- script injection -----------------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


def _assert_escaped(r: httpx.Response) -> None:
    ctype = r.headers.get("content-type", "")
    assert r.headers.get("x-content-type-options") == "nosniff"
    if "html" in ctype:
        assert "<script>alert" not in r.text, r.text[:500]
        ours = r.text
        for packaged in ("editor.js", "query.js", "site.js"):
            ours = ours.replace(f'<script src="/assets/{packaged}" defer>', "")
        assert "<script " not in ours  # only the packaged scripts


def test_script_in_a_query_result_is_escaped(client):
    q = f'SELECT ?x WHERE {{ BIND("{SCRIPT}" AS ?x) }}'
    r = client.get("/sparql", params={"query": q}, headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    _assert_escaped(r)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


def test_script_in_a_construct_result_is_escaped(client):
    q = f'CONSTRUCT {{ <http://example.org/x> <http://example.org/p> "{SCRIPT}" }} WHERE {{}}'
    r = client.get("/sparql", params={"query": q}, headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    _assert_escaped(r)
    assert "&lt;script&gt;" in r.text


def test_script_in_a_result_iri_is_escaped(client):
    q = 'SELECT ?x WHERE { BIND(IRI("http://example.org/\\"><img src=x onerror=alert(1)>") AS ?x) }'
    r = client.get("/sparql", params={"query": q}, headers={"Accept": BROWSER_ACCEPT})
    if r.status_code == 200:
        _assert_escaped(r)
        assert "<img" not in r.text


@pytest.mark.parametrize("query", [SCRIPT, f"SELECT * WHERE {{ ?s ?p {SCRIPT} }}", f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {SCRIPT}"])
def test_script_in_a_malformed_query_is_not_rendered(client, query):
    r = client.get("/sparql", params={"query": query}, headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 400
    _assert_escaped(r)


@pytest.mark.parametrize("params", [{"foo": SCRIPT}, {"format": SCRIPT}, {"default-graph-uri": SCRIPT}])
def test_script_in_other_parameters_is_escaped(client, params):
    for path in ("/sparql", "/"):
        r = client.get(path, params=params, headers={"Accept": BROWSER_ACCEPT})
        assert r.status_code in (200, 400, 404)
        _assert_escaped(r)
    r = client.get("/sparql", params={"query": "ASK {}", **params}, headers={"Accept": BROWSER_ACCEPT})
    _assert_escaped(r)


@pytest.mark.parametrize("path", [f"/division/{SCRIPT}", f"/{SCRIPT}", f"/nothing/{SCRIPT}.html"])
def test_script_in_a_path_is_escaped_in_the_404_page(client, path):
    r = client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 404, f"{path}: {r.status_code} {r.text[:200]}"
    _assert_escaped(r)
    assert "&lt;script&gt;" in r.text


def test_quotes_in_a_path_are_escaped_in_the_404_page(client):
    r = client.get("/nothing/x'onmouseover='alert(1)", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 404
    assert "x'onmouseover" not in r.text
    _assert_escaped(r)


# -- security headers -----------------------------------------------------------------------------------------

HEADER_REQUESTS = {
    "home": lambda c: c.get("/"),
    "query-page": lambda c: c.get("/sparql", headers={"Accept": "text/html"}),
    "results": lambda c: c.get("/sparql", params={"query": "ASK {}"}),
    "results-html": lambda c: c.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": BROWSER_ACCEPT}),
    "resource": lambda c: c.get("/division/110108", headers={"Accept": "text/html"}),
    "resource-ttl": lambda c: c.get("/division/110108.ttl"),
    "void": lambda c: c.get("/.well-known/void"),
    "dist": lambda c: c.get("/dist/designations.csv"),
    "asset": lambda c: c.get("/assets/query.js"),
    "404": lambda c: c.get("/nothing/here"),
    "400": lambda c: c.get("/sparql", params={"query": "SELEC"}),
    "403": lambda c: c.post("/sparql", data={"update": "CLEAR ALL"}),
    "413": lambda c: c.post("/sparql", data={"query": BIG}),
    "415": lambda c: c.post("/sparql", content=b"x", headers={"Content-Type": "text/plain"}),
    "preflight": lambda c: c.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"}),
}


@pytest.mark.parametrize("name", list(HEADER_REQUESTS))
def test_security_headers_on_every_response(client, name):
    r = HEADER_REQUESTS[name](client)
    assert r.headers.get("x-content-type-options") == "nosniff", name
    csp = r.headers.get("content-security-policy", "")
    assert "default-src 'none'" in csp or "default-src 'self'" in csp, csp
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src and "'unsafe-inline'" not in script_src.group(1) and "*" not in script_src.group(1)
    assert "frame-ancestors 'none'" in csp


def test_server_binds_to_loopback_by_default():
    import inspect

    from cnipa_kg.web.app import run_server

    assert inspect.signature(run_server).parameters["host"].default == "127.0.0.1"


# -- runaway queries -----------------------------------------------------------------------------------------


def test_runaway_queries_are_stopped_and_the_server_recovers(abuse, client):
    me = os.getpid()
    assert count(client, COUNT_DESIGNATIONS) == 110  # warm
    workers = own_workers(abuse)
    assert len(workers) == 2, workers
    rss_server = rss_kib(me)
    rss_workers = sum(rss_kib(pid) for pid in workers)

    def runaway(i: int) -> tuple[int, float, str]:
        start = time.monotonic()
        r = httpx.get(f"{abuse.url}/sparql", params={"query": RUNAWAY.format(nonce=i)}, timeout=60)
        return r.status_code, time.monotonic() - start, r.text

    start = time.monotonic()
    with cf.ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(runaway, range(12)))
    wall = time.monotonic() - start
    for status, elapsed, text in answers:  # stopped at the deadline, or refused at once past the per-client limit
        assert status in (503, 429), text[:200]
        assert ("timed out" in text) if status == 503 else ("too many queries" in text)
        assert elapsed <= TIMEOUT + 5, f"a runaway query took {elapsed:.1f} s with a {TIMEOUT} s timeout"
    assert sum(status == 503 for status, _, _ in answers) >= 4
    assert wall <= TIMEOUT + 8

    # a lookup answers at once (the linked-data pages do not wait for query workers)
    start = time.monotonic()
    r = client.get("/division/110108", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert time.monotonic() - start <= 2.0
    start = time.monotonic()
    r = client.get("/org/cnipa.nt")
    assert r.status_code == 200
    assert time.monotonic() - start <= 2.0

    # SPARQL answers again within a few seconds (fresh workers)
    start = time.monotonic()
    assert count(client, COUNT_DESIGNATIONS) == 110
    assert time.monotonic() - start <= 5.0

    # the workers that ran the runaway queries are gone; two fresh ones serve
    assert not [pid for pid in workers if alive(pid)], "a worker that ran a runaway query is still alive"
    deadline = time.monotonic() + 15
    while len(own_workers(abuse)) != 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    fresh = own_workers(abuse)
    assert len(fresh) == 2 and not (fresh & workers)

    # memory back near where it started
    assert rss_kib(me) <= 1.5 * rss_server
    assert sum(rss_kib(pid) for pid in fresh) <= 1.5 * rss_workers

    # and the server still answers queries with the right data
    assert count(client) == count(client)
    r = client.get("/sparql", params={"query": "SELECT ?n WHERE { ?d ckg:designee/skos:prefLabel ?n FILTER(lang(?n)='zh') }"},
                   headers={"Accept": "application/json"})
    assert len(r.json()["results"]["bindings"]) == 110


def test_a_normal_query_during_a_runaway_burst_ends_in_time(abuse):
    """With every worker busy on a runaway query, another query waits at most its own timeout."""

    def get(q: str) -> tuple[int, float]:
        start = time.monotonic()
        r = httpx.get(f"{abuse.url}/sparql", params={"query": q}, timeout=60)
        return r.status_code, time.monotonic() - start

    with cf.ThreadPoolExecutor(max_workers=4) as pool:
        slow = [pool.submit(get, RUNAWAY.format(nonce=f"burst-{i}")) for i in range(2)]
        time.sleep(0.3)
        quick = pool.submit(get, COUNT_DESIGNATIONS.format(nonce="during-burst"))
        results = [f.result() for f in slow] + [quick.result()]
    for status, elapsed in results:
        assert status in (200, 503)
        assert elapsed <= TIMEOUT + 5
    # afterwards the workers come back
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        r = httpx.get(f"{abuse.url}/sparql", params={"query": COUNT_DESIGNATIONS.format(nonce=time.monotonic())},
                      headers={"Accept": "text/csv"}, timeout=30)
        if r.status_code == 200:
            break
        time.sleep(0.2)
    assert r.status_code == 200 and r.text.split() == ["n", "110"]


# -- headers that would fill the caches or the event loop (issue 25, an adversarial run of 2026-12-07) ----------

BIG_HEADERS = [
    pytest.param({"Accept": "text/turtle," + ",".join(f"a/b{i};q=0.5" for i in range(2000))}, id="2000-range-accept"),
    pytest.param({"Accept": "text/html;" + "x" * (1 << 20)}, id="1MB-accept"),
    pytest.param({f"X-Pad-{i}": "y" * 4000 for i in range(10)}, id="40KB-in-all"),
]


@pytest.mark.parametrize("headers", BIG_HEADERS)
@pytest.mark.parametrize("path", ["/", "/division/110108", "/sparql?query=ASK%7B%7D", "/no/such/path"])
def test_oversized_request_headers_get_431(client, path, headers):
    """300 requests with distinct 1 MB Accept headers took the server from 78 to 369 MB (each kept as a cache
    key); one Accept of 500,000 ranges blocked every client for seconds. Now such a request is answered 431
    before anything reads its headers."""
    r = client.get(path, headers=headers)
    assert r.status_code == 431, r.text[:200]
    assert r.headers["content-type"].startswith("text/plain") and "request headers" in r.text
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["cache-control"] == "no-store"
    ok = client.get(path, headers={"Accept": "text/html", "X-Pad": "y" * 4000})
    assert ok.status_code in (200, 404)  # the server goes on, and ordinary headers pass


def test_cache_keys_count_against_the_cache_budget():
    """A cache whose keys hold what clients sent counts the keys' bytes, not only the values'."""
    from cnipa_kg.web.cache import LRU

    cache = LRU(4096, max_bytes=8 << 20)
    for i in range(50):
        cache.put(("page", b"x" * (1 << 20), i), b"")  # 1 MiB keys, empty values
    assert cache.bytes <= 8 << 20
    assert len(cache.data) <= 8


@contextlib.contextmanager
def _serve_command(release_dir, *flags: str):
    """``cnipa-kg serve`` as a user runs it (a process of its own, default flags but ``flags``); its URL."""
    import subprocess
    import sys

    from test_server import free_port

    port = free_port()
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)}
    proc = subprocess.Popen([sys.executable, "-m", "cnipa_kg.cli", "serve", "--data", str(release_dir), "--port",
                             str(port), *flags], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()
            with contextlib.suppress(httpx.TransportError):
                httpx.get(url + "/", timeout=2)
                break
            assert time.monotonic() < deadline, "cnipa-kg serve did not answer"
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def _endpoint_named(url: str, headers: dict) -> str:
    from rdflib import Graph
    from rdflib.namespace import Namespace

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    r = httpx.get(url + "/sparql", headers={"Accept": "text/turtle", **headers}, timeout=30)
    assert r.status_code == 200, r.text
    (endpoint,) = Graph().parse(data=r.text, format="turtle").objects(None, sd.endpoint)
    return str(endpoint)


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def test_forwarded_headers_are_ignored_unless_a_proxy_is_declared(release_dir):
    """Issue 25: uvicorn trusted X-Forwarded-* from 127.0.0.1, so any local client could name its own address
    (dodging the per-client share) and the scheme of the answers. Now only with --behind-proxy."""
    with _serve_command(release_dir) as url:
        assert _endpoint_named(url, FORWARDED) == f"{url}/sparql"
    with _serve_command(release_dir, "--behind-proxy") as url:
        assert _endpoint_named(url, FORWARDED) == url.replace("http://", "https://") + "/sparql"
        assert _endpoint_named(url, {}) == f"{url}/sparql"  # a plain request after it: not the https answer
