"""A real browser (headless Debian Chromium driven by Playwright) on the running server: home page ->
notice page -> query page, a named query and a SELECT of all designations run with the Run button.

Screenshots are saved under the test's tmp dir. Skipped only when /usr/bin/chromium is missing
outside CI (`make test` installs it; in CI a missing browser fails the test).
"""

from __future__ import annotations

import os

import pytest
from conftest import CHROMIUM, editor_text, set_query
from test_server import running_app

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("no /usr/bin/chromium (install Debian's chromium; `make test` does)", allow_module_level=True)

ALL_DESIGNATIONS = """SELECT ?designation ?name ?adcode WHERE {
  ?designation a ckg:Designation ; ckg:designee ?division .
  ?division ckg:adcode ?adcode ; skos:prefLabel ?name . FILTER(lang(?name) = "zh")
} ORDER BY ?designation"""


@pytest.fixture(scope="module")
def live(release_dir):
    with running_app(release_dir, query_timeout=10, workers=2) as server:
        yield server


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.console_messages = []
    pg.on("console", lambda m: pg.console_messages.append(f"{m.type}: {m.text}"))
    pg.page_errors = []
    pg.on("pageerror", lambda e: pg.page_errors.append(str(e)))
    try:
        yield pg
    finally:
        context.close()


def _no_csp_violations(page) -> None:
    assert not page.page_errors, page.page_errors
    violations = [m for m in page.console_messages if "Content Security Policy" in m or "Refused to" in m]
    assert not violations, violations


def test_home_to_notice_to_query_page(live, page, tmp_path):
    page.goto(f"{live.url}/")
    assert "110 项认定 designations" in page.inner_text("body")
    page.screenshot(path=str(tmp_path / "1-home.png"), full_page=True)

    page.click("text=国知发运字〔2022〕33号")
    page.wait_for_url(f"{live.url}/eli/notice/gzfyz/2022/33")
    body = page.inner_text("body")
    assert "国家知识产权局" in body
    assert page.locator('a[href^="/division/"]').count() >= 110
    page.screenshot(path=str(tmp_path / "2-notice.png"), full_page=True)

    page.click("header >> text=SPARQL")
    page.wait_for_url(f"{live.url}/sparql")
    assert page.locator("#named option").count() >= 5
    assert page.input_value("#query").strip()
    page.screenshot(path=str(tmp_path / "3-query-page.png"), full_page=True)
    _no_csp_violations(page)
    for name in ("1-home.png", "2-notice.png", "3-query-page.png"):
        assert (tmp_path / name).stat().st_size > 1000


def test_named_query_pilot_cities(live, page, tmp_path):
    page.goto(f"{live.url}/sparql")
    page.select_option("#named", "pilot-cities")
    assert "ckg:pilot" in page.input_value("#query")
    page.click("#run")
    page.wait_for_selector("#row-count", timeout=20_000)
    assert page.inner_text("#row-count").startswith("72 ")
    assert page.locator("table.results tr").count() == 73  # header + 72
    assert "110108" not in page.inner_text("table.results")  # 海淀区 is a demonstration city
    page.screenshot(path=str(tmp_path / "pilot-cities.png"), full_page=True)
    _no_csp_violations(page)


def test_select_all_110_designations(live, page, tmp_path):
    page.goto(f"{live.url}/sparql")
    set_query(page, ALL_DESIGNATIONS)
    page.click("#run")
    page.wait_for_selector("#row-count", timeout=20_000)
    assert page.inner_text("#row-count").startswith("110 ")
    rows = page.locator("table.results tr")
    assert rows.count() == 111  # header + 110
    assert page.locator("table.results th").all_inner_texts() == ["designation", "name", "adcode"]
    table = page.inner_text("table.results")
    assert "海淀区" in table and "110108" in table
    page.screenshot(path=str(tmp_path / "all-designations.png"), full_page=True)
    # IRIs in the table are links on this server: follow one
    page.click('table.results a[href="/eli/notice/gzfyz/2022/33/annex/1/1"]')
    page.wait_for_url(f"{live.url}/eli/notice/gzfyz/2022/33/annex/1/1")
    assert "海淀区" in page.inner_text("body")
    _no_csp_violations(page)


def test_a_malformed_query_shows_the_error(live, page):
    page.goto(f"{live.url}/sparql")
    set_query(page, "SELECT ?x WHERE {")
    page.click("#run")
    # a locator wait, not wait_for_function: evaluating a string in the page breaks our CSP (no 'unsafe-eval')
    page.locator("#status", has_text="400").wait_for(timeout=20_000)
    assert "malformed query" in page.inner_text("#status")
    assert page.locator("#row-count").count() == 0
