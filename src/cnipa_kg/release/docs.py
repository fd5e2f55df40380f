"""Ontology documentation ``docs/index.html``, generated from ``ontology/cnipa-kg.ttl``.

Every class, property and concept with its zh and en labels, definitions, domain, range and
class axioms, plus an SVG diagram of the model (classes as boxes, object properties as
arrows). Plain HTML and inline SVG from the Jinja2 template ``templates/ontology.html``
(autoescaped): no script, no CDN, works offline.
"""

from __future__ import annotations

import math
from functools import cache

from markupsafe import Markup, escape

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from ..core.labels import label
from ..core.vocab import CKG, ONTOLOGY_IRI, curie

_CSS = """
body{font-family:system-ui,-apple-system,"Noto Sans CJK SC","PingFang SC",sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.5}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ccc;margin-top:2.5rem}
.term{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.term h3{margin:.2rem 0;font-size:1.1rem}.curie{font-family:monospace;color:#555;font-size:.9rem}
dl{display:grid;grid-template-columns:9rem 1fr;gap:.2rem 1rem;margin:.4rem 0}dt{color:#666}dd{margin:0}
nav a{margin-right:.8rem}svg{max-width:100%;height:auto;border:1px solid #eee}
"""


def _label(g: Graph, node, lang: str, prop=None) -> str:
    """``rdfs:label`` (else ``skos:prefLabel``) in ``lang``, or the given property's."""
    return label(g, node, lang, props=(prop,) if prop is not None else (RDFS.label, SKOS.prefLabel))


def _link(node) -> Markup:
    if isinstance(node, URIRef) and str(node).startswith(str(CKG)):
        local = str(node)[len(str(CKG)):]
        return Markup('<a href="#{}">{}</a>').format(local, curie(node))
    return escape(curie(node))


def _expr(g: Graph, node) -> Markup:
    """A class expression in Manchester-like syntax."""
    if not isinstance(node, BNode):
        return _link(node)
    if (lst := g.value(node, OWL.intersectionOf)) is not None:
        return Markup("({})").format(Markup(" and ").join(_expr(g, x) for x in Collection(g, lst)))
    if (lst := g.value(node, OWL.unionOf)) is not None:
        return Markup("({})").format(Markup(" or ").join(_expr(g, x) for x in Collection(g, lst)))
    if (g.value(node, RDF.type)) == OWL.Restriction:
        prop = _link(g.value(node, OWL.onProperty))
        if (v := g.value(node, OWL.someValuesFrom)) is not None:
            return Markup("({} some {})").format(prop, _expr(g, v))
        if (v := g.value(node, OWL.allValuesFrom)) is not None:
            return Markup("({} only {})").format(prop, _expr(g, v))
        if (v := g.value(node, OWL.hasValue)) is not None:
            return Markup("({} value {})").format(prop, _link(v))
    return Markup("[…]")


def _members(g: Graph, node) -> list[URIRef]:
    """The named classes of a class or of a union of classes (a property's domain or range)."""
    if isinstance(node, URIRef):
        return [node]
    if (lst := g.value(node, OWL.unionOf)) is not None:
        return [m for m in Collection(g, lst) if isinstance(m, URIRef)]
    return []


def _terms(g: Graph, kind) -> list[URIRef]:
    return sorted(s for s in g.subjects(RDF.type, kind) if isinstance(s, URIRef) and str(s).startswith(str(CKG)))


_AXIOMS = ((RDFS.subClassOf, "subclass of"), (OWL.equivalentClass, "equivalent to"), (RDFS.subPropertyOf, "subproperty of"),
           (OWL.inverseOf, "inverse of"), (RDFS.domain, "domain"), (RDFS.range, "range"), (SKOS.inScheme, "in scheme"),
           (SKOS.hasTopConcept, "top concepts"))


