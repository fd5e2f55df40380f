"""`cnipa-kg publish` against a real Oxigraph server (started on a free port of 127.0.0.1, stopped after),
and against tiny local HTTP servers that record what they receive or refuse it."""

from __future__ import annotations

import base64
import http.server
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from conftest import invoke

DATASET = "https://w3id.org/cnipa-kg/dataset"
OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nt_lines(release_dir: Path) -> int:
    with (release_dir / "cnipa-kg.nt").open(encoding="utf-8") as f:
        return sum(1 for line in f if line.strip())


# -- a real Oxigraph server ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    assert OXIGRAPH.is_file(), f"{OXIGRAPH} missing: pip install oxigraph"
    location = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    log = (location.parent / "oxigraph.log").open("wb")
    process = subprocess.Popen([str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"oxigraph exited with {process.returncode}"
            try:
                if httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "oxigraph did not start within 30 s"
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def ox_count(url: str, where: str) -> int:
    r = httpx.get(f"{url}/query", params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"},
                  headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def ox_ask(url: str, query: str) -> bool:
    r = httpx.get(f"{url}/query", params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["boolean"]


def publish(runner, release_dir, store: str, *extra: str):
    return invoke(runner, "publish", "--data", release_dir, "--store", store, *extra)


def test_publish_loads_the_release_into_oxigraph(runner, release_dir, oxigraph):
    result = publish(runner, release_dir, f"{oxigraph}/store")
    assert result.exit_code == 0, result.output
    lines = nt_lines(release_dir)
    assert f"Published {lines:,} triples" in result.stdout
    assert DATASET in result.stdout
    assert ox_count(oxigraph, f"GRAPH <{DATASET}> {{ ?s ?p ?o }}") == lines
    assert ox_count(oxigraph, "GRAPH ?g { ?s ?p ?o }") == lines  # nothing elsewhere
    assert ox_count(oxigraph, f"GRAPH <{DATASET}> {{ ?d a <https://w3id.org/cnipa-kg/def#Designation> }}") == 110
    assert ox_ask(oxigraph, f"""ASK {{ GRAPH <{DATASET}> {{
        ?d <https://w3id.org/cnipa-kg/def#designee> <https://w3id.org/cnipa-kg/division/110108> }} }}""")
    assert ox_ask(oxigraph, f"""ASK {{ GRAPH <{DATASET}> {{
        <https://w3id.org/cnipa-kg/division/110108> <http://www.w3.org/2004/02/skos/core#prefLabel> "海淀区"@zh }} }}""")


def test_publish_twice_leaves_one_copy(runner, release_dir, oxigraph):
    lines = nt_lines(release_dir)
    for _ in range(2):
        result = publish(runner, release_dir, f"{oxigraph}/store")
        assert result.exit_code == 0, result.output
        assert ox_count(oxigraph, f"GRAPH <{DATASET}> {{ ?s ?p ?o }}") == lines
    assert ox_count(oxigraph, "GRAPH ?g { ?s ?p ?o }") == lines


def test_publish_to_another_graph(runner, release_dir, oxigraph):
    other = "https://example.org/graphs/cnipa-kg-test"
    result = publish(runner, release_dir, f"{oxigraph}/store", "--graph", other)
    assert result.exit_code == 0, result.output
    assert other in result.stdout
    lines = nt_lines(release_dir)
    assert ox_count(oxigraph, f"GRAPH <{other}> {{ ?s ?p ?o }}") == lines
    assert ox_count(oxigraph, f"GRAPH <{DATASET}> {{ ?s ?p ?o }}") == lines  # the other graph is untouched
    # replace it again: still one copy there
    assert publish(runner, release_dir, f"{oxigraph}/store", "--graph", other).exit_code == 0
    assert ox_count(oxigraph, f"GRAPH <{other}> {{ ?s ?p ?o }}") == lines


# -- local recording / refusing servers ----------------------------------------------------------------------


class Recorder:
    """A tiny HTTP server on 127.0.0.1 that records each request and answers with the next status."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.requests: list[dict] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorder.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                                          "body": body})
                status = recorder.statuses.pop(0) if len(recorder.statuses) > 1 else recorder.statuses[0]
                message = b"" if status < 300 else b"go away"
                self.send_response(status)
                self.send_header("Content-Length", str(len(message)))
                self.end_headers()
                self.wfile.write(message)

            do_PUT = do_POST = do_GET = _handle

            def log_message(self, *args) -> None:  # quiet
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/store"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def recorder_factory():
    started: list[Recorder] = []

    def make(*statuses: int) -> Recorder:
        rec = Recorder(list(statuses))
        started.append(rec)
        return rec

    yield make
    for rec in started:
        rec.close()


def test_publish_sends_basic_auth_from_the_environment(runner, release_dir, recorder_factory, monkeypatch):
    monkeypatch.setenv("CNIPA_KG_STORE_USER", "alice")
    monkeypatch.setenv("CNIPA_KG_STORE_PASSWORD", "s3cret:with-colon")
    store = recorder_factory(201)
    result = publish(runner, release_dir, store.url)
    assert result.exit_code == 0, result.output
    assert len(store.requests) == 1
    request = store.requests[0]
    assert request["method"] == "PUT"
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["authorization"] == "Basic " + base64.b64encode(b"alice:s3cret:with-colon").decode()
    assert headers["content-type"].startswith("application/n-triples")
    split = urlsplit(request["path"])
    assert split.path == "/store"
    assert parse_qs(split.query) == {"graph": [DATASET]}
    assert request["body"] == (release_dir / "cnipa-kg.nt").read_bytes()
    # the password is never printed
    assert "s3cret" not in result.output


def test_publish_without_credentials_sends_no_authorization(runner, release_dir, recorder_factory, monkeypatch):
    monkeypatch.delenv("CNIPA_KG_STORE_USER", raising=False)
    monkeypatch.delenv("CNIPA_KG_STORE_PASSWORD", raising=False)
    store = recorder_factory(204)
    result = publish(runner, release_dir, store.url)
    assert result.exit_code == 0, result.output
    assert "authorization" not in {k.lower() for k in store.requests[0]["headers"]}


def test_publish_graph_option_goes_to_the_graph_parameter(runner, release_dir, recorder_factory):
    store = recorder_factory(201)
    result = publish(runner, release_dir, store.url, "--graph", "https://example.org/g?x=1&y=2")
    assert result.exit_code == 0, result.output
    assert parse_qs(urlsplit(store.requests[0]["path"]).query) == {"graph": ["https://example.org/g?x=1&y=2"]}


def test_store_down_is_exit_2_with_a_clear_message(runner, release_dir):
    port = free_port()  # closed now: nothing listens there
    start = time.monotonic()
    result = publish(runner, release_dir, f"http://127.0.0.1:{port}/store", "--retries", "2")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"127.0.0.1:{port}" in result.stderr
    assert "no answer" in result.stderr or "unreachable" in result.stderr.lower()
    assert result.stderr.count("\n") <= 2  # one clear message
    assert result.stdout == ""
    assert time.monotonic() - start < 15


def test_store_refusing_is_exit_1(runner, release_dir, recorder_factory):
    store = recorder_factory(403)
    result = publish(runner, release_dir, store.url)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "403" in result.stderr
    assert "refused" in result.stderr
    assert len(store.requests) == 1  # a refusal is not retried


def test_store_unauthorised_is_exit_1(runner, release_dir, recorder_factory):
    store = recorder_factory(401)
    result = publish(runner, release_dir, store.url)
    assert result.exit_code == 1, result.output
    assert "401" in result.stderr


def test_store_5xx_is_retried(runner, release_dir, recorder_factory):
    store = recorder_factory(503, 201)
    result = publish(runner, release_dir, store.url, "--retries", "3")
    assert result.exit_code == 0, result.output
    assert len(store.requests) == 2
    assert store.requests[0]["body"] == store.requests[1]["body"] == (release_dir / "cnipa-kg.nt").read_bytes()
    assert "2 attempt" in result.stdout


def test_publish_without_a_release_is_exit_2(runner, tmp_path, recorder_factory):
    store = recorder_factory(201)
    result = publish(runner, tmp_path, store.url)
    assert result.exit_code == 2
    assert "build" in result.stderr
    assert "Traceback" not in result.output
    assert store.requests == []


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/store", "127.0.0.1:7878/store", "file:///etc/passwd"])
def test_publish_to_a_bad_store_url_is_exit_2(runner, release_dir, url):
    result = publish(runner, release_dir, url)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "http" in result.stderr


def test_publish_requires_store(runner, release_dir):
    result = invoke(runner, "publish", "--data", release_dir)
    assert result.exit_code == 2
    assert "--store" in result.stderr


# -- regressions: time-outs, the URL's fragment and query, credentials, malformed URLs -------------------------


class SlowStore:
    """A store on 127.0.0.1 that accepts connections and reads the request, then never answers ("silent")
    or trickles an answer that never ends, a byte every 0.2 s ("trickle": no single read waits long)."""

    def __init__(self, mode: str) -> None:
        self.mode, self.connections, self.stop = mode, 0, threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/store"
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            self.threads.append(threading.Thread(target=self._serve, args=(conn,), daemon=True))
            self.threads[-1].start()

    def _serve(self, conn: socket.socket) -> None:
        answer = b"HTTP/1.1 201 Created\r\nX-Slow: " + b"a" * 100_000
        with conn:
            conn.settimeout(0.1)
            for sent in range(len(answer)):
                if self.stop.wait(0.2):
                    return
                try:
                    conn.recv(65536)  # drain the request
                except TimeoutError:
                    pass
                try:
                    if self.mode == "trickle":
                        conn.sendall(answer[sent:sent + 1])
                except OSError:
                    return

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=5)
        self.listener.close()


@pytest.fixture()
def slow_store():
    started: list[SlowStore] = []

    def make(mode: str) -> SlowStore:
        started.append(SlowStore(mode))
        return started[-1]

    yield make
    for store in started:
        store.close()


def publish_in_thread(release_dir, **kwargs) -> tuple[Exception | None, float, bool]:
    """The library's publish, in a thread so that a hang fails the test instead of hanging it: its error,
    the seconds it took, and whether it was still running after 10 s."""
    from cnipa_kg.publish import publish as run_publish

    outcome: list[Exception | None] = []

    def run() -> None:
        try:
            run_publish(release_dir, **kwargs)
            outcome.append(None)
        except Exception as exc:  # noqa: BLE001 - any error is the outcome the test checks
            outcome.append(exc)

    start = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=10)
    return (outcome[0] if outcome else None), time.monotonic() - start, thread.is_alive()


@pytest.mark.parametrize(("mode", "limits", "bound"), [
    ("trickle", {"timeout": 1, "retries": 1}, 3),  # held forever: the time-out was per socket read
    ("trickle", {"timeout": 30, "total_timeout": 1.5, "retries": 3}, 3.5),
    ("silent", {"timeout": 0.5, "retries": 20, "backoff": 0.2}, 3),  # retries held it for ever: now 2 × timeout
])
def test_publish_ends_at_its_deadline(release_dir, slow_store, mode, limits, bound):
    from cnipa_kg.publish import StoreUnreachable

    store = slow_store(mode)
    error, seconds, hung = publish_in_thread(release_dir, store=store.url, **limits)
    assert not hung, f"publish still running after 10 s against a {mode} store"
    assert store.connections >= 1
    assert isinstance(error, StoreUnreachable), repr(error)
    assert "timed out" in str(error) and "no answer" in str(error)
    assert seconds < bound


def test_publish_cli_times_out_in_one_line(runner, release_dir, slow_store):
    store = slow_store("silent")
    start = time.monotonic()
    result = publish(runner, release_dir, store.url, "--timeout", "0.5")  # 5 retries by default
    assert time.monotonic() - start < 4
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "timed out" in result.stderr and store.url in result.stderr


@pytest.mark.parametrize(("suffix", "query"), [
    ("#top", {"graph": [DATASET]}),
    ("?x=1#graph=y", {"x": ["1"], "graph": [DATASET]}),
    ("?x=%E4%B8%AD&y", {"x": ["中"], "y": [""], "graph": [DATASET]}),
])
def test_publish_sends_exactly_one_graph_parameter(runner, release_dir, recorder_factory, suffix, query):
    store = recorder_factory(201)
    result = publish(runner, release_dir, store.url + suffix)
    assert result.exit_code == 0, result.output
    split = urlsplit(store.requests[0]["path"])
    assert split.path == "/store"
    assert parse_qs(split.query, keep_blank_values=True) == query


@pytest.mark.parametrize("suffix", ["?graph=https://example.org/x", "?x=1&graph=", "?default"])
def test_publish_refuses_a_graph_in_the_store_url(runner, release_dir, recorder_factory, suffix):
    store = recorder_factory(201)
    result = publish(runner, release_dir, store.url + suffix)
    assert result.exit_code == 2, result.output
    assert "--graph" in result.stderr and result.stderr.count("\n") == 1
    assert store.requests == []


@pytest.mark.parametrize("netloc", ["alice:s3cret@127.0.0.1:{port}", "alice:s3cret@[::1",
                                    "alice:s3cr\u2101t@127.0.0.1", "alice:s3cret@127.0.0.1:99999"])
def test_publish_never_echoes_credentials(runner, release_dir, recorder_factory, netloc):
    store = recorder_factory(201)
    result = publish(runner, release_dir, f"http://{netloc.format(port=store.port)}/store")
    assert result.exit_code == 2, result.output
    assert "s3cr" not in result.output
    assert "alice:***@" in result.stderr
    assert "Traceback" not in result.output
    assert store.requests == []


def test_publish_refuses_credentials_in_the_url(runner, release_dir, recorder_factory):
    store = recorder_factory(201)
    result = publish(runner, release_dir, store.url.replace("//", "//alice:s3cret@"))
    assert result.exit_code == 2
    assert "CNIPA_KG_STORE_USER" in result.stderr  # where they go instead
    assert store.requests == []


@pytest.mark.parametrize("url", [
    "http://[::1", "http://[zz]:7878/store", "http://127.0.0.1:7878/my store", " http://127.0.0.1:7878/store",
    "http://127.0.0.1:7878/store\r\nX-Injected: 1", "http://127.0.0.1:7878/store\n", "http://127.0.0.1:7878/\x00",
    "gopher://127.0.0.1/store", "mailto:store@example.org", "HTTP//127.0.0.1/store", "",
    "http://127.0.0.1:99999/store", "http://127.0.0.1:0/store", "http://127.0.0.1:-1/store", "http://127.0.0.1:x/store",
    "http:///store", "http://a..b/store", f"http://{'a' * 64}.org/store",
])
def test_publish_bad_store_url_is_one_line_exit_2(runner, release_dir, url):
    result = publish(runner, release_dir, url)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "\r" not in result.stderr and "\x00" not in result.stderr


def test_a_named_graph_and_the_default_graph_together_are_refused(runner, release_dir):
    result = invoke(runner, "publish", "--data", release_dir, "--store", "http://127.0.0.1:9/store",
                    "--graph", "https://example.org/g", "--default-graph")
    assert result.exit_code == 2
    assert "not both" in result.output and "Published" not in result.output
