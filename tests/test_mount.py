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
