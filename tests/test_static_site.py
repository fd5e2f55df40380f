"""``cnipa-kg site``: the linked-data site as files (issue 17). Every resource has its page and
its three RDF files, which parse to the same description the server gives; the site is
deterministic, replaced atomically, keeps a user's files, refuses a folder that is not a site;
links are relative (checked by a crawl in tests/test_site_browser.py)."""

from __future__ import annotations

import filecmp
import re

import pytest
from conftest import invoke
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from cnipa_kg.sitegen.writer import MANIFEST, write_site

BASE = "https://w3id.org/cnipa-kg/"


@pytest.fixture(scope="module")
def site(release_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("static") / "site"
    write_site(release_dir, out)
    return out


def test_every_resource_has_a_page_and_three_descriptions(site):
    pages = sorted(p for p in site.rglob("*.html") if "dist" not in p.parts and "assets" not in p.parts)
    assert len(pages) > 600
    for page in pages:
        if page.name in ("index.html", "search.html", "404.html"):
            continue
        for suffix in (".ttl", ".jsonld", ".nt", ".rdf", ".var"):
            assert page.with_suffix(suffix).is_file(), page.with_suffix(suffix)
    for name in ("index.html", "search.html", "search-index.json", "def.html", ".well-known/void", ".htaccess",
                 "nginx.conf", "cnipa-kg-negotiate.js", "404.html", "404.txt", "404.var", "406.txt", "dist/cnipa-kg.ttl", "dist/designations.csv", "assets/china.svg", "assets/site.js",
                 MANIFEST):
        assert (site / name).is_file(), name


def test_the_formats_of_a_resource_say_the_same(site):
    stem = site / "division" / "110108"
    graphs = [Graph().parse(stem.with_suffix(s), format=f) for s, f in
              ((".ttl", "turtle"), (".nt", "nt"), (".jsonld", "json-ld"))]
    assert isomorphic(graphs[0], graphs[1]) and isomorphic(graphs[0], graphs[2])
    assert (URIRef(BASE + "division/110108"), None, None) in graphs[0]


def test_links_are_relative_and_the_notice_page_has_its_annexes(site):
    html = (site / "eli/notice/gzfyz/2022/33.html").read_text(encoding="utf-8")
    assert 'href="../../../../division/110108.html"' in html
    assert 'href="33/annex/1/1.html"' in html
    assert not re.search(r'(href|src)="/(?!/)', html), "no root-relative link"


def test_deterministic(site, release_dir, tmp_path):
    again = tmp_path / "again"
    write_site(release_dir, again)
    cmp = filecmp.dircmp(site, again)

    def differing(c) -> list[str]:
        found = c.diff_files + c.left_only + c.right_only
        for sub in c.subdirs.values():
            found += differing(sub)
        return found

    assert differing(cmp) == []
    for name in ("index.html", "division/110108.html", "search-index.json"):
        assert (site / name).read_bytes() == (again / name).read_bytes()


def test_rebuild_keeps_the_users_files_and_refuses_other_folders(release_dir, tmp_path):
    out = tmp_path / "site"
    write_site(release_dir, out)
    (out / "CNAME").write_text("kg.example.org\n")
    (out / "division" / "notes.txt").write_text("mine\n")
    write_site(release_dir, out)
    assert (out / "CNAME").read_text() == "kg.example.org\n"
    assert (out / "division" / "notes.txt").read_text() == "mine\n"
    assert not list(tmp_path.glob(".site.*")), "no staging left behind"
    other = tmp_path / "photos"
    other.mkdir()
    (other / "cat.jpg").write_bytes(b"\xff\xd8")
    from cnipa_kg.core.errors import InputError

    with pytest.raises(InputError, match="not a cnipa-kg static site"):
        write_site(release_dir, other)
    assert (other / "cat.jpg").read_bytes() == b"\xff\xd8"


def test_cli_site_and_its_errors(runner, release_dir, tmp_path):
    result = invoke(runner, "site", "--data", str(release_dir), "--out", str(tmp_path / "s"))
    assert result.exit_code == 0, result.output
    assert "static site" in result.output and (tmp_path / "s" / "index.html").is_file()
    missing = invoke(runner, "site", "--data", str(tmp_path / "nothing"), "--out", str(tmp_path / "t"))
    assert missing.exit_code == 2 and "Traceback" not in missing.output
    inside = invoke(runner, "site", "--data", str(release_dir), "--out", str(release_dir / "site"))
    assert inside.exit_code == 2 and "inside the release" in inside.output
    assert not (release_dir / "site").exists()


def test_a_page_names_its_descriptions_in_its_head(site, release_dir):
    """Crawlers and linked-data clients find the Turtle, JSON-LD and N-Triples of a page from its <head>
    (<link rel="alternate">), on the static site and on the server."""
    from starlette.testclient import TestClient

    from cnipa_kg.web.app import create_app

    head = (site / "division/110108.html").read_text(encoding="utf-8").split("</head>")[0]
    for media, href in (("text/turtle", "110108.ttl"), ("application/ld+json", "110108.jsonld"),
                        ("application/n-triples", "110108.nt")):
        assert f'<link rel="alternate" type="{media}" href="{href}">' in head
    with TestClient(create_app(release_dir, workers=1)) as client:
        served = client.get("/division/110108").text.split("</head>")[0]
    assert '<link rel="alternate" type="text/turtle" href="/division/110108.ttl">' in served


def test_the_home_page_claims_only_what_the_data_has(site, release_dir):
    """The subtitle names the kinds of designee the release holds: cities and districts, no parks or counties
    (designations.csv has no park and no county-level row but districts)."""
    import csv

    rows = list(csv.DictReader((release_dir / "designations.csv").open(encoding="utf-8")))
    assert not any(r["park"] for r in rows) and {r["division_level"] for r in rows} <= {"prefecture", "district"}
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "cities and districts" in home and "parks" not in home.lower() and "counties" not in home



def test_the_ontology_page_links_back_to_the_site(site, release_dir):
    """/def (and def.html) is the release's standalone ontology documentation with a way back to the home page;
    the release's own copy (dist/docs/index.html) is left as written."""
    from starlette.testclient import TestClient

    from cnipa_kg.web.app import create_app

    assert '<a href="index.html">← cnipa-kg</a>' in (site / "def.html").read_text(encoding="utf-8")
    with TestClient(create_app(release_dir, workers=1)) as client:
        assert '<a href="/">← cnipa-kg</a>' in client.get("/def").text
    assert "← cnipa-kg" not in (release_dir / "docs/index.html").read_text(encoding="utf-8")
