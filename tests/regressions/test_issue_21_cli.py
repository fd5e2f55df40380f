"""Regressions of issue 21, part 3 (the command line and the endpoint): each test failed before its fix.

1. ``cnipa-kg query`` with 5,000 nested braces died of a segmentation fault (exit 139, no
   message), and a query worker of the server died the same way (``{``×2,500, ``(``×5,000,
   ``!``×10,000, or a chain of 2,700 ``MINUS`` in a query under 32 KiB): oxigraph's parser and
   what it builds recurse. Now refused before any parse, by one count (``core.sparql.nesting_refusal``):
   exit 2 with one line, HTTP 400 with the same line; ordinary queries are never refused.
2. ``cnipa-kg query`` fetched a ``SERVICE`` endpoint that the server refuses; now refused by the
   server's decision unless ``--allow-service`` (no connection made without it).
3. errors of ``cnipa-kg site`` spoke of "the release" and suggested ``--out dist``.
4. the endpoint refused a query starting with a U+FEFF (a BOM) that ``cnipa-kg query`` ran from a
   file; both now drop one leading U+FEFF (``core.sparql.query_text``), and only one.

The crashing cases run ``python -m cnipa_kg.cli`` in a subprocess (a segmentation fault in-process
would end pytest); the server is the real app on 127.0.0.1 (``test_server.running_app``); the
``SERVICE`` target is a listener on 127.0.0.1 that answers like a SPARQL endpoint.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from conftest import ROOT, invoke
from test_server import running_app

HANG = 300  #: seconds: a hang guard for a subprocess, not a timing assertion
ASK = "ASK { ?d a ckg:Designation }"
MAX_NESTING, MAX_CHAIN = 64, 500  #: the limits the README and --help state


def nesting_refusal(text: str) -> str | None:
    from cnipa_kg.core.sparql import nesting_refusal  # here: the tests of the rest still run where it is missing

    return nesting_refusal(text)

#: queries that crashed pyoxigraph 0.5.13 (measured: 2,188 braces, 4,669 parens, 9,345 "!" …)
DEEP = {
    "braces": "ASK " + "{" * 5000 + "}" * 5000,
    "parens": "ASK { FILTER(" + "(" * 5000 + "true" + ")" * 5000 + ") }",
    "bangs": "ASK { FILTER(" + "!" * 10000 + "true) }",
    "brackets": "ASK { ?s <http://e/p> " + "[<http://e/p> " * 4000 + "1" + "]" * 4000 + " }",
    "quoted-triples": "ASK { ?s ?p " + "<< ?a ?b " * 4000 + "?c" + " >>" * 4000 + " }",
    "exists-in-filter": "ASK { FILTER(" + "EXISTS { FILTER(" * 800 + "true" + ") }" * 800 + ") }",
    "minus-chain": "ASK {{}" + "MINUS{}" * 3000 + "}",
}
#: the adversarial run's queries against the endpoint, each under its 32 KiB
DEEP_SERVED = {
    "braces": "ASK " + "{" * 2500 + "}" * 2500,
    "parens": "ASK { FILTER(" + "(" * 5000 + "true" + ")" * 5000 + ") }",
    "bangs": "ASK { FILTER(" + "!" * 10000 + "true) }",
    "minus-chain": "ASK {{}" + "MINUS{}" * 2700 + "}",
}


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONUNBUFFERED": "1"}


def _one_line_error(result, *needles: str) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def data(release_dir) -> str:
    return str(release_dir / "cnipa-kg.nt")


# -- 1. nesting: the command line --------------------------------------------------------------------


def _cli_query(arg: str, data: str, cwd: Path) -> str:
    """``cnipa-kg query ARG --data DATA`` in a subprocess (a crash must not end pytest): its one error line."""
    proc = subprocess.run([sys.executable, "-m", "cnipa_kg.cli", "query", arg, "--data", data],
                          check=False, capture_output=True, text=True, env=_env(), timeout=HANG, cwd=cwd)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-500:])  # -11 (SIGSEGV) before the fix
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr[-500:]
    assert proc.stdout == ""
    return lines[0]


@pytest.mark.parametrize("name", list(DEEP))
def test_deep_query_file_is_refused_by_the_cli_not_a_crash(data, tmp_path, name):
    query = tmp_path / "deep.rq"
    query.write_text(DEEP[name], encoding="utf-8")
    line = _cli_query(str(query), data, tmp_path)
    assert line.startswith("Error: the query "), line
    assert f"more than {MAX_CHAIN if name == 'minus-chain' else MAX_NESTING}" in line


def test_deep_query_text_is_refused_by_the_cli_not_a_crash(data, tmp_path):
    line = _cli_query(DEEP["braces"], data, tmp_path)
    assert line.startswith("Error: the query nests more than 64 levels deep"), line


def test_a_query_at_the_limit_still_runs(runner, data):
    depth = MAX_NESTING - 1  # and the group of ASK
    text = "ASK " + "{ ?d a ckg:Designation " * depth + "}" * depth
    result = invoke(runner, "query", text, "--data", data)
    assert result.exit_code == 0, result.output
    assert result.stdout == "true\n"


def test_named_and_qc_queries_are_far_below_the_limits():
    queries = sorted((ROOT / "queries").glob("*.rq")) + sorted((ROOT / "queries" / "qc").glob("*.rq"))
    assert len(queries) > 20
    for path in queries:
        text = path.read_text(encoding="utf-8")
        assert nesting_refusal(text) is None, path


# what the count must not take for nesting (strings, comments, IRIs), and what it must not miss
NOT_NESTING = {
    "in-short-strings": "SELECT * WHERE { BIND('" + "(" * 200 + "' AS ?a) BIND(\"" + "{" * 200 + "\" AS ?b) }",
    "in-long-strings": "SELECT * WHERE { BIND('''a'' \\''' " + "[" * 200 + "''' AS ?a) BIND(\"\"\"\n" + "{" * 200 + "\"\"\" AS ?b) }",
    "in-comments": "SELECT * WHERE { ?s ?p ?o # " + "{" * 200 + "\n FILTER(true) #" + "(" * 200 + "\r}",
    "in-iris": "SELECT * WHERE { ?s <http://e/a" + "(" * 200 + "> ?o FILTER(?o != <http://e/" + "[" * 200 + ">) }",
    "not-equal": "SELECT * WHERE { FILTER(" + " && ".join(["?a != ?b"] * 100) + ") }",
    "values": "SELECT * WHERE { VALUES (?a ?b) { " + "(<http://e/a/b/c> <http://e/d/e/f>) " * 3000 + "} }",
    "in-list": "SELECT * WHERE { FILTER(?x IN (" + ", ".join(f"<http://e/{i}>" for i in range(3000)) + ")) }",
}
NESTING = {
    "after-iri-with-hash": "ASK { ?s <http://e/#> ?o " + "{" * 100 + "}" * 100 + " }",
    "less-than-not-an-iri": "ASK { FILTER(1<" + "(" * 100 + "1" + ")" * 100 + "&&2>1) }",
    "less-than-chain": "ASK { FILTER(1<=1" + "-1" * 1000 + ">=0) }",
    "escaped-quote-in-name": "PREFIX ex: <http://e/> ASK { ?s ex:it\\'s ?o " + "{" * 100 + "}" * 100 + " ?s ex:a ?o }",
    "comment-ended-by-cr": "ASK { # x\r" + "{" * 100 + "}" * 100 + " }",
    "escape-in-iri": "ASK { ?s <http://e/\\u0041#> ?o " + "{" * 100 + "}" * 100 + " }",
    "bangs-in-parens": "ASK { FILTER(" + "!(" * 40 + "true" + ")" * 40 + ") }",
    "union-chain": "ASK { {} " + "UNION {} " * 600 + "}",
    "triple-chain": "ASK { " + "?s ?p ?o . " * 600 + "}",
    "path-chain": "ASK { ?s a" + "/a" * 600 + " ?o }",
    "chain-in-nested-groups": "ASK " + "{ ?s ?p ?o . ?s ?p ?o . ?s ?p ?o . ?s ?p ?o . ?s ?p ?o . ?s ?p ?o . ?s ?p ?o . " * 60 + "}" * 60,
}


@pytest.mark.parametrize("name", list(NOT_NESTING))
def test_brackets_outside_the_query_are_not_counted(name):
    assert nesting_refusal(NOT_NESTING[name]) is None


@pytest.mark.parametrize("name", list(NESTING))
def test_nesting_is_counted_where_oxigraph_reads_it(name):
    assert nesting_refusal(NESTING[name]) is not None


@pytest.mark.parametrize("open_, close", [("{", "}"), ("(", ")"), ("[", "]")])
def test_the_limit_is_exact(open_, close):
    def query(depth: int) -> str:
        return "ASK " + open_ * depth + close * depth

    assert nesting_refusal(query(MAX_NESTING)) is None
    assert "more than 64 levels deep" in nesting_refusal(query(MAX_NESTING + 1))


# -- 1. nesting: the server ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(release_dir):
    with running_app(release_dir, query_timeout=30, workers=2) as server:
        yield server


@pytest.fixture(scope="module")
def client(served):
    with httpx.Client(base_url=served.url, timeout=60) as c:
        yield c


@pytest.mark.parametrize("name", list(DEEP_SERVED))
def test_deep_query_is_refused_by_the_server_and_the_worker_lives(served, client, name):
    text = DEEP_SERVED[name]
    assert len(text.encode()) < 32 * 1024
    pool = served.app.state.pool
    killed = pool.killed
    answer = client.post("/sparql", content=text.encode(), headers={"content-type": "application/sparql-query"})
    assert answer.status_code == 400, (answer.status_code, answer.text[:300])
    assert answer.text.startswith("the query ") and "oxigraph" in answer.text, answer.text[:300]
    assert pool.killed == killed  # no worker died
    after = client.post("/sparql", content=ASK.encode(), headers={"content-type": "application/sparql-query",
                                                                    "accept": "application/sparql-results+json"})
    assert after.status_code == 200 and after.json()["boolean"] is True


def test_the_cli_and_the_server_give_the_same_message(client, data, tmp_path):
    text = DEEP_SERVED["braces"]
    answer = client.get("/sparql", params={"query": text})
    assert answer.status_code == 400
    assert _cli_query(text, data, tmp_path) == "Error: " + answer.text.strip()


# -- 2. SERVICE ------------------------------------------------------------------------------------------


class Endpoint:
    """A SPARQL endpoint on 127.0.0.1 that records each request and answers one solution, ?s = <http://e/from-service>."""

    BODY = json.dumps({"head": {"vars": ["s"]},
                       "results": {"bindings": [{"s": {"type": "uri", "value": "http://e/from-service"}}]}}).encode()

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.requests: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self.requests.append(b"")  # recorded before any answer: a client waiting for one is seen
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.requests[-1] = data
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                             b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(self.BODY) + self.BODY)

    def close(self) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() (close alone does not, on Linux)
        self.sock.close()
        self.thread.join(timeout=30)


