"""``create_app`` mounted inside another Starlette app (as rdflib-endpoint's router is): a SPARQL
query and a linked-data lookup through the parent app, whose startup never starts our workers."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from cnipa_kg.web.app import create_app


@pytest.fixture(scope="module")
def parent(release_dir):
    inner = create_app(release_dir, workers=1, query_timeout=20)
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("parent home")), Mount("/kg", app=inner)])
    with TestClient(app) as client:
        yield client, inner
        client.portal.call(inner.state.pool.stop)


def test_mounted_app_answers_a_sparql_query(parent):
    client, _ = parent
    r = client.get("/kg/sparql", params={"query": "SELECT (COUNT(?d) AS ?n) WHERE { ?d a ckg:Designation }"},
                   headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.text.split() == ["n", "110"]


def test_mounted_app_answers_a_post_query(parent):
    client, _ = parent
    r = client.post("/kg/sparql", content="ASK { <https://w3id.org/cnipa-kg/division/110108> ckg:adcode \"110108\" }",
                    headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert r.json()["boolean"] is True


def test_mounted_app_dereferences_an_iri_with_links_under_the_mount(parent):
    client, _ = parent
    r = client.get("/kg/division/110108", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert '"110108"' in r.text and "海淀区" in r.text
    page = client.get("/kg/division/110108", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert 'href="/kg/division/110000"' in page.text  # its parent, linked under the mount point
    assert 'href="/kg/assets/style.css"' in page.text


def test_parent_routes_still_answer(parent):
    client, _ = parent
    assert client.get("/").text == "parent home"
    assert client.get("/kg/dist/designations.csv").status_code == 200


# Issue 25 item 2: a plain script, no `if __name__ == "__main__"` guard, as a user writes one. Workers
# started by multiprocessing's spawn imported this __main__ again (the script ran a second time in each).
UNGUARDED_SCRIPT = """\
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from cnipa_kg.web.app import create_app

app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("host")), Mount("/kg", app=create_app(sys.argv[1]))])
print("host script started", flush=True)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def _workers_of(pid: int) -> list[int]:
    """Query worker processes whose server is ``pid`` (from their command lines, in /proc)."""
    import contextlib
    from pathlib import Path

    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            cmdline = (entry / "cmdline").read_bytes()
            if entry.name.isdigit() and b"cnipa_kg.web.query_process" in cmdline and f'"parent": {pid},'.encode() in cmdline:
                found.append(int(entry.name))
    return found


def test_an_unguarded_script_that_mounts_the_app_answers_queries(release_dir, tmp_path):
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx
    from test_server import free_port

    script = tmp_path / "host.py"
    script.write_text(UNGUARDED_SCRIPT, encoding="utf-8")
    port = free_port()
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)}
    host = subprocess.Popen([sys.executable, str(script), str(release_dir), str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert host.poll() is None, host.stdout.read()
            try:
                if httpx.get(base + "/", timeout=2).text == "host":
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the host script did not answer"
            time.sleep(0.2)
        r = httpx.get(base + "/kg/sparql", params={"query": "SELECT (COUNT(?d) AS ?n) WHERE { ?d a ckg:Designation }"},
                      headers={"Accept": "text/csv"}, timeout=60)
        assert r.status_code == 200, r.text
        assert r.text.split() == ["n", "110"]
        r = httpx.get(base + "/kg/division/110108", headers={"Accept": "text/turtle"}, timeout=30)
        assert r.status_code == 200 and '"110108"' in r.text
        assert _workers_of(host.pid)  # the queries ran in workers of this server
    finally:
        host.terminate()
        output = host.communicate(timeout=30)[0]
    assert output.count("host script started") == 1, output  # the script ran once: no worker re-ran it
    assert "Traceback" not in output, output
    deadline = time.monotonic() + 10
    while _workers_of(host.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _workers_of(host.pid)  # no worker outlives its server
