"""Ontology documentation ``docs/index.html``, generated from ``ontology/cnipa-kg.ttl``.

Every class, property and concept with its zh and en labels, definitions, domain, range and
class axioms, plus an SVG diagram of the model (classes as boxes, object properties as
arrows). Plain HTML and inline SVG: no script, no CDN, works offline.
"""

from __future__ import annotations

import math
from html import escape

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from .validate import curie
from .vocab import CKG, ONTOLOGY_IRI

_CSS = """
body{font-family:system-ui,-apple-system,"Noto Sans CJK SC","PingFang SC",sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.5}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ccc;margin-top:2.5rem}
.term{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.term h3{margin:.2rem 0;font-size:1.1rem}.curie{font-family:monospace;color:#555;font-size:.9rem}
dl{display:grid;grid-template-columns:9rem 1fr;gap:.2rem 1rem;margin:.4rem 0}dt{color:#666}dd{margin:0}
nav a{margin-right:.8rem}svg{max-width:100%;height:auto;border:1px solid #eee}
"""


def _label(g: Graph, node, lang: str, prop=RDFS.label) -> str:
    for o in g.objects(node, prop):
        if getattr(o, "language", None) == lang:
            return str(o)
    if prop == RDFS.label:
        return _label(g, node, lang, SKOS.prefLabel) if (node, SKOS.prefLabel, None) in g else ""
    return ""


def _link(node) -> str:
    if isinstance(node, URIRef) and str(node).startswith(str(CKG)):
        local = str(node)[len(str(CKG)):]
        return f'<a href="#{escape(local)}">{escape(curie(node))}</a>'
    return escape(curie(node))


def _expr(g: Graph, node) -> str:
    """A class expression in Manchester-like syntax."""
    if not isinstance(node, BNode):
        return _link(node)
    if (lst := g.value(node, OWL.intersectionOf)) is not None:
        return "(" + " and ".join(_expr(g, x) for x in Collection(g, lst)) + ")"
    if (lst := g.value(node, OWL.unionOf)) is not None:
        return "(" + " or ".join(_expr(g, x) for x in Collection(g, lst)) + ")"
    if (g.value(node, RDF.type)) == OWL.Restriction:
        prop = _link(g.value(node, OWL.onProperty))
        if (v := g.value(node, OWL.someValuesFrom)) is not None:
            return f"({prop} some {_expr(g, v)})"
        if (v := g.value(node, OWL.allValuesFrom)) is not None:
            return f"({prop} only {_expr(g, v)})"
        if (v := g.value(node, OWL.hasValue)) is not None:
            return f"({prop} value {_link(v)})"
    return "[…]"


def _terms(g: Graph, kind) -> list[URIRef]:
    return sorted(s for s in g.subjects(RDF.type, kind) if isinstance(s, URIRef) and str(s).startswith(str(CKG)))


def _term(g: Graph, node: URIRef, kind: str) -> str:
    local = str(node)[len(str(CKG)):]
    rows = []
    for lang, name in (("zh", "label (zh)"), ("en", "label (en)")):
        rows.append((name, escape(_label(g, node, lang))))
    for lang, name in (("zh", "definition (zh)"), ("en", "definition (en)")):
        rows.append((name, escape(_label(g, node, lang, SKOS.definition))))
    for prop, name in ((RDFS.subClassOf, "subclass of"), (OWL.equivalentClass, "equivalent to"),
                       (RDFS.subPropertyOf, "subproperty of"), (OWL.inverseOf, "inverse of"),
                       (RDFS.domain, "domain"), (RDFS.range, "range"), (SKOS.inScheme, "in scheme"),
                       (SKOS.hasTopConcept, "top concepts")):
        values = sorted(g.objects(node, prop), key=str)
        if values:
            rows.append((name, ", ".join(_expr(g, v) for v in values)))
    if (node, RDF.type, OWL.FunctionalProperty) in g:
        rows.append(("characteristics", "functional"))
    body = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in rows if v)
    title = escape(_label(g, node, "en") or local)
    return (f'<div class="term" id="{escape(local)}"><h3>{title} · {escape(_label(g, node, "zh"))}</h3>'
            f'<div class="curie">{escape(curie(node))} — {escape(kind)} — {escape(str(node))}</div><dl>{body}</dl></div>')


