"""Ontology documentation dist/docs/index.html (issue 6): every ckg: term, labels, definitions,
domains, ranges and an inline SVG diagram; nothing fetched from elsewhere. The same file is the page
of /def, so links are fragments or absolute. The diagram's edges are ``<g class="edge"
data-property=… data-from=… data-to=…>`` (ids of the boxes' entries), its labels ``<text
class="edge-label">`` with the same attributes; checked for geometry here and, measured, in Chromium."""

from __future__ import annotations

import html
import math
import re
import unicodedata
import xml.etree.ElementTree as ET
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


def _anchor(term: URIRef) -> str:
    """The id of a term's entry: a ckg: term's local name, another term's CURIE (the project's prefixes)."""
    from cnipa_kg.core.vocab import curie

    return _local(term) if str(term).startswith(CKG) else curie(term)


def _members(g: Graph, node) -> list:
    """A named class, or the named classes of a union."""
    if isinstance(node, URIRef):
        return [node]
    lst = g.value(node, OWL.unionOf)
    return [m for m in Collection(g, lst) if isinstance(m, URIRef)] if lst is not None else []


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
                    assert re.search(rf"{name}\s*</dt>\s*<dd>.*?{re.escape(_curie(m))}", block, re.DOTALL), (_local(t), name, _curie(m))
                checked += 1
    assert checked >= 30


def test_docs_designee_section_names_its_domain_and_range(page):
    block = _block(page, URIRef(CKG + "designee"))
    assert "被认定对象" in block and "designee" in block
    # domain: a designation or a proposed designation; range: a designee (a division or a park)
    assert "ckg:Designation" in block and "ckg:ProposedDesignation" in block and "ckg:Designee" in block


def test_docs_inline_svg_names_main_classes(page):
    m = re.search(r"<svg\b.*?</svg>", page, re.DOTALL)
    assert m, "no inline <svg>"
    svg = html.unescape(m.group(0))
    for local in MAIN_CLASSES:
        assert f"ckg:{local}" in svg, local
    for prop in ("ckg:designee", "ckg:designatedBy", "ckg:inAnnex"):
        assert prop in svg, prop


def test_docs_links_are_fragments_or_absolute(parsed):
    """The page is served as dist/docs/index.html and as /def: no link relative to its folder, and
    nothing loaded from anywhere (no src); external links (vocabularies, licence) are absolute."""
    bad = [(tag, attr, url) for tag, attr, url in parsed.urls if attr != "href" or not url.startswith(("#", "http://", "https://"))]
    bad.remove(("link", "href", "data:,"))  # the one icon: empty and inline (else browsers ask for /favicon.ico)
    assert bad == []
    assert any(url.startswith("#") for _, _, url in parsed.urls)
    assert any(url.startswith("http://data.europa.eu/eli/ontology#") for _, _, url in parsed.urls)


def test_docs_internal_links_resolve(parsed):
    ids = set(parsed.ids)
    dangling = sorted({url[1:] for _, _, url in parsed.urls if url.startswith("#") and url[1:] not in ids})
    assert dangling == []


def test_docs_no_script_or_stylesheet_link(page):
    assert "<script" not in page.lower()
    assert page.lower().count("<link") == 1 and '<link rel="icon" href="data:,">' in page  # an empty icon only
    assert "@import" not in page
    assert page.lower().count("<style") == 1
    assert not re.search(r"<[^>]*\s(on[a-z]+|style)\s*=", page, re.IGNORECASE)  # no event handler, no style attribute
    assert "javascript:" not in page.lower()


def test_docs_classes_section_lists_every_class(page, ontology):
    classes = sorted(s for s in ontology.subjects(RDF.type, OWL_CLASS) if str(s).startswith(CKG))
    assert len(classes) >= 7
    start = page.index('id="classes"')
    end = page.index('id="object-properties"')
    section = page[start:end]
    for c in classes:
        assert f'id="{_local(c)}"' in section, _local(c)


# -- anchors, deprecation, other vocabularies (issue: docs page and diagram) -----------------------

def test_docs_every_ckg_term_has_exactly_one_element_with_its_local_name(parsed, terms):
    counts = {i: parsed.ids.count(i) for i in set(parsed.ids)}
    assert [t for t in terms if counts.get(_local(t)) != 1] == []
    assert 'id="Designation"' in "".join(f'id="{i}"' for i in parsed.ids)


def test_docs_entry_has_labels_zh_first(page):
    block = _block(page, URIRef(CKG + "Designation"))
    assert block.index("认定") < block.index("designation")


