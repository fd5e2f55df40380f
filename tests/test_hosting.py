"""One table of requests against `cnipa-kg serve`, Debian's nginx and Debian's Apache httpd serving the
static site with the configuration `cnipa-kg site` writes (tests/webservers.py starts them as a
publisher would install them). Each row says what every server must answer; where a static server
cannot do what `serve` does, the row names the server and the README's hosting section says why."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import rdflib
from test_server import running_app
from webservers import apache, nginx

HAIDIAN = "division/110108"
NOTICE = "eli/notice/gzfyz/2022/33"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
RDFLIB_FORMAT = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
                 "application/rdf+xml": "xml"}


@dataclass(frozen=True)
class Ask:
    path: str
    accept: str | None  #: None: no Accept header
    status: int
    media: str | None  #: the media type (without parameters); None: any
    differs: dict[str, tuple[int, str | None]] = field(default_factory=dict)  #: server -> (status, media) where it differs

    def expected(self, server: str) -> tuple[int, str | None]:
        return self.differs.get(server, (self.status, self.media))

    def __str__(self) -> str:
        return f"{self.path or '/'} [{self.accept}]"


TABLE = [
    # every format by Accept, q-values honoured, RDF/XML included
    Ask(HAIDIAN, None, 200, "text/html"),
    Ask(HAIDIAN, BROWSER, 200, "text/html"),
    Ask(HAIDIAN, "*/*", 200, "text/html"),
    Ask(HAIDIAN, "text/turtle", 200, "text/turtle"),
    Ask(HAIDIAN, "application/ld+json", 200, "application/ld+json"),
    Ask(HAIDIAN, "application/n-triples", 200, "application/n-triples"),
    Ask(HAIDIAN, "application/rdf+xml", 200, "application/rdf+xml"),
    Ask(HAIDIAN, "application/json", 200, "application/ld+json"),
    Ask(HAIDIAN, "text/plain", 200, "application/n-triples"),
    Ask(HAIDIAN, "text/turtle;q=0, text/html", 200, "text/html"),
    Ask(HAIDIAN, "text/turtle;q=0, */*", 200, "text/html"),
    Ask(HAIDIAN, "text/html;q=0.1, text/turtle;q=0.9", 200, "text/turtle"),
    Ask(HAIDIAN, "text/turtle;q=0.5, application/ld+json", 200, "application/ld+json"),
    Ask(HAIDIAN, "application/rdf+xml;q=0.9, text/html;q=0.2", 200, "application/rdf+xml"),
    Ask(HAIDIAN, "text/*;q=0.9, application/ld+json;q=0.8", 200, "text/html"),
    Ask(HAIDIAN, "text/turtle, application/rdf+xml", 200, "text/turtle"),
    # equal q: serve and nginx take the type the client lists first, Apache the server's order
    Ask(HAIDIAN, "application/ld+json, text/turtle", 200, "application/ld+json",
        differs={"apache": (200, "text/turtle")}),
    # no q-value anywhere: Apache counts */* as 0.01 (its rule for old browsers), serve and nginx as 1
    Ask(HAIDIAN, "*/*, text/turtle", 200, "text/html", differs={"apache": (200, "text/turtle")}),
    Ask(HAIDIAN, "image/png", 406, None),
    Ask(HAIDIAN, "text/html;q=0, application/xml", 406, None),
    # by suffix, whatever the Accept
    Ask(f"{HAIDIAN}.ttl", None, 200, "text/turtle"),
    Ask(f"{HAIDIAN}.jsonld", "text/html", 200, "application/ld+json"),
    Ask(f"{HAIDIAN}.nt", None, 200, "application/n-triples"),
    Ask(f"{HAIDIAN}.rdf", None, 200, "application/rdf+xml"),
    Ask(f"{HAIDIAN}.html", "text/turtle", 200, "text/html"),
    # other kinds of resource: a notice (also a folder of annexes), the dataset, a download's description
    Ask(NOTICE, "text/turtle", 200, "text/turtle"),
    Ask(NOTICE, None, 200, "text/html"),
    Ask(f"{NOTICE}/annex/1", "application/ld+json", 200, "application/ld+json"),
    Ask("dataset", "application/n-triples", 200, "application/n-triples"),
    Ask("def", "text/turtle", 200, "text/turtle"),
    Ask("def", None, 200, "text/html"),
    # the site's own files
    Ask("", None, 200, "text/html"),
    Ask(".well-known/void", None, 200, "text/turtle"),
    Ask("assets/style.css", None, 200, "text/css"),
    Ask("assets/site.js", None, 200, "text/javascript"),
    Ask("assets/china.svg", None, 200, "image/svg+xml"),
    Ask("dist/designations.csv", None, 200, "text/csv"),
    Ask("dist/designations.csv-metadata.json", None, 200, "application/csvm+json"),
    Ask("dist/cnipa-kg.ttl", None, 200, "text/turtle"),
    Ask("dist/cnipa-kg.nt", None, 200, "application/n-triples"),
    Ask("dist/cnipa-kg.jsonld", None, 200, "application/ld+json"),
    Ask("dist/panel-county.md", None, 200, "text/markdown"),
    Ask("search-index.json", None, 200, "application/json"),
    # 404 in the asked format
    Ask("division/999999", "text/html", 404, "text/html"),
    Ask("division/999999", BROWSER, 404, "text/html"),
    Ask("division/999999", "text/turtle", 404, "text/plain"),
    Ask("division/999999", "application/ld+json", 404, "text/plain"),
    Ask("no/such/page.html", None, 404, "text/html"),
    Ask("division/", None, 404, "text/html"),
    Ask("division", None, 404, "text/html"),
    # configuration, manifest, type maps and error answers are never served by their URL
    # (Apache: Debian's configuration answers .ht* with 403 before the site's rules run)
    Ask("nginx.conf", None, 404, None),
    Ask("cnipa-kg-negotiate.js", None, 404, None),
    Ask(".htaccess", None, 404, None, differs={"apache": (403, None)}),
    Ask(".cnipa-kg-site", None, 404, None),
    Ask(f"{HAIDIAN}.var", None, 404, None),
    Ask("404.var", None, 404, None),
    Ask("404.html", None, 404, None),
    Ask("404.txt", None, 404, None),
    Ask("406.txt", None, 404, None),
]
SERVERS = ("serve", "nginx", "apache")


@pytest.fixture(scope="module")
def site_dir(release_dir):
    """The static site in a folder of its own (made readable for Apache's www-data workers), removed after."""
    from cnipa_kg.sitegen.writer import write_site

    folder = Path(tempfile.mkdtemp(prefix="cnipa-kg-hosting-"))
    try:
        write_site(release_dir, folder / "site")
        yield folder / "site"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module", params=SERVERS)
def server(request, release_dir, site_dir, tmp_path_factory):
    """(name, base URL) of each server under test, one at a time."""
    name = request.param
    if name == "serve":
        with running_app(release_dir, workers=1) as live:
            yield name, live.url
        return
    work = Path(tempfile.mkdtemp(prefix=f"cnipa-kg-{name}-"))
    try:
        with (nginx if name == "nginx" else apache)(site_dir, work) as url:
            yield name, url
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def reference(release_dir):
    """`serve`'s description of each path in each RDF format of the table, which the static servers' must equal."""
    answers: dict[tuple[str, str], bytes] = {}
    with running_app(release_dir, workers=1) as live:
        for ask in TABLE:
            for server in SERVERS:
                status, media = ask.expected(server)
                if status == 200 and media in RDFLIB_FORMAT and (ask.path, media) not in answers:
                    answers[(ask.path, media)] = httpx.get(f"{live.url}/{ask.path}", headers={"Accept": media}).content
    return answers


def _headers(ask: Ask) -> dict[str, str]:
    """A cross-origin request of a browser script (CORS answers need an ``Origin``), with the row's Accept."""
    return {"Origin": "https://example.org", **({"Accept": ask.accept} if ask.accept is not None else {})}


def _media(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").partition(";")[0].strip().lower()


@pytest.mark.parametrize("ask", TABLE, ids=str)
def test_the_request_table(server, ask, reference):
    name, url = server
    status, media = ask.expected(name)
    response = httpx.get(f"{url}/{ask.path}", headers=_headers(ask))
    assert response.status_code == status, f"{name}: {ask} -> {response.status_code} {response.text[:200]!r}"
    if media is not None:
        assert _media(response) == media, f"{name}: {ask} -> {response.headers.get('content-type')}"
        if media.startswith("text/"):
            assert "charset=utf-8" in response.headers["content-type"].lower().replace(" ", "")
    if status in (200, 404, 406):
        assert response.headers.get("access-control-allow-origin") == "*", f"{name}: {ask}: no CORS header"
    vary = {v.strip().lower() for v in response.headers.get("vary", "").split(",")}
    if "." not in ask.path.rsplit("/", 1)[-1] and ask.path not in ("", ".well-known/void") and status == 200:
        assert "accept" in vary, f"{name}: {ask}: a negotiated answer without Vary: Accept"
    if status == 200 and media in RDFLIB_FORMAT:
        got = rdflib.Graph().parse(data=response.content, format=RDFLIB_FORMAT[media])
        want = rdflib.Graph().parse(data=reference[(ask.path, media)], format=RDFLIB_FORMAT[media])
        assert len(got) > 0 and rdflib.compare.isomorphic(got, want), f"{name}: {ask}: not serve's description"
    if status == 404 and media == "text/html":
        assert "Not found" in response.text
    if status == 404 and media == "text/plain":
        assert response.text == "not found\n"
    if status == 406 and name != "apache" or status == 406 and _media(response) == "text/plain":
        assert "text/turtle" in response.text and "application/rdf+xml" in response.text


@pytest.mark.parametrize("ask", [a for a in TABLE if a.status == 200][:6], ids=str)
def test_head_answers_like_get_without_a_body(server, ask):
    name, url = server
    get = httpx.get(f"{url}/{ask.path}", headers=_headers(ask))
    head = httpx.head(f"{url}/{ask.path}", headers=_headers(ask))
    assert (head.status_code, _media(head)) == (get.status_code, _media(get)), name
    assert head.content == b""


def test_every_file_of_the_site_has_a_declared_type(site_dir):
    """No file the site links or offers goes out as application/octet-stream (nginx's types{} replaces
    the standard table, so every suffix must be in ours)."""
    from cnipa_kg.sitegen.hosting import DOWNLOAD_TYPES, SITE_TYPES

    suffixes = {p.suffix for p in site_dir.rglob("*") if p.is_file() and p.suffix and p.suffix != ".var"}
    suffixes -= {".htaccess", ".conf"}  # configuration: not served
    assert suffixes <= set(SITE_TYPES), sorted(suffixes - set(SITE_TYPES))
    downloads = {p.suffix for p in (site_dir / "dist").rglob("*") if p.is_file()}
    assert downloads <= set(DOWNLOAD_TYPES), sorted(downloads - set(DOWNLOAD_TYPES))


def test_the_njs_module_negotiates_like_serve_on_random_headers(site_dir, tmp_path):
    """The JavaScript nginx runs is generated from the server's tables; run it on many Accept headers
    through nginx and compare with web.negotiate (the rule `serve` uses)."""
    import random

    from cnipa_kg.web.negotiate import negotiate

    rng = random.Random(20261207)
    types = ["text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml",
             "text/*", "application/*", "*/*", "application/json", "text/plain", "image/png", "application/xml"]
    headers = []
    for _ in range(150):
        parts = []
        for media in rng.sample(types, rng.randint(1, 5)):
            q = rng.choice(["", ";q=0", ";q=1", ";q=0.5", ";q=0.8", ";q=0.55", ";q=.9", ";q=bad", " ; q=0.3"])
            parts.append(media + q)
        headers.append(", ".join(parts))
    with nginx(site_dir, tmp_path / "nginx") as url, httpx.Client() as client:
        for header in headers:
            media = negotiate(header, "page")
            got = client.get(f"{url}/{HAIDIAN}", headers={"Accept": header})
            if media is None:
                assert got.status_code == 406, header
            else:
                assert (got.status_code, _media(got)) == (200, media), header


@pytest.mark.parametrize("start", [nginx, apache], ids=["nginx", "apache"])
def test_a_server_leaves_no_process_behind(site_dir, start):
    """The master and its workers are gone when the server's block ends (as they must be after the suite)."""
    from webservers import processes_mentioning

    work = Path(tempfile.mkdtemp(prefix="cnipa-kg-stop-"))
    try:
        with start(site_dir, work) as url:
            assert httpx.get(f"{url}/{HAIDIAN}").status_code == 200
            running = processes_mentioning(str(work))
            assert len(running) >= 2, running  # a master and at least one worker
        assert processes_mentioning(str(work)) == []
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_iris_built_under_a_base_dereference_through_nginx(tmp_path):
    """A release built with --base at the host: division -> its designation -> the notice, by Accept: text/turtle."""
    from cnipa_kg.core.vocab import CKG
    from cnipa_kg.pipeline import build
    from cnipa_kg.sitegen.writer import write_site
    from webservers import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    build(out=tmp_path / "dist", base=base)
    folder = Path(tempfile.mkdtemp(prefix="cnipa-kg-base-"))
    ckg = rdflib.Namespace(str(CKG))  # the vocabulary keeps its IRIs; the data's are under the base
    try:
        write_site(tmp_path / "dist", folder / "site")
        with nginx(folder / "site", folder / "nginx", port=port), httpx.Client(headers={"Accept": "text/turtle"}) as web:
            def follow(iri: rdflib.URIRef) -> rdflib.Graph:
                answer = web.get(str(iri))
                assert (answer.status_code, _media(answer)) == (200, "text/turtle"), iri
                return rdflib.Graph().parse(data=answer.text, format="turtle")

            division = rdflib.URIRef(base + HAIDIAN)
            described = follow(division)
            assert (division, rdflib.SKOS.prefLabel, rdflib.Literal("海淀区", lang="zh")) in described
            designation = rdflib.URIRef(base + NOTICE + "/annex/1/1")
            assert (designation, ckg.designee, division) in described
            notice = follow(designation).value(designation, ckg.designatedBy)
            assert notice == rdflib.URIRef(base + NOTICE)
            page = follow(notice)
            assert rdflib.Literal("国家知识产权局关于确定国家知识产权强市建设试点示范城市的通知", lang="zh") in set(
                page.objects(notice, rdflib.SKOS.prefLabel))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
