"""Issue 24, item 6: hostile input found by an adversarial run — IRIs that would run as links, a
``--sparql javascript:`` URL in every static page (which had no CSP), and ``?on=`` forms the server took
but site.js did not. 18 of these tests failed on the commit before the fix; the five others (2024-02-30, 2024-1-1,
+2024-01-01 and a time were already refused, a day is taken) are guards."""

from __future__ import annotations

import httpx
import pytest
from conftest import invoke
from test_server import running_app

from cnipa_kg.web.pages import Links

BASE = "https://w3id.org/cnipa-kg/"


@pytest.mark.parametrize("iri", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>", "vbscript:x",
                                 "file:///etc/passwd"])
def test_an_iri_that_may_not_be_a_link_gets_no_href(iri):
    for links in (Links(BASE), Links(BASE, page="division/110108.html")):
        assert not links.linkable(iri) and links.href(iri) == "#"


@pytest.mark.parametrize("iri", ["https://www.wikidata.org/wiki/Q1", "http://example.org/x", "mailto:a@example.org"])
def test_http_and_mailto_iris_stay_links(iri):
    assert Links(BASE).linkable(iri) and Links(BASE).href(iri) == iri


@pytest.fixture(scope="module")
def live(release_dir):
    with running_app(release_dir, query_timeout=10, workers=1) as server:
        yield server


def test_the_server_renders_a_javascript_iri_as_text(live):
    query = "SELECT ?x WHERE { VALUES ?x { <javascript:alert(1)> <https://example.org/ok> } }"
    page = httpx.get(f"{live.url}/sparql", params={"query": query}, headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200
    assert 'href="javascript:' not in page.text.lower() and "&lt;javascript:alert(1)&gt;" in page.text
    assert 'href="https://example.org/ok"' in page.text


@pytest.mark.parametrize("on", ["19900101", "2024-W01-1", "2024-02-30", "2024-1-1", "+2024-01-01", "2024-01-01T00:00"])
def test_on_takes_exactly_yyyy_mm_dd(live, on):
    answer = httpx.get(f"{live.url}/division/110108", params={"on": on}, headers={"Accept": "text/html"}, timeout=30)
    assert answer.status_code == 400 and "YYYY-MM-DD" in answer.text, (on, answer.status_code)


def test_on_a_day_is_taken(live):
    answer = httpx.get(f"{live.url}/division/110108", params={"on": "2024-01-01"}, headers={"Accept": "text/html"}, timeout=30)
    assert answer.status_code == 200 and "2024-01-01" in answer.text


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "/sparql", "https://", "ftp://example.org/q",
                                 'https://example.org/"><script>x</script>'])
def test_site_refuses_a_sparql_url_that_is_not_http(runner, release_dir, tmp_path, url):
    result = invoke(runner, "site", "--data", release_dir, "--out", tmp_path / "site", "--sparql", url)
    assert result.exit_code == 2 and "--sparql" in result.output and "http(s)" in result.output, result.output
    assert not (tmp_path / "site").exists()


def test_static_pages_carry_a_content_security_policy(runner, release_dir, tmp_path):
    out = tmp_path / "site"
    result = invoke(runner, "site", "--data", release_dir, "--out", out, "--sparql", "https://example.org/sparql", "-q")
    assert result.exit_code == 0, result.output
    pages = [out / "index.html", out / "division" / "110108.html", out / "search.html"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert '<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;self&#39;' in text \
            or "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self'" in text, page
        assert 'href="https://example.org/sparql"' in text