@pytest.fixture()
def endpoint():
    server = Endpoint()
    yield server
    server.close()


def _service_query(port: int) -> str:
    return f"SELECT ?s WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"


def test_service_is_refused_without_the_option(runner, data, endpoint):
    message = _one_line_error(invoke(runner, "query", _service_query(endpoint.port), "--data", data),
                              "SERVICE (federated query) is not allowed", "--allow-service")
    assert str(endpoint.port) not in message
    assert endpoint.requests == []  # no connection was made (the query would have waited for the answer)


@pytest.mark.parametrize("text", [
    "SELECT * WHERE {{SERVICE<http://127.0.0.1:{port}/sparql>{{?s ?p ?o}}}}",
    "SELECT * WHERE {{ ?s ?p ?o SERVI\\u0043E <http://127.0.0.1:{port}/sparql> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ ?x ?y ?z }} ORDER BY (EXISTS {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?a ?b ?c }} }})",
    "SELECT * WHERE {{ service silent <http://127.0.0.1:{port}/sparql> {{ ?a ?b ?c }} }}",
])
def test_service_spelled_otherwise_is_refused_too(runner, data, endpoint, text):
    _one_line_error(invoke(runner, "query", text.format(port=endpoint.port), "--data", data), "--allow-service")
    assert endpoint.requests == []