def test_docs_deprecated_property_names_its_replacement(page):
    m = re.search(r'<div class="term" id="designationLevel">.*?</div>', page, re.DOTALL)
    assert m
    entry = m.group(0)
    assert "deprecated" in entry.lower() and "已弃用" in entry
    assert re.search(r'replaced by\s*<a href="#tier">ckg:tier</a>', entry)


def test_docs_lists_the_terms_of_other_vocabularies(page, parsed):
    start, end = page.index('id="external-terms"'), len(page)
    section = page[start:end]
    for c in ("eli:cites", "eli:has_part", "eli:is_part_of", "eli:passed_by", "skos:broader", "org:subOrganizationOf",
              "org:Organization", "eli:LegalResource"):
        assert f'id="{c}"' in section, c
    cites = re.search(r'<div class="term" id="eli:cites">.*?</div>', page, re.DOTALL).group(0)
    assert '<a class="iri" href="http://data.europa.eu/eli/ontology#cites">' in cites
    assert re.search(r'href="#Notice">ckg:Notice</a>\s*—<a href="http://data.europa.eu/eli/ontology#cites">eli:cites</a>→'
                     r'\s*<a href="#PolicyDocument">', cites)


def test_docs_external_domain_and_range_link_to_the_vocabulary(page):
    block = re.search(r'<div class="term" id="printedBy">.*?</div>', page, re.DOTALL).group(0)
    assert re.search(r'range\s*</dt>\s*<dd><a href="http://www.w3.org/ns/org#Organization">org:Organization</a>', block)
    assert re.search(r'domain\s*</dt>\s*<dd><a href="#Notice">ckg:Notice</a>', block)


