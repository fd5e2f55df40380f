"""The SPARQL query editor at /sparql in a real browser (Debian's headless Chromium driven by Playwright,
as in test_browser.py; never `playwright install`): the query in the address bar and that URL reopened,
the downloads, labels for IRIs, no console errors, no horizontal overflow on a phone.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from conftest import CHROMIUM, editor_text, set_query
from test_server import running_app

JS = Path(__file__).resolve().parents[1] / "src" / "cnipa_kg" / "web" / "assets" / "query.js"

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("no /usr/bin/chromium (install Debian's chromium; `make test` does)", allow_module_level=True)

DESIGNATIONS = """SELECT ?designation ?division ?adcode WHERE {
  ?designation a ckg:Designation ; ckg:designee ?division .
  ?division ckg:adcode ?adcode .
} ORDER BY ?designation"""
HAIDIAN_DESIGNATION = "/eli/notice/gzfyz/2022/33/annex/1/1"
CONSTRUCT = "CONSTRUCT { ?d ckg:designee ?x } WHERE { ?d ckg:designee ?x } LIMIT 3"


@pytest.fixture(scope="module")
def live(release_dir):
    with running_app(release_dir, query_timeout=10, workers=2) as server:
        yield server


def _open(browser, **options):
    context = browser.new_context(locale="zh-CN", accept_downloads=True, **options)
    pg = context.new_page()
    pg.console_messages = []
    pg.on("console", lambda m: pg.console_messages.append((m.type, m.text, m.location.get("url", ""))))
    pg.page_errors = []
    pg.on("pageerror", lambda e: pg.page_errors.append(str(e)))
    return context, pg


@pytest.fixture()
def new_page(browser):
    contexts = []

    def make(width: int = 1280, height: int = 900):
        context, pg = _open(browser, viewport={"width": width, "height": height})
        contexts.append(context)
        return pg

    try:
        yield make
    finally:
        for c in contexts:
            c.close()


def _clean(page) -> None:
    assert not page.page_errors, page.page_errors
    errors = [f"{text} ({url})" for kind, text, url in page.console_messages if kind in ("error", "warning")]
    assert not errors, errors


def _run(page) -> None:
    page.click("#run")
    page.locator("#status", has_text="Done").wait_for(timeout=20_000)


def _query_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["query"][0]


def _wait_labels(page) -> None:
    page.locator(f'table.results a[href="{HAIDIAN_DESIGNATION}"][data-labelled]').wait_for(timeout=20_000)


def test_a_named_query_runs_and_its_url_reopens_it(live, new_page):
    page = new_page()
    page.goto(f"{live.url}/sparql")
    assert page.locator("label[for=named]").count() == 1 and page.locator("label[for=query]").count() == 1
    page.select_option("#named", "pilot-cities")
    text = page.input_value("#query")
    assert "ckg:pilot" in text and editor_text(page) == text  # the editor shows what the form sends
    assert not page.is_visible("#copy-link")  # nothing to share yet
    _run(page)
    assert page.inner_text("#row-count").startswith("72 ")
    assert page.locator("table.results th[scope=col]").all_inner_texts() == ["serial", "name", "name_en", "adcode", "notice"]
    assert _query_of(page.url) == text  # the address bar carries the query
    assert urlsplit(page.url).path == "/sparql"
    assert page.is_visible("#copy-link")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.url)
    page.click("#copy-link")
    page.locator("#status", has_text="Link copied").wait_for()
    assert page.evaluate("() => navigator.clipboard.readText()") == page.url
    assert page.get_attribute("#status", "role") == "status"
    first_rows = page.locator("table.results tbody tr").all_inner_texts()
    _clean(page)

    again = new_page()
    again.goto(page.url)  # a browser GET of /sparql?query=…: the editor with the query and its answer
    assert editor_text(again) == text
    assert again.inner_text("#row-count").startswith("72 ")
    assert again.locator("table.results tbody tr").all_inner_texts() == first_rows
    again.locator("#named option[value=pilot-cities]").wait_for(state="attached")  # the examples are there too
    again.select_option("#named", "demonstration-cities")
    assert "ckg:demonstration" in editor_text(again)
    _run(again)
    assert _query_of(again.url) == editor_text(again)
    again.go_back()  # the previous query comes back with its answer
    again.locator("#status", has_text="Done").wait_for(timeout=20_000)
    assert editor_text(again) == text
    assert again.locator("table.results tbody tr").count() == 72
    _clean(again)


def test_the_downloads_are_the_same_query(live, new_page):
    page = new_page()
    page.goto(f"{live.url}/sparql")
    set_query(page, DESIGNATIONS)
    _run(page)
    formats = page.locator("#downloads a").evaluate_all("links => links.map(a => a.dataset.format)")
    assert {"csv", "json"} <= set(formats)
    href = page.get_attribute("#downloads a[data-format=csv]", "href")
    assert _query_of(href) == DESIGNATIONS and parse_qs(urlsplit(href).query)["format"] == ["csv"]
    response = page.request.get(live.url + href)
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    with page.expect_download() as info:
        page.click("#downloads a[data-format=csv]")
    content = Path(info.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == ["designation", "division", "adcode"]
    assert len(rows) == 111
    json_href = page.get_attribute("#downloads a[data-format=json]", "href")
    answer = page.request.get(live.url + json_href).json()
    assert answer["head"]["vars"] == ["designation", "division", "adcode"]
    _clean(page)


def test_iris_show_labels_and_link_to_this_server(live, new_page):
    page = new_page()
    page.goto(f"{live.url}/sparql")
    set_query(page, DESIGNATIONS)
    _run(page)
    _wait_labels(page)
    link = page.locator(f'table.results a[href="{HAIDIAN_DESIGNATION}"]')
    assert "海淀区" in link.inner_text() and "https://" not in link.inner_text()
    assert link.get_attribute("lang") == "zh"
    assert "Haidian" in link.locator("xpath=following-sibling::span[@class='en']").inner_text()
    division = page.locator('table.results a[href="/division/110108"]')
    assert "海淀" in division.inner_text()
    cells = page.locator("table.results tbody a").all_inner_texts()
    assert len(cells) == 220 and not [c for c in cells if c.startswith("http")]
    _clean(page)
    link.click()
    page.wait_for_url(f"{live.url}{HAIDIAN_DESIGNATION}")
    assert "海淀区" in page.inner_text("body")


def test_the_server_rendered_answer_is_labelled_too(live, new_page):
    page = new_page()
    page.goto(f"{live.url}/sparql?" + urlencode({"query": DESIGNATIONS}))
    assert page.input_value("#query").split() == DESIGNATIONS.split()
    _wait_labels(page)
    assert "海淀区" in page.locator(f'table.results a[href="{HAIDIAN_DESIGNATION}"]').inner_text()
    _clean(page)


def test_iris_without_a_label_are_short_names(live, new_page):
    page = new_page()
    page.goto(f"{live.url}/sparql")
    set_query(page, "SELECT ?x WHERE { VALUES ?x { ckg:noSuchTerm <https://w3id.org/cnipa-kg/no/such> "
                        "<https://example.org/x> ckg:Designation } }")
    _run(page)
    page.locator("table.results a[data-labelled]").first.wait_for(timeout=20_000)  # ckg:Designation's label
    texts = page.locator("table.results tbody td").all_inner_texts()
    assert texts[:3] == ["ckg:noSuchTerm", "/no/such", "<https://example.org/x>"]  # a CURIE, the page here, <iri>
    assert page.get_attribute('table.results a[data-iri="https://w3id.org/cnipa-kg/no/such"]', "href") == "/no/such"
    assert page.get_attribute('table.results a[data-iri="https://example.org/x"]', "href") == "https://example.org/x"
    _clean(page)


def test_a_construct_is_a_table_of_triples_with_graph_downloads(live, new_page):
    page = new_page()
    page.goto(f"{live.url}/sparql")
    set_query(page, CONSTRUCT)
    _run(page)
    assert page.inner_text("#row-count").startswith("3 ")
    assert page.locator("table.results th[scope=col]").count() == 3
    formats = page.locator("#downloads a").evaluate_all("links => links.map(a => a.dataset.format)")
    assert {"ttl", "nt"} <= set(formats)
    page.locator("table.results a[data-labelled]").first.wait_for(timeout=20_000)
    rows = page.locator("table.results tbody tr")
    assert rows.count() == 3
    assert rows.first.locator("td").nth(1).inner_text().startswith("被认定对象")  # the property's label
    assert not [t for t in page.locator("table.results a").all_inner_texts() if t.startswith("http")]
    nt = page.request.get(live.url + page.get_attribute("#downloads a[data-format=nt]", "href"))
    assert nt.ok and nt.headers["content-type"].startswith("application/n-triples")
    assert len(nt.text().strip().splitlines()) == 3
    _clean(page)


def test_an_ask_shows_the_answer(live, new_page):
    page = new_page()
    page.goto(f"{live.url}/sparql")
    set_query(page, "ASK { ?d a ckg:Designation }")
    _run(page)
    assert "true" in page.inner_text("#boolean")
    _clean(page)


def test_a_label_failure_leaves_the_results(live, new_page):
    page = new_page()
    is_labels = lambda request: request.method == "POST" and "VALUES ?iri" in (request.post_data or "")
    page.route("**/sparql", lambda route: route.abort() if is_labels(route.request) else route.continue_())
    page.goto(f"{live.url}/sparql")
    set_query(page, DESIGNATIONS)
    with page.expect_event("requestfailed", predicate=is_labels, timeout=20_000):
        _run(page)
    page.wait_for_timeout(200)
    assert page.locator("table.results tbody tr").count() == 110
    assert page.locator(f'table.results a[href="{HAIDIAN_DESIGNATION}"]').inner_text() == HAIDIAN_DESIGNATION
    assert page.locator("#status").inner_text().startswith("完成")
    assert not page.page_errors


WIDE = 'SELECT ?designation ?note WHERE { ?designation a ckg:Designation . BIND("%s" AS ?note) } LIMIT 5' % ("长" * 5 + "x" * 300)


def _fits(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    box = page.locator("#results .table-wrap")
    assert box.evaluate("el => getComputedStyle(el).overflowX") == "auto"  # a wide table scrolls in its box
    assert box.evaluate("el => el.getBoundingClientRect().right") <= 390
    assert page.locator("#query-editor").evaluate("el => el.getBoundingClientRect().right") <= 390


@pytest.mark.parametrize("opened", ["editor", "shared link"])
def test_no_horizontal_overflow_on_a_phone(live, new_page, opened):
    page = new_page(390, 844)
    if opened == "editor":
        page.goto(f"{live.url}/sparql")
        set_query(page, DESIGNATIONS)
        _run(page)
    else:
        page.goto(f"{live.url}/sparql?" + urlencode({"query": DESIGNATIONS}))
    _wait_labels(page)
    _fits(page)
    set_query(page, WIDE)  # a long word in a cell, a long line in the query
    _run(page)
    _fits(page)
    page.goto(page.url)  # the same, rendered by the server
    _fits(page)
    _clean(page)


def test_the_built_in_prefixes_are_the_endpoints():
    from cnipa_kg.core.vocab import PREFIXES

    js = JS.read_text(encoding="utf-8")
    for prefix, namespace in PREFIXES.items():
        assert f'{prefix}: "{namespace}"' in js, prefix


HOSTILE = "SELECT ?x WHERE { VALUES ?x { <javascript:alert(1)> <data:text/html,hi> <mailto:a@example.org> } }"


def test_an_iri_that_would_run_is_text_not_a_link(live, new_page):
    """Issue 24: a result IRI javascript:… (or data:…) was a clickable link; only http(s), mailto and ours are."""
    page = new_page()
    page.goto(f"{live.url}/sparql")
    set_query(page, HOSTILE)
    _run(page)
    hrefs = page.locator("table.results a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["mailto:a@example.org"], hrefs
    assert page.locator("table.results span.iri").all_inner_texts() == ["<javascript:alert(1)>", "<data:text/html,hi>"]
    page.goto(f"{live.url}/sparql?" + urlencode({"query": HOSTILE}))  # the server-rendered answer: the same
    hrefs = page.locator("table.results a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert not any(h.lower().startswith(("javascript:", "data:")) for h in hrefs), hrefs
    _clean(page)


# -- the editor (CodeMirror 6, assets/editor.js, bundled from editor/) ---------------------------------


def _completions(page) -> list[str]:
    """The labels of the open completion list (the first 40)."""
    page.locator("#query-editor .cm-tooltip-autocomplete li").first.wait_for(timeout=5_000)
    return page.locator("#query-editor .cm-tooltip-autocomplete li .cm-completionLabel").all_inner_texts()[:40]


def _type_at_end(page, text: str) -> None:
    page.click("#query-editor .cm-content")
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def _colour(page, text: str) -> str:
    return page.locator("#query-editor .cm-line span", has_text=text).first.evaluate("el => getComputedStyle(el).color")


def test_the_editor_stands_in_for_the_textarea(live, new_page):
    page = new_page()
    page.goto(f"{live.url}/sparql")
    page.locator("#query-editor[data-ready]").wait_for()
    assert not page.is_visible("#query") and page.is_visible("#query-editor .cm-content")
    assert editor_text(page) == page.input_value("#query")
    content = page.locator("#query-editor .cm-content")
    assert content.get_attribute("role") == "textbox" and "Query" in content.get_attribute("aria-label")
    page.click("label[for=query]")  # the label focuses the editor
    assert content.evaluate("el => el.getRootNode().activeElement === el")
    set_query(page, DESIGNATIONS)
    assert page.input_value("#query") == DESIGNATIONS  # what the form sends follows every edit
    assert page.input_value("#named") == ""  # no example is that text any more
    page.select_option("#named", "demonstration-cities")  # an example replaces the editor's text
    assert "ckg:demonstration" in editor_text(page) and editor_text(page) == page.input_value("#query")
    page.keyboard.press("Control+Enter")  # in the editor: Ctrl+Enter runs it (the focus stayed in the editor)
    page.locator("#status", has_text="Done").wait_for(timeout=20_000)
    assert page.inner_text("#row-count").startswith("38 ")
    page.click("#query-editor .cm-content")
    page.keyboard.press("Tab")  # Tab leaves the editor: no keyboard trap
    assert page.evaluate("() => document.activeElement.id") != "query-editor"
    assert "\t" not in page.input_value("#query")
    _clean(page)


def test_sparql_is_highlighted(live, new_page):
    page = new_page()
    page.goto(f"{live.url}/sparql")
    set_query(page, 'SELECT ?label WHERE { ckg:demonstration rdfs:label ?label } # a comment')
    keyword, variable, name, comment = (_colour(page, t) for t in ("SELECT", "?label", "ckg:", "# a comment"))
    plain = page.locator("#query-editor .cm-content").evaluate("el => getComputedStyle(el).color")
    assert len({keyword, variable, comment, plain}) == 4, (keyword, variable, comment, plain)
    assert name != plain
    _clean(page)


def test_brackets_are_matched_and_closed(live, new_page):
    page = new_page()
    page.goto(f"{live.url}/sparql")
    set_query(page, "SELECT * WHERE { ?s ?p ?o }")
    page.keyboard.press("End")  # after the closing brace: it and its opening brace are marked
    marked = page.locator("#query-editor .cm-matchingBracket").all_inner_texts()
    assert sorted(marked) == ["{", "}"], marked
    set_query(page, "SELECT * WHERE { ?s ?p ?o ]")
    page.keyboard.press("End")
    assert page.locator("#query-editor .cm-nonmatchingBracket").count() >= 1
    set_query(page, "")
    page.keyboard.type("FILTER(")  # an opening bracket brings its closing one
    assert page.input_value("#query") == "FILTER()"
    page.keyboard.type('"x')
    assert page.input_value("#query") == 'FILTER("x")'
    page.keyboard.press("Control+a")
    page.keyboard.type("(")  # a bracket typed over a selection wraps it
    assert page.input_value("#query") == '(FILTER("x"))'
    page.keyboard.press("Control+a")
    page.keyboard.type("x")  # typing over a selection replaces it (in the editor, not the browser: no CSP error)
    assert page.input_value("#query") == "x"
    _clean(page)


def _pick(page, label: str) -> None:
    """Click the completion whose label is exactly ``label``."""
    page.locator("#query-editor .cm-tooltip-autocomplete li",
                 has=page.locator(".cm-completionLabel", has_text=label)).filter(
        has_text=label).locator(".cm-completionLabel").get_by_text(label, exact=True).click()


def test_prefixes_terms_and_variables_are_completed(live, new_page):
    page = new_page()
    page.goto(f"{live.url}/sparql")
    set_query(page, "SELECT ?d ?division WHERE {\n  ?d a ")
    _type_at_end(page, "sko")
    assert "skos:" in _completions(page)  # a prefix the endpoint declares
    page.keyboard.press("Enter")  # the prefix, and at once the terms of its namespace the data uses
    assert "prefLabel" in _completions(page)
    page.keyboard.press("Escape")
    set_query(page, "SELECT ?d ?division WHERE {\n  ?d a ")
    _type_at_end(page, "ckg:Desig")
    assert {"Designation", "Designee", "designee"} <= set(_completions(page))  # classes and properties of ckg:
    item = page.locator("#query-editor .cm-tooltip-autocomplete li").filter(
        has=page.get_by_text("Designation", exact=True))
    assert item.locator(".cm-completionDetail").inner_text() == "designation"  # with its label
    _pick(page, "Designation")
    assert page.input_value("#query").endswith("?d a ckg:Designation")
    page.keyboard.type(" ; ckg:designationLev")
    assert "designationLevel" in _completions(page)
    detail = page.locator("#query-editor .cm-tooltip-autocomplete li").filter(
        has=page.get_by_text("designationLevel", exact=True)).locator(".cm-completionDetail").inner_text()
    assert "deprecated" in detail  # the ontology deprecates it: the list says so
    page.keyboard.press("Escape")
    for _ in "designationLev":
        page.keyboard.press("Backspace")
    page.keyboard.type("adc")
    assert "adcode" in _completions(page)
    _pick(page, "adcode")
    page.keyboard.type(" ?")  # the query's variables
    assert set(_completions(page)) == {"d", "division"}
    _pick(page, "division")
    page.keyboard.type(" }")
    assert page.input_value("#query") == "SELECT ?d ?division WHERE {\n  ?d a ckg:Designation ; ckg:adcode ?division }"
    page.click("#run")
    page.locator("#status", has_text="Done").wait_for(timeout=20_000)
    _clean(page)


def test_completion_knows_prefix_lines_and_leaves_strings_alone(live, new_page):
    page = new_page()
    page.goto(f"{live.url}/sparql")
    set_query(page, "")
    page.keyboard.type("PREFIX ck")  # a PREFIX line: the endpoint's namespace offered
    assert "ckg:" in _completions(page)
    page.keyboard.press("Enter")
    assert page.input_value("#query") == "PREFIX ckg: <https://w3id.org/cnipa-kg/def#>"
    set_query(page, "PREFIX my: <https://w3id.org/cnipa-kg/def#>\nSELECT * WHERE { ?s my:ad")
    page.keyboard.press("Control+Space")  # a prefix of the query's own: the terms of its namespace
    assert "adcode" in _completions(page)
    page.keyboard.press("Escape")
    set_query(page, 'SELECT * WHERE { ?s rdfs:label "ckg:ad')
    page.keyboard.press("Control+Space")  # inside a string: nothing to complete
    page.wait_for_timeout(300)  # the list would be open by now (it opens at once on an explicit request)
    assert page.locator("#query-editor .cm-tooltip-autocomplete").count() == 0
    set_query(page, "SELECT * WHERE { ?s no:ad")
    page.keyboard.press("Control+Space")  # an undeclared prefix: no guesses
    page.wait_for_timeout(300)
    assert page.locator("#query-editor .cm-tooltip-autocomplete").count() == 0
    _clean(page)
