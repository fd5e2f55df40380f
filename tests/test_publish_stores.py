"""`cnipa-kg publish` into two real triple stores, started here on free ports of 127.0.0.1 and stopped after:
Virtuoso (Debian's virtuoso-opensource, the engine behind DBpedia; Graph Store Protocol at
``/sparql-graph-crud-auth``, HTTP digest auth) and the Oxigraph server (in memory). Each store is asked by
SPARQL what it holds.

A local store that wants digest auth checks the other way a challenge comes (in the 401 to a basic attempt).

`make test` installs Virtuoso (`make virtuoso`: apt-get, only when `virtuoso-t` is missing); these tests
install nothing. Without `virtuoso-t` its tests fail under CI (CI=true) and are skipped elsewhere.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from conftest import ROOT, invoke

sys.path.insert(0, str(ROOT / "scripts"))
from bench_load import VIRTUOSO_INI, virtuoso_ini  # noqa: E402  the benchmark starts its Virtuoso the same way
from test_publish import free_port, nt_lines  # noqa: E402

DATASET = "https://w3id.org/cnipa-kg/dataset"
DESIGNATION = "https://w3id.org/cnipa-kg/def#Designation"
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
VIRTUOSO_USER, VIRTUOSO_PASSWORD = "dba", "dba"  # a new database's


@dataclass
class Store:
    name: str
    gsp: str  # the Graph Store Protocol endpoint given to --store
    sparql: str  # the SPARQL query endpoint
    credentials: dict[str, str] = field(default_factory=dict)

    def count(self, where: str) -> int:
        r = httpx.get(self.sparql, params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"},
                      headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert r.status_code == 200, r.text
        return int(r.json()["results"]["bindings"][0]["n"]["value"])


def start(argv: list[str], folder: Path, ready: str, name: str, timeout: float = 90) -> subprocess.Popen:
    """``argv`` started in a process group of its own in ``folder`` (its log there), once ``ready`` answers."""
    with (folder / f"{name}.log").open("wb") as log:
        process = subprocess.Popen(argv, cwd=folder, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            output = (folder / f"{name}.log").read_text(errors="replace")[-2000:]
            pytest.fail(f"{name} exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(ready, timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            stop(process)
            pytest.fail(f"{name} did not answer {ready} within {timeout:.0f} s")
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    """End ``process`` and its group: SIGTERM, SIGKILL after 20 s, and SIGKILL to whatever is left of the group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # nothing may be left of the group
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def virtuoso() -> Iterator[Store]:
    binary = shutil.which("virtuoso-t")
    if binary is None or not VIRTUOSO_INI.is_file():
        message = "virtuoso-t not installed: `make virtuoso` installs it (apt-get install virtuoso-opensource)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must have it (`make test` runs `make virtuoso`)")
        pytest.skip(message)
    with tempfile.TemporaryDirectory(prefix="cnipa-kg-virtuoso-") as tmp:
        folder, http_port = Path(tmp), free_port()
        (folder / "virtuoso.ini").write_text(virtuoso_ini(folder, free_port(), http_port), encoding="utf-8")
        url = f"http://127.0.0.1:{http_port}"
        process = start([binary, "+foreground", "+configfile", str(folder / "virtuoso.ini")], folder,
                        f"{url}/sparql?query=ASK%20%7B%7D", "virtuoso")
        try:
            yield Store("virtuoso", f"{url}/sparql-graph-crud-auth", f"{url}/sparql",
                        {"CNIPA_KG_STORE_USER": VIRTUOSO_USER, "CNIPA_KG_STORE_PASSWORD": VIRTUOSO_PASSWORD})
        finally:
            stop(process)


@pytest.fixture(scope="module")
def oxigraph() -> Iterator[Store]:
    assert OXIGRAPH.is_file(), f"{OXIGRAPH} missing: pip install oxigraph"
    with tempfile.TemporaryDirectory(prefix="cnipa-kg-oxigraph-") as tmp:
        url = f"http://127.0.0.1:{free_port()}"
        process = start([str(OXIGRAPH), "serve", "--bind", url.removeprefix("http://")],  # no --location: in memory
                        Path(tmp), f"{url}/query?query=ASK%20%7B%7D", "oxigraph")
        try:
            yield Store("oxigraph", f"{url}/store", f"{url}/query")
        finally:
            stop(process)


