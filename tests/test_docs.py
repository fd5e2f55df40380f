"""Ontology documentation dist/docs/index.html (issue 6): every ckg: term, labels, definitions,
domains, ranges and an inline SVG diagram; nothing fetched from elsewhere."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from conftest import ROOT
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

CKG = "https://w3id.org/cnipa-kg/def#"
OWL_CLASS = URIRef("http://www.w3.org/2002/07/owl#Class")
PREFIXES = {
    "http://www.w3.org/2001/XMLSchema#": "xsd:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
    "http://www.w3.org/2004/02/skos/core#": "skos:", "http://www.w3.org/ns/org#": "org:",
    "http://data.europa.eu/eli/ontology#": "eli:", "http://www.w3.org/ns/prov#": "prov:",
    "https://schema.org/": "schema:", CKG: "ckg:",
}
MAIN_CLASSES = ["Notice", "Annex", "Designation", "AdministrativeDivision"]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "cnipa-kg.ttl", format="turtle")


@pytest.fixture(scope="module")
def page(release_dir) -> str:
    path = release_dir / "docs" / "index.html"
    assert path.is_file()
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def terms(ontology) -> list[URIRef]:
    found = sorted({s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(CKG)})
    assert len(found) > 40
    return found


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.urls: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name == "id":
                self.ids.append(value or "")
            if name in ("src", "href", "xlink:href", "srcset", "action", "data", "poster"):
                self.urls.append((tag, name, value or ""))


@pytest.fixture(scope="module")
def parsed(page) -> _Collect:
    p = _Collect()
    p.feed(page)
    return p


def _local(term: URIRef) -> str:
    return str(term)[len(CKG):]


def _curie(term) -> str:
    for ns, prefix in PREFIXES.items():
        if str(term).startswith(ns):
            return prefix + str(term)[len(ns):]
    return str(term)


def _block(page: str, term: URIRef) -> str:
    """The text of the term's section: from its id to the next term's section."""
    m = re.search(rf'<[^>]+\bid="{re.escape(_local(term))}"', page)
    assert m, _local(term)
    end = page.find('<div class="term"', m.end())
    return html.unescape(page[m.start(): end if end != -1 else len(page)])


def _lang(g: Graph, node, prop, lang: str) -> list[str]:
    return [str(o) for o in g.objects(node, prop) if getattr(o, "language", None) == lang]


def test_docs_is_html_page(page, parsed):
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert '<meta charset="utf-8">' in page.lower()
    assert {"html", "head", "body", "svg"} <= set(parsed.tags)


def test_docs_has_every_ckg_term_as_id_and_curie(page, parsed, terms):
    ids = set(parsed.ids)
    missing_ids = [_local(t) for t in terms if _local(t) not in ids]
    assert missing_ids == []
    missing_curies = [_curie(t) for t in terms if _curie(t) not in html.unescape(page)]
    assert missing_curies == []


def test_docs_ids_are_unique(parsed):
    dupes = sorted({i for i in parsed.ids if parsed.ids.count(i) > 1})
    assert dupes == []


def test_docs_has_zh_and_en_labels_of_every_term(page, ontology, terms):
    for t in terms:
        block = _block(page, t)
        for lang in ("zh", "en"):
            labels = _lang(ontology, t, RDFS.label, lang) or _lang(ontology, t, SKOS.prefLabel, lang)
            assert labels, (t, lang)
            assert any(label in block for label in labels), (_local(t), lang, labels)


def test_docs_has_definitions_of_every_term(page, ontology, terms):
    checked = 0
    for t in terms:
        block = _block(page, t)
        for lang in ("zh", "en"):
            for definition in _lang(ontology, t, SKOS.definition, lang):
                assert definition in block, (_local(t), lang, definition)
                checked += 1
    assert checked >= 2 * len(terms) - 2


def test_docs_has_domains_and_ranges(page, ontology, terms):
    checked = 0
    for t in terms:
        block = _block(page, t)
        for prop, name in ((RDFS.domain, "domain"), (RDFS.range, "range")):
            for value in ontology.objects(t, prop):
                # a named class, or a union of named classes (ckg:designee's domain), written "(A or B)"
                members = [value] if isinstance(value, URIRef) else list(Collection(ontology, ontology.value(value, OWL.unionOf)))
                assert members and all(isinstance(m, URIRef) for m in members), (t, prop)
                for m in members:
                    assert re.search(rf"{name}\s*</dt>\s*<dd>.*?{re.escape(_curie(m))}", block, re.S), (_local(t), name, _curie(m))
                checked += 1
    assert checked >= 30


def test_docs_designee_section_names_its_domain_and_range(page):
    block = _block(page, URIRef(CKG + "designee"))
    assert "被认定对象" in block and "designee" in block
    # domain: a designation or a proposed designation; range: a designee (a division or a park)
    assert "ckg:Designation" in block and "ckg:ProposedDesignation" in block and "ckg:Designee" in block


def test_docs_inline_svg_names_main_classes(page):
    m = re.search(r"<svg\b.*?</svg>", page, re.S)
    assert m, "no inline <svg>"
    svg = html.unescape(m.group(0))
    for local in MAIN_CLASSES:
        assert f"ckg:{local}" in svg, local
    for prop in ("ckg:designee", "ckg:designatedBy", "ckg:inAnnex"):
        assert prop in svg, prop


def test_docs_has_no_external_urls_in_src_or_href(parsed):
    external = [(tag, attr, url) for tag, attr, url in parsed.urls if not url.startswith("#")]
    assert external == []
    assert parsed.urls  # in-page links exist (navigation, term cross-references)


def test_docs_internal_links_resolve(parsed):
    ids = set(parsed.ids)
    dangling = sorted({url[1:] for _, _, url in parsed.urls if url.startswith("#") and url[1:] not in ids})
    assert dangling == []


def test_docs_no_script_or_stylesheet_link(page):
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert "@import" not in page


def test_docs_classes_section_lists_every_class(page, ontology):
    classes = sorted(s for s in ontology.subjects(RDF.type, OWL_CLASS) if str(s).startswith(CKG))
    assert len(classes) >= 7
    start = page.index('id="classes"')
    end = page.index('id="object-properties"')
    section = page[start:end]
    for c in classes:
        assert f'id="{_local(c)}"' in section, _local(c)