def test_service_runs_with_the_option(runner, data, endpoint):
    result = invoke(runner, "query", _service_query(endpoint.port), "--data", data, "--allow-service", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["s", "http://e/from-service"]
    assert len(endpoint.requests) >= 1 and b"/sparql" in endpoint.requests[0]


def test_help_and_readme_name_the_option(runner):
    help_text = invoke(runner, "query", "--help").stdout
    assert "--allow-service" in help_text and "SERVICE" in help_text
    assert "--allow-service" in (ROOT / "README.md").read_text(encoding="utf-8")


# -- 3. the site's messages ------------------------------------------------------------------------------


def _site_error(runner, release_dir, out) -> str:
    message = _one_line_error(invoke(runner, "site", "--data", release_dir, "--out", out, "--quiet"))
    what = message.partition(": ")[2].partition(": ")[2]  # "Error: PATH: what is wrong" (a path may say anything)
    assert "release" not in what and "--out dist" not in what, message
    return message


def test_site_into_the_current_directory_suggests_a_site_folder(runner, release_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    message = _site_error(runner, release_dir, ".")
    assert "give the static site a directory of its own, e.g. --out site" in message


def test_site_under_a_file_says_site(runner, release_dir, tmp_path):
    (tmp_path / "file").write_text("x")
    message = _site_error(runner, release_dir, tmp_path / "file" / "site")
    assert "cannot create the static site directory" in message


def test_a_file_in_the_way_of_the_site_says_site(runner, release_dir, tmp_path):
    out = tmp_path / "site"
    result = invoke(runner, "site", "--data", release_dir, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    manifest = out / ".cnipa-kg-site"
    manifest.write_text("".join(line + "\n" for line in manifest.read_text().splitlines() if line != "nginx.conf"))
    message = _site_error(runner, release_dir, out)  # nginx.conf is now a file of the user's
    assert "nginx.conf" in message and "static site" in message


# -- 4. a leading U+FEFF -----------------------------------------------------------------------------------


def test_query_text_drops_one_signature_only():
    from cnipa_kg.core.sparql import query_text

    assert query_text("\ufeffASK {}") == "ASK {}"
    assert query_text("\ufeff\ufeffASK {}") == "\ufeffASK {}"
    assert query_text("ASK { ?s ?p '\ufeff' }") == "ASK { ?s ?p '\ufeff' }"


@pytest.mark.parametrize("how", ["text", "file"])
def test_cli_accepts_one_bom(runner, data, tmp_path, how):
    arg = "\ufeff" + ASK
    if how == "file":
        (tmp_path / "q.rq").write_bytes(arg.encode("utf-8"))
        arg = str(tmp_path / "q.rq")
    result = invoke(runner, "query", arg, "--data", data)
    assert result.exit_code == 0, result.output
    assert result.stdout == "true\n"


@pytest.mark.parametrize("how", ["text", "file"])
def test_cli_refuses_two_boms(runner, data, tmp_path, how):
    arg = "\ufeff\ufeff" + ASK
    if how == "file":
        (tmp_path / "q.rq").write_bytes(arg.encode("utf-8"))
        arg = str(tmp_path / "q.rq")
    _one_line_error(invoke(runner, "query", arg, "--data", data), "malformed query")


def _ask(client, how: str, text: str) -> httpx.Response:
    accept = {"accept": "application/sparql-results+json"}
    if how == "sparql-query":
        return client.post("/sparql", content=text.encode(), headers={"content-type": "application/sparql-query", **accept})
    if how == "form":
        return client.post("/sparql", content=f"query={quote(text)}".encode(),
                           headers={"content-type": "application/x-www-form-urlencoded", **accept})
    if how == "form-body":  # the body itself written with a signature
        return client.post("/sparql", content=("\ufeff" + f"query={quote(text)}").encode(),
                           headers={"content-type": "application/x-www-form-urlencoded", **accept})
    return client.get(f"/sparql?query={quote(text)}", headers=accept)


@pytest.mark.parametrize("how", ["sparql-query", "form", "get"])
def test_server_accepts_one_bom_as_the_cli_does(client, how):
    answer = _ask(client, how, "\ufeff" + ASK)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["boolean"] is True


def test_server_accepts_a_form_body_with_a_signature(client):
    answer = _ask(client, "form-body", ASK)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["boolean"] is True


@pytest.mark.parametrize("how", ["sparql-query", "form", "get"])
def test_server_refuses_two_boms_as_the_cli_does(client, how):
    answer = _ask(client, how, "\ufeff\ufeff" + ASK)
    assert answer.status_code == 400
    assert answer.text.startswith("malformed query")
