"""The site as a visitor uses it, in a real browser (Debian's headless Chromium driven by Playwright, as in
test_browser.py; never `playwright install`), on the server AND on the static site (``cnipa-kg site``)
served by a plain static file server:

* the journey home -> header search -> division (its status on a date) -> designation -> notice;
* the map's points lead to division pages;
* no horizontal overflow on a phone (390 px) and no console or page errors;
* accessibility: axe-core (axe-playwright-python ships it inside its wheel: no network) finds nothing
  "serious" or "critical";
* every link and asset of the static site resolves on the static server (crawled with urllib, not the browser).

One server, one static site and one browser for the whole module. The static site is served from the
folder *above* it (at ``/site/``), so a link that is not relative, or that climbs out of the site, is found.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from conftest import CHROMIUM
from test_server import free_port, running_app

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("no /usr/bin/chromium (install Debian's chromium; `make test` does)", allow_module_level=True)

NOTICE = "eli/notice/gzfyz/2022/33"
HAIDIAN = "division/110108"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
STATUS = {"2023-01-01": ("进行中", "active"), "2026-01-01": ("已结束", "ended")}


# -- the two sites -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """A site under test: ``url(path)`` gives the address of a page named like the server's (``division/110108``)."""

    kind: str  # "server" or "static"
    root: str  # ends with "/"

    def url(self, path: str = "", query: str = "") -> str:
        if self.kind == "static":
            path = "index.html" if path == "" else path if path.endswith(".html") else f"{path}.html"
        return self.root + path + (f"?{query}" if query else "")


@pytest.fixture(scope="module")
def server(release_dir):
    with running_app(release_dir, query_timeout=10, workers=2) as live:
        yield Site("server", live.url + "/")


@pytest.fixture(scope="module")
def static_dir(release_dir, tmp_path_factory) -> Path:
    from cnipa_kg.sitegen.writer import write_site

    out = tmp_path_factory.mktemp("static") / "site"
    write_site(release_dir, out)
    return out


@pytest.fixture(scope="module")
def static(static_dir, request):
    """``python -m http.server`` on the folder holding the site: the site is at ``/site/``."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory",
                             str(static_dir.parent), str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop():
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    request.addfinalizer(stop)
    root = f"http://127.0.0.1:{port}/{static_dir.name}/"
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the static server stopped (exit {proc.returncode}); port {port} taken?")
        with contextlib.suppress(OSError), urllib.request.urlopen(root + "index.html", timeout=5) as r:
            if r.status == 200:
                break
        if time.monotonic() > deadline:
            raise RuntimeError("the static server did not answer within 30 s")
        time.sleep(0.1)
    return Site("static", root)


@pytest.fixture(params=["server", "static"])
def site(request):
    return request.getfixturevalue(request.param)


# -- the browser -------------------------------------------------------------------------------------


@contextlib.contextmanager
def new_page(browser, viewport=DESKTOP):
    """A page in a fresh context, collecting console errors and uncaught exceptions in ``page.errors``."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(f"console: {m.text} @ {m.location.get('url')}"))
    page.on("pageerror", lambda e: page.errors.append(f"pageerror: {e}"))
    try:
        yield page
    finally:
        context.close()


@pytest.fixture()
def page(browser):
    with new_page(browser) as pg:
        yield pg