@pytest.fixture(params=["virtuoso", "oxigraph"])
def store(request, monkeypatch) -> Store:
    store = request.getfixturevalue(request.param)
    for name in ("CNIPA_KG_STORE_USER", "CNIPA_KG_STORE_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    for name, value in store.credentials.items():
        monkeypatch.setenv(name, value)
    return store


def publish(runner, release_dir: Path, store: Store, *extra: str):
    return invoke(runner, "publish", "--data", release_dir, "--store", store.gsp, "--timeout", "60", *extra)


def test_publish_loads_the_release(runner, release_dir, store):
    result = publish(runner, release_dir, store)
    assert result.exit_code == 0, result.output
    triples = nt_lines(release_dir)
    assert f"Published {triples:,} triples" in result.stdout
    assert store.count(f"GRAPH <{DATASET}> {{ ?s ?p ?o }}") == triples
    assert store.count(f"GRAPH <{DATASET}> {{ ?d a <{DESIGNATION}> }}") == 110
    assert store.count(f"""GRAPH <{DATASET}> {{ <https://w3id.org/cnipa-kg/division/110108>
        <http://www.w3.org/2004/02/skos/core#prefLabel> "海淀区"@zh }}""") == 1


def test_publish_twice_leaves_one_copy(runner, release_dir, store):
    graph = f"https://example.org/graphs/twice-{store.name}"
    for _ in range(2):
        result = publish(runner, release_dir, store, "--graph", graph)
        assert result.exit_code == 0, result.output
        assert store.count(f"GRAPH <{graph}> {{ ?s ?p ?o }}") == nt_lines(release_dir)
    assert store.count(f"GRAPH <{graph}> {{ ?d a <{DESIGNATION}> }}") == 110


@pytest.mark.parametrize("password", ["not-the-password", None])
def test_virtuoso_wrong_password_is_one_line_exit_1(runner, release_dir, virtuoso, monkeypatch, password):
    graph = "https://example.org/graphs/wrong-password"
    monkeypatch.setenv("CNIPA_KG_STORE_USER", VIRTUOSO_USER)
    monkeypatch.setenv("CNIPA_KG_STORE_PASSWORD", VIRTUOSO_PASSWORD)
    assert publish(runner, release_dir, virtuoso, "--graph", graph).exit_code == 0
    if password is None:  # no credentials at all
        monkeypatch.delenv("CNIPA_KG_STORE_USER")
        monkeypatch.delenv("CNIPA_KG_STORE_PASSWORD")
    else:
        monkeypatch.setenv("CNIPA_KG_STORE_PASSWORD", password)
    began = time.monotonic()
    result = publish(runner, release_dir, virtuoso, "--graph", graph)
    assert result.exit_code == 1, result.output
    assert time.monotonic() - began < 10  # refused, not retried
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "refused" in result.stderr, result.stderr
    assert "401" in result.stderr and virtuoso.gsp in result.stderr
    assert "Traceback" not in result.output
    if password:
        assert password not in result.output
    assert virtuoso.count(f"GRAPH <{graph}> {{ ?s ?p ?o }}") == nt_lines(release_dir)  # untouched


class DigestStore:
    """A store on 127.0.0.1 that wants digest auth (MD5, qop=auth) and, unlike Virtuoso, challenges a basic
    attempt in its 401; it records each request's method, Authorization scheme and body size."""

    def __init__(self, user: str, password: str) -> None:
        self.requests: list[tuple[str, str, int]] = []
        store = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                authorization = self.headers.get("Authorization", "")
                store.requests.append(("PUT", authorization.split(" ")[0], len(body)))
                digest = authorization.startswith("Digest ")
                fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(authorization[7:])) if digest else {}
                if digest and fields.get("response") == md5(
                        md5(f"{user}:cnipa:{password}"), fields["nonce"], fields["nc"], fields["cnonce"], "auth",
                        md5(f"PUT:{self.path}")) and fields["uri"] == self.path and fields["opaque"] == "o-1":
                    self.send_response(201)
                else:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="cnipa"')
                    self.send_header("WWW-Authenticate", f'Digest realm="cnipa", qop="auth", nonce="{secrets.token_hex(8)}", '
                                                         'opaque="o-1", algorithm=MD5')
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/store"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def md5(*parts: str) -> str:
    return hashlib.md5(":".join(parts).encode()).hexdigest()


@pytest.mark.parametrize(("password", "code"), [("right", 0), ("wrong", 1)])
def test_a_digest_challenge_in_the_401_is_answered_once(runner, release_dir, monkeypatch, password, code):
    store = DigestStore("alice", "right")
    try:
        monkeypatch.setenv("CNIPA_KG_STORE_USER", "alice")
        monkeypatch.setenv("CNIPA_KG_STORE_PASSWORD", password)
        result = invoke(runner, "publish", "--data", release_dir, "--store", store.url)
    finally:
        store.close()
    assert result.exit_code == code, result.output
    size = (release_dir / "cnipa-kg.nt").stat().st_size
    assert store.requests == [("PUT", "Basic", size), ("PUT", "Digest", size)]  # no HEAD: the 401 had a challenge
    assert password not in result.output


def test_the_query_publish_prints_runs_as_written(runner, release_dir, store):
    """`publish` says how to query what it loaded; that query, as printed, counts the release at the store."""
    result = publish(runner, release_dir, store)
    assert result.exit_code == 0, result.output
    assert f"FROM <{DATASET}>" in result.stderr and "--default-graph" in result.stderr
    query = result.stderr.split("e.g. ", 1)[1].split("}", 1)[0] + "}"
    r = httpx.get(store.sparql, params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 200, r.text
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == nt_lines(release_dir)


def test_publish_into_the_default_graph(runner, release_dir, oxigraph, monkeypatch):
    """--default-graph replaces the store's default graph (`?default`): a client that queries without FROM
    or GRAPH (SPARQLWrapper's default) finds the release, twice published, once there."""
    for _ in range(2):
        result = publish(runner, release_dir, oxigraph, "--default-graph")
        assert result.exit_code == 0, result.output
        assert "to the default graph at" in result.stdout
    assert oxigraph.count("?s ?p ?o") == nt_lines(release_dir)  # Oxigraph's default graph is a graph of its own
    assert oxigraph.count(f"?d a <{DESIGNATION}>") == 110


def test_virtuoso_queries_without_from_see_the_named_graph(runner, release_dir, store):
    """What publish prints: Virtuoso's default graph is the union of its graphs, Oxigraph's is not (without
    --union-default-graph). (Virtuoso's graph-crud endpoint does not take `?default`: it resets the
    connection, and publish --default-graph says it got no answer.)"""
    before = store.count("?s ?p ?o")
    result = publish(runner, release_dir, store, "--graph", f"https://example.org/graphs/union-{store.name}")
    assert result.exit_code == 0, result.output
    if store.name == "virtuoso":
        assert store.count("<https://w3id.org/cnipa-kg/division/110108> ?p ?o") > 0
    else:  # what other tests put in the default graph, and nothing more
        assert store.count("?s ?p ?o") == before