# -- the diagram ------------------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def _width(text: str, size: float) -> float:
    """0.6 em a Latin character, 1 em a CJK (wide) one."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.6 * size for ch in text)


def _numbers(d: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]


@pytest.fixture(scope="module")
def svg(page):
    m = re.search(r"<svg\b.*?</svg>", page, re.DOTALL)
    root = ET.fromstring(m.group(0))
    boxes = {}
    for a in root.iter(f"{SVG}a"):
        r = a.find(f"{SVG}rect")
        x, y, w, h = (float(r.get(k)) for k in ("x", "y", "width", "height"))
        texts = [(t.text, float(t.get("font-size")), float(t.get("x"))) for t in a.iter(f"{SVG}text")]
        boxes[a.get("data-node")] = {"rect": (x, y, x + w, y + h), "href": a.get("href"), "texts": texts}
    edges = [{**g.attrib, "d": g.find(f"{SVG}path").get("d")} for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]
    labels = [t for t in root.iter(f"{SVG}text") if t.get("class") == "edge-label"]
    return {"root": root, "boxes": boxes, "edges": edges, "labels": labels}


def _has_edge(svg, prop, frm=None, to=None) -> bool:
    return any(e["data-property"] == prop and frm in (None, e["data-from"]) and to in (None, e["data-to"]) for e in svg["edges"])


def test_diagram_has_the_edges_of_the_issue(svg):
    assert _has_edge(svg, "eli:cites", "Notice")
    assert _has_edge(svg, "eli:has_part", "Notice", "Annex")
    assert _has_edge(svg, "eli:is_part_of", "Annex", "Notice")
    for prop, scheme in (("ckg:tier", "Tiers"), ("ckg:programme", "Programmes"), ("ckg:divisionLevel", "DivisionLevels")):
        assert _has_edge(svg, prop, to=scheme), prop
    assert _has_edge(svg, "ckg:divisionLevel", "AdministrativeDivision", "DivisionLevels")
    assert _has_edge(svg, "ckg:tier", "Designation", "Tiers")
    assert not _has_edge(svg, "ckg:designationLevel")  # deprecated: not drawn


def test_diagram_has_an_edge_for_every_object_property_between_boxes(svg, ontology):
    from cnipa_kg.core.vocab import curie

    drawn = set(svg["boxes"])
    missing, checked = [], 0
    for p in set(ontology.subjects(RDF.type, OWL.ObjectProperty)):
        domains = [m for d in ontology.objects(p, RDFS.domain) for m in _members(ontology, d)]
        ranges = [m for r in ontology.objects(p, RDFS.range) for m in _members(ontology, r)]
        for d in domains:
            for r in ranges:
                if _anchor(d) in drawn and _anchor(r) in drawn:
                    checked += 1
                    if not _has_edge(svg, curie(p), _anchor(d), _anchor(r)):
                        missing.append((curie(p), _anchor(d), _anchor(r)))
    assert missing == []
    assert checked >= 10


def test_diagram_boxes_link_to_their_entries(svg, parsed):
    ids = set(parsed.ids)
    for node, box in svg["boxes"].items():
        assert box["href"] == f"#{node}" and node in ids, node
    for local in MAIN_CLASSES + ["PolicyDocument", "Tiers", "Programmes", "DivisionLevels"]:
        assert local in svg["boxes"], local


def _distance(rect, x, y) -> float:
    x0, y0, x1, y1 = rect
    return math.hypot(max(x0 - x, 0, x - x1), max(y0 - y, 0, y - y1))


def test_diagram_edges_end_on_the_border_of_their_boxes(svg):
    assert len(svg["edges"]) >= 20
    for e in svg["edges"]:
        n = _numbers(e["d"])
        for node, (x, y) in ((e["data-to"], n[-2:]), (e["data-from"], n[:2])):
            rect = svg["boxes"][node]["rect"]
            d = _distance(rect, x, y)
            assert 0.5 <= d <= 4, (e["data-property"], node, x, y, rect)  # outside the box, by the border: never its centre


def test_diagram_box_labels_fit_their_boxes(svg):
    for node, box in svg["boxes"].items():
        x0, _, x1, _ = box["rect"]
        for text, size, x in box["texts"]:
            w = _width(text, size)
            assert x0 + 2 <= x - w / 2 and x + w / 2 <= x1 - 2, (node, text, w, x1 - x0)


def _label_rect(t) -> tuple:
    x, y, size = float(t.get("x")), float(t.get("y")), float(t.get("font-size"))
    w = _width(t.text, size)
    assert t.get("text-anchor") == "middle"
    return (x - w / 2, y - 0.8 * size, x + w / 2, y + 0.2 * size)


def _overlap(a, b) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def test_diagram_edge_labels_are_clear_of_boxes_and_each_other(svg):
    labels = [(t.get("data-property"), _label_rect(t)) for t in svg["labels"]]
    assert {p for p, _ in labels} >= {"eli:cites", "eli:has_part", "eli:is_part_of", "ckg:tier", "ckg:divisionLevel"}
    for prop, rect in labels:
        covered = [n for n, b in svg["boxes"].items() if _overlap(rect, b["rect"])]
        assert covered == [], (prop, covered)
    clashes = [(p, q) for i, (p, a) in enumerate(labels) for q, b in labels[i + 1:] if _overlap(a, b)]
    assert clashes == []
    for t in svg["labels"]:  # a white halo under the text
        assert t.get("paint-order") == "stroke" and t.get("stroke") == "#fff"


def test_diagram_scales_to_its_container(svg):
    root = svg["root"]
    assert root.get("width") == "100%" and root.get("height") is None
    assert len(root.get("viewBox").split()) == 4


def test_docs_output_is_deterministic(page):
    from cnipa_kg.release.docs import ontology_html

    first = ontology_html(Graph().parse(ROOT / "ontology" / "cnipa-kg.ttl", format="turtle"))
    second = ontology_html(Graph().parse(ROOT / "ontology" / "cnipa-kg.ttl", format="turtle"))  # other blank node labels
    assert first == second
    assert first == page


# -- in a browser ------------------------------------------------------------------------------------



def test_docs_fit_a_phone_and_the_diagram_renders(browser, release_dir, tmp_path):
    url = (release_dir / "docs" / "index.html").as_uri()
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        phone.goto(url)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.goto(url + "#designationLevel")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.screenshot(path=str(tmp_path / "docs-390.png"))
    finally:
        phone.close()
    desk = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        desk.goto(url)
        # measured, not estimated: every box's text inside its box, no edge label on a box
        measured = desk.evaluate("""() => {
            const boxes = [...document.querySelectorAll('svg a.node')].map(a => [a.dataset.node, a.querySelector('rect').getBBox(),
                [...a.querySelectorAll('text')].map(t => t.getBBox())]);
            const labels = [...document.querySelectorAll('svg text.edge-label')].map(t => [t.dataset.property, t.getBBox()]);
            const over = (a, b) => Math.min(a.x + a.width, b.x + b.width) > Math.max(a.x, b.x) + 1
                && Math.min(a.y + a.height, b.y + b.height) > Math.max(a.y, b.y) + 1;
            return {
                overflowing: boxes.filter(([n, r, ts]) => ts.some(t => t.x < r.x || t.x + t.width > r.x + r.width)).map(b => b[0]),
                covered: labels.flatMap(([p, l]) => boxes.filter(([n, r]) => over(l, r)).map(([n]) => p + ' on ' + n)),
            };
        }""")
        assert measured == {"overflowing": [], "covered": []}
        desk.locator("svg").first.screenshot(path=str(tmp_path / "diagram-1280.png"))
        desk.screenshot(path=str(tmp_path / "docs-1280.png"))
    finally:
        desk.close()
    assert (tmp_path / "diagram-1280.png").stat().st_size > 10_000