def _term(g: Graph, node: URIRef, kind: str) -> dict:
    local = str(node)[len(str(CKG)):]
    rows = [("label (zh)", _label(g, node, "zh")), ("label (en)", _label(g, node, "en")),
            ("definition (zh)", _label(g, node, "zh", SKOS.definition)),
            ("definition (en)", _label(g, node, "en", SKOS.definition))]
    for prop, name in _AXIOMS:
        values = sorted(g.objects(node, prop), key=str)
        if values:
            rows.append((name, Markup(", ").join(_expr(g, v) for v in values)))
    if (node, RDF.type, OWL.FunctionalProperty) in g:
        rows.append(("characteristics", "functional"))
    return {"local": local, "title": _label(g, node, "en") or local, "label_zh": _label(g, node, "zh"),
            "curie": curie(node), "kind": kind, "iri": str(node), "rows": [(k, v) for k, v in rows if v]}


def diagram(g: Graph) -> dict:
    """The model as a diagram: ckg classes and their neighbours as boxes on a circle, object
    properties as arrows (geometry only; the template draws the SVG)."""
    props = [p for p in _terms(g, OWL.ObjectProperty) if (p, OWL.inverseOf, None) not in g]
    edges = []
    for p in props:
        for d in (m for dom in g.objects(p, RDFS.domain) for m in _members(g, dom)):
            for r in (m for rng in g.objects(p, RDFS.range) for m in _members(g, rng)):
                edges.append((d, p, r))
    nodes = sorted({n for d, _, r in edges for n in (d, r)} | set(
        c for c in _terms(g, OWL.Class) if (c, OWL.equivalentClass, None) not in g), key=str)
    w, h, rad = 1000, 640, 250
    pos = {n: (w / 2 + rad * 1.5 * math.cos(2 * math.pi * i / len(nodes) - math.pi / 2),
               h / 2 + rad * math.sin(2 * math.pi * i / len(nodes) - math.pi / 2)) for i, n in enumerate(nodes)}
    drawn = []
    seen_pairs: dict = {}
    for d, p, r in edges:
        (x1, y1), (x2, y2) = pos[d], pos[r]
        k = seen_pairs[(d, r)] = seen_pairs.get((d, r), -1) + 1
        if d == r:
            drawn.append({"loop": True, "x": x1, "y": y1, "label_y": y1 - 75 - 14 * k, "label": curie(p)})
            continue
        length = math.hypot(x2 - x1, y2 - y1) or 1
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        sx, sy, ex, ey = x1 + ux * 70, y1 + uy * 24, x2 - ux * 70, y2 - uy * 24
        drawn.append({"loop": False, "x1": sx, "y1": sy, "x2": ex, "y2": ey, "label_x": (sx + ex) / 2,
                      "label_y": (sy + ey) / 2 - 4 + 14 * k, "label": curie(p)})
    boxes = [{"x": x, "y": y, "curie": curie(n), "label": _label(g, n, "zh")} for n, (x, y) in pos.items()]
    return {"width": w, "height": h, "edges": drawn, "nodes": boxes}


_SECTIONS = (
    ("classes", "Classes · 类", OWL.Class, "class"),
    ("object-properties", "Object properties · 对象属性", OWL.ObjectProperty, "object property"),
    ("datatype-properties", "Datatype properties · 数据属性", OWL.DatatypeProperty, "datatype property"),
    ("schemes", "Concept schemes · 概念体系", SKOS.ConceptScheme, "concept scheme"),
    ("concepts", "Concepts · 概念", SKOS.Concept, "concept"),
)


@cache
def _template():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("cnipa_kg.release", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, keep_trailing_newline=True)
    return env.get_template("ontology.html")


def ontology_html(g: Graph) -> str:
    onto = URIRef(ONTOLOGY_IRI)
    sections = [(sid, name, [_term(g, t, kind_name) for t in _terms(g, kind)]) for sid, name, kind, kind_name in _SECTIONS]
    return _template().render(
        css=Markup(_CSS), title_en=_label(g, onto, "en", DCTERMS.title), title_zh=_label(g, onto, "zh", DCTERMS.title),
        description_en=_label(g, onto, "en", DCTERMS.description), description_zh=_label(g, onto, "zh", DCTERMS.description),
        namespace=str(CKG), version=str(g.value(onto, OWL.versionInfo) or ""), licence=str(g.value(onto, DCTERMS.license) or ""),
        sections=sections, svg=diagram(g))