def open_url(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    page.wait_for_load_state("networkidle")


# -- the journey -------------------------------------------------------------------------------------


def serials(table) -> list[str]:
    return [t.strip() for t in table.locator("tbody tr td:first-child").all_inner_texts()]


def search_and_open_haidian(site, page, query: str) -> None:
    """Home -> type ``query`` into the header search box -> click the 海淀区 hit of its dropdown."""
    open_url(page, site.url())
    page.fill("input#site-q", query)
    hit = page.locator("form.search ul.hits").get_by_role("link", name="海淀区", exact=True)
    hit.first.wait_for(state="visible", timeout=10_000)
    with page.expect_navigation() as nav:
        hit.first.click()
    assert nav.value.status == 200
    assert page.url == site.url(HAIDIAN)
    assert page.inner_text("h1") == "海淀区"
    assert page.locator(".status").count() >= 1
    assert not page.errors, page.errors


@pytest.mark.parametrize("query", ["海淀", "Hǎidiàn", "110108"])
def test_search_box_finds_haidian(site, page, query):
    search_and_open_haidian(site, page, query)


def test_journey_search_division_designation_notice(site, page):
    search_and_open_haidian(site, page, "haidian")

    for on, (zh, en) in STATUS.items():
        open_url(page, site.url(HAIDIAN, f"on={on}"))
        badge = page.locator("ol.timeline .status").first
        assert badge.inner_text().split() == [zh, en], (on, badge.inner_text())  # static: computed by site.js
        assert page.inner_text("time.on") == on

    with page.expect_navigation() as nav:
        page.locator('ol.timeline a[href*="/annex/"]').first.click()
    assert nav.value.status == 200
    assert page.url == site.url(f"{NOTICE}/annex/1/1")
    assert page.inner_text("h1")
    assert "海淀区" in page.inner_text("dl.facts")

    with page.expect_navigation() as nav:
        page.locator("dl.facts a", has_text="国知发运字〔2022〕33号").first.click()
    assert nav.value.status == 200
    assert page.url == site.url(NOTICE)
    tables = page.locator("section.annex table.designations")
    assert tables.count() == 2
    assert serials(tables.nth(0)) == [str(i) for i in range(1, 39)]
    assert serials(tables.nth(1)) == [str(i) for i in range(1, 73)]
    # the serial links to its designation
    first = tables.nth(0).locator("tbody tr td:first-child a").first
    assert first.get_attribute("href") in ("/eli/notice/gzfyz/2022/33/annex/1/1", "33/annex/1/1.html")
    assert not page.errors, page.errors


# -- the map -----------------------------------------------------------------------------------------


def test_map_points_lead_to_division_pages(site, page):
    open_url(page, site.url())
    points = page.locator("figure.map a.pt")
    assert points.count() >= 100
    harbin = "/division/230100" if site.kind == "server" else "division/230100.html"  # an isolated point
    point = page.locator(f'figure.map a.pt[href="{harbin}"]')
    assert point.count() == 1
    with page.expect_navigation() as nav:
        point.click()
    assert nav.value.status == 200
    assert page.url == site.url("division/230100")
    assert page.inner_text("h1") == "哈尔滨市"
    assert not page.errors, page.errors


# -- a phone: no horizontal overflow, no errors ------------------------------------------------------

SERVER_PAGES = ["", NOTICE, HAIDIAN, "division/110000", f"{NOTICE}/annex/1/1", "search?q=haidian", "sparql",
                "def", "dataset"]
STATIC_PAGES = ["", NOTICE, HAIDIAN]
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                        + ' right=' + Math.round(e.getBoundingClientRect().right))"""


def check_phone(browser, url: str) -> None:
    with new_page(browser, PHONE) as page:
        open_url(page, url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (url, width, page.evaluate(WIDEST))
        # an icon of its own, or the browser asks for /favicon.ico (a 404 and a console error, on its first visit)
        assert page.locator('link[rel~="icon"]').count() >= 1, f"{url} declares no icon"
        assert not page.errors, (url, page.errors)


@pytest.mark.parametrize("path", SERVER_PAGES)
def test_phone_server(server, browser, path):
    check_phone(browser, server.root + path)
    if path.startswith("search"):
        with new_page(browser, PHONE) as page:
            open_url(page, server.root + path)
            assert "海淀区" in page.inner_text("main")  # a search with results


@pytest.mark.parametrize("path", STATIC_PAGES)
def test_phone_static(static, browser, path):
    check_phone(browser, static.url(path))


# -- accessibility (axe-core) ------------------------------------------------------------------------

AXE_PAGES = [pytest.param("", id="home"), pytest.param(NOTICE, id="notice"), pytest.param(HAIDIAN, id="division"),
             pytest.param("division/110000", id="province"), pytest.param("def", id="ontology"),
             pytest.param(f"{NOTICE}/annex/1/1", id="designation"),
             pytest.param("search?q=haidian", id="search"), pytest.param("sparql", id="sparql")]


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.mark.parametrize("path", AXE_PAGES)
def test_axe_finds_nothing_serious(server, page, axe, path):
    open_url(page, server.root + path)
    results = axe.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    report = "\n".join(f"{v['id']} ({v['impact']}): {v['help']} — "
                       + "; ".join(f"{n['target']} {n['html'][:160]}" for n in v["nodes"][:5]) for v in bad)
    assert not bad, f"{path or '/'}:\n{report}"


# -- every link of the static site resolves ----------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action") and value:
                self.found.append(value)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect (e.g. a link to a folder) is not a page
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _fetch(url: str) -> tuple[int, str | None]:
    """(status, body if HTML) of a GET."""
    try:
        with _OPENER.open(url, timeout=30) as r:
            html = r.headers.get_content_type() == "text/html"
            body = r.read()
            return r.status, body.decode("utf-8") if html else None
    except urllib.error.HTTPError as e:
        return e.code, None


def test_every_link_of_the_static_site_resolves(static):
    root = urlsplit(static.root)
    origin = f"{root.scheme}://{root.netloc}"
    start = static.url()
    seen, broken, frontier, pages = {start}, [], [start], 0
    escaped: list[tuple[str, str]] = []
    with ThreadPoolExecutor(max_workers=16) as pool:
        while frontier:
            following = []
            for url, (status, body) in zip(frontier, pool.map(_fetch, frontier)):
                if status != 200:
                    broken.append((url, status))
                    continue
                if body is None:
                    continue
                pages += 1
                parser = _Links()
                parser.feed(body)
                for link in parser.found:
                    target = urldefrag(urljoin(url, link))[0]
                    if not target.startswith(origin + "/"):
                        continue  # another host (w3id.org, wikidata, …) or a scheme like mailto:
                    path = urlsplit(target).path
                    if not path.startswith(root.path):
                        escaped.append((url, link))
                        continue
                    if not urlsplit(link).scheme:  # relative: it must not climb above the site
                        inside = posixpath.normpath(posixpath.join(posixpath.dirname(urlsplit(url).path),
                                                                   urlsplit(link).path or "."))
                        if not inside.startswith(root.path.rstrip("/")):
                            escaped.append((url, link))
                            continue
                    if target not in seen:
                        seen.add(target)
                        following.append(target)
            frontier = following
    assert not escaped, f"{len(escaped)} links leave the site, e.g. {escaped[:10]}"
    assert not broken, f"{len(broken)} of {len(seen)} links do not answer 200, e.g. {broken[:10]}"
    assert pages >= 700, pages  # every resource has a page
    assert len(seen) >= 2000, len(seen)


@pytest.mark.parametrize("on", ["2024-02-30", "19900101", "2024-W01-1"])
def test_a_date_that_is_not_a_day_is_not_taken_by_the_static_pages(static, page, on):
    """Issue 24: site.js reads ?on= exactly as the server does (which answers these 400): not a day → today."""
    import datetime

    open_url(page, static.url(HAIDIAN, f"on={on}"))
    shown = page.inner_text("time.on")
    assert shown != on and shown == page.evaluate(
        "(() => { var d = new Date(); return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + "
        "String(d.getDate()).padStart(2, '0'); })()"), shown
    assert datetime.date.fromisoformat(shown)


# -- tables that read (issue 24): no word broken, codes on one line, a sane height --------------------------

LAYOUT = r"""() => {
  const lines = (node, start, end) => { const r = document.createRange(); r.setStart(node, start); r.setEnd(node, end);
    return new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top))).size; };
  const textNodes = el => { const out = [], w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    while (w.nextNode()) { if (w.currentNode.textContent.trim()) out.push(w.currentNode); } return out; };
  const bad = [];
  document.querySelectorAll("table td.code").forEach(td => textNodes(td).forEach(n => {
    if (lines(n, 0, n.length) > 1) bad.push("code on two lines: " + n.textContent); }));
  document.querySelectorAll("table.designations td").forEach(td => textNodes(td).forEach(n => {
    const text = n.textContent;
    if (/[\u4e00-\u9fff]/.test(text) && !/\s/.test(text.trim())) {       // a Chinese name or tier: one line
      const s = text.indexOf(text.trim());
      if (lines(n, s, s + text.trim().length) > 1) bad.push("name split: " + text.trim());
    } else {
      for (const m of text.matchAll(/\S+/g)) {                          // every latin word on one line
        if (lines(n, m.index, m.index + m[0].length) > 1) bad.push("word split: " + m[0]);
      }
    }
  }));
  return {bad: bad.slice(0, 10), height: document.documentElement.scrollHeight,
          rows: document.querySelectorAll("table.designations tbody tr").length};
}"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
@pytest.mark.parametrize("path", ["", NOTICE, f"{NOTICE}/annex/2"], ids=["home", "notice", "annex"])
def test_tables_keep_words_and_codes_whole(site, browser, viewport, path):
    with new_page(browser, viewport) as page:
        open_url(page, site.url(path))
        got = page.evaluate(LAYOUT)
        assert got["rows"] > 0 and not got["bad"], (path, viewport, got["bad"])
        # a row is a line or two (name and its English): the 110 rows of the home page were ~54,000 px at 390 px
        assert got["height"] <= 2500 + 80 * got["rows"], (path, viewport, got["height"], got["rows"])
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]  # the table scrolls, not the page
        assert not page.errors, page.errors