def diagram(g: Graph) -> str:
    """An SVG of the model: ckg classes and their neighbours, object properties as arrows."""
    props = [p for p in _terms(g, OWL.ObjectProperty) if (p, OWL.inverseOf, None) not in g]
    edges = []
    for p in props:
        for d in g.objects(p, RDFS.domain):
            for r in g.objects(p, RDFS.range):
                if isinstance(d, URIRef) and isinstance(r, URIRef):
                    edges.append((d, p, r))
    nodes = sorted({n for d, _, r in edges for n in (d, r)} | set(
        c for c in _terms(g, OWL.Class) if (c, OWL.equivalentClass, None) not in g), key=str)
    w, h, rad = 1000, 640, 250
    pos = {n: (w / 2 + rad * 1.5 * math.cos(2 * math.pi * i / len(nodes) - math.pi / 2),
               h / 2 + rad * math.sin(2 * math.pi * i / len(nodes) - math.pi / 2)) for i, n in enumerate(nodes)}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-label="model diagram">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
             '<path d="M 0 0 L 10 5 L 0 10 z" fill="#557"/></marker></defs>']
    seen_pairs: dict = {}
    for d, p, r in edges:
        (x1, y1), (x2, y2) = pos[d], pos[r]
        k = seen_pairs[(d, r)] = seen_pairs.get((d, r), -1) + 1
        if d == r:
            parts.append(f'<path d="M {x1 - 20} {y1 - 18} C {x1 - 60} {y1 - 90}, {x1 + 60} {y1 - 90}, {x1 + 20} {y1 - 18}" '
                         f'fill="none" stroke="#557" marker-end="url(#arrow)"/>'
                         f'<text x="{x1:.0f}" y="{y1 - 75 - 14 * k:.0f}" font-size="12" text-anchor="middle">{escape(curie(p))}</text>')
            continue
        length = math.hypot(x2 - x1, y2 - y1) or 1
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        sx, sy, ex, ey = x1 + ux * 70, y1 + uy * 24, x2 - ux * 70, y2 - uy * 24
        parts.append(f'<line x1="{sx:.0f}" y1="{sy:.0f}" x2="{ex:.0f}" y2="{ey:.0f}" stroke="#557" marker-end="url(#arrow)"/>')
        parts.append(f'<text x="{(sx + ex) / 2:.0f}" y="{(sy + ey) / 2 - 4 + 14 * k:.0f}" font-size="12" text-anchor="middle" '
                     f'fill="#335">{escape(curie(p))}</text>')
    for n, (x, y) in pos.items():
        parts.append(f'<rect x="{x - 95:.0f}" y="{y - 22:.0f}" width="190" height="44" rx="6" fill="#eef3fb" stroke="#557"/>'
                     f'<text x="{x:.0f}" y="{y - 3:.0f}" font-size="13" text-anchor="middle" font-weight="bold">{escape(curie(n))}</text>'
                     f'<text x="{x:.0f}" y="{y + 14:.0f}" font-size="12" text-anchor="middle">{escape(_label(g, n, "zh"))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def ontology_html(g: Graph) -> str:
    onto = URIRef(ONTOLOGY_IRI)
    sections = [
        ("classes", "Classes · 类", OWL.Class, "class"),
        ("object-properties", "Object properties · 对象属性", OWL.ObjectProperty, "object property"),
        ("datatype-properties", "Datatype properties · 数据属性", OWL.DatatypeProperty, "datatype property"),
        ("schemes", "Concept schemes · 概念体系", SKOS.ConceptScheme, "concept scheme"),
        ("concepts", "Concepts · 概念", SKOS.Concept, "concept"),
    ]
    title_en = _label(g, onto, "en", DCTERMS.title)
    title_zh = _label(g, onto, "zh", DCTERMS.title)
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           f"<title>{escape(title_en)}</title><style>{_CSS}</style></head><body>",
           f'<h1>{escape(title_en)}</h1><p lang="zh">{escape(title_zh)}</p>',
           f"<p>{escape(_label(g, onto, 'en', DCTERMS.description))}</p>",
           f'<p lang="zh">{escape(_label(g, onto, "zh", DCTERMS.description))}</p>',
           f"<p>Namespace <code>{escape(str(CKG))}</code> (prefix <code>ckg:</code>) · version "
           f"{escape(str(g.value(onto, OWL.versionInfo) or ''))} · licence {escape(str(g.value(onto, DCTERMS.license) or ''))}</p>",
           "<nav>" + "".join(f'<a href="#{sid}">{escape(name)}</a>' for sid, name, _, _ in sections) + '<a href="#diagram">Diagram</a></nav>',
           '<h2 id="diagram">Diagram · 模型图</h2>', diagram(g)]
    for sid, name, kind, label in sections:
        out.append(f'<h2 id="{sid}">{escape(name)}</h2>')
        out.extend(_term(g, t, label) for t in _terms(g, kind))
    out.append("</body></html>\n")
    return "\n".join(out)
