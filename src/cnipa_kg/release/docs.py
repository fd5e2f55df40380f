"""Ontology documentation ``docs/index.html``, generated from ``ontology/cnipa-kg.ttl``.

Every ckg: class, property, concept scheme and concept has an entry whose ``id`` is its local name
(``ckg:Designation`` → ``id="Designation"``); each term of another vocabulary that the ontology
declares, one whose ``id`` is its CURIE (``id="eli:cites"``). Links are fragments (``#Designation``)
or absolute (an external term's IRI), so the one file works as ``dist/docs/index.html`` and as the page
of ``/def``. Plain HTML, CSS in one <style>, inline SVG; no script, nothing fetched; the Jinja2
template ``templates/ontology.html`` (autoescaped) writes it; the same ontology gives the same bytes.

The diagram: boxes for the classes (defined classes aside) and whatever the object properties link,
an arrow per (class, property, class) of :func:`links`: rdfs:domain × rdfs:range (unions expanded) or
a class's owl:allValuesFrom / someValuesFrom restriction; where the ontology leaves the domain or a
specific range open (``ckg:tier``: range skos:Concept, no domain), the SHACL shapes' sh:targetClass ×
sh:class / sh:or / sh:in (concepts → their scheme); last, :data:`_USAGE`. Laid out in layers
(:func:`diagram`); each SVG edge is ``<g class="edge" data-property="eli:cites" data-from="Notice"
data-to="PolicyDocument">``, ending 2 px outside its target box, its label placed clear of boxes and
other labels.

This module is over 300 lines: the page and its diagram's layout (which nothing else uses) are one
piece, and the layout's steps (layers, ordering, placement, label spots) are small functions here.
"""

from __future__ import annotations

import math
import unicodedata
from functools import cache
from itertools import pairwise

from markupsafe import Markup, escape
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS, XSD

from ..core.labels import label
from ..core.resources import shapes_path
from ..core.vocab import CKG, ELI, ONTOLOGY_IRI, curie

_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:70rem;margin:1.5rem auto;padding:0 1rem;color:#222;line-height:1.5;overflow-wrap:anywhere}
h1{font-size:1.6rem;line-height:1.25}h2{border-bottom:1px solid #ccc;margin-top:2.5rem}
a{color:#1a4d8f}code,.iri{font-family:ui-monospace,monospace;font-size:.9em;overflow-wrap:anywhere;word-break:break-word}
nav{display:flex;flex-wrap:wrap;gap:.3rem 1rem}
.term{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.term h3{margin:.2rem 0;font-size:1.15rem}.term h3 .en{font-weight:normal;color:#444}
.meta{color:#555;font-size:.9rem;margin:.2rem 0}
.badge{display:inline-block;background:#fde2e1;color:#8a1c1c;border-radius:4px;padding:0 .4rem;font-size:.8rem;font-weight:bold}
.deprecated{background:#fff4e5;border-left:4px solid #d9822b;padding:.3rem .6rem;margin:.4rem 0}
dl{display:grid;grid-template-columns:minmax(6rem,11rem) minmax(0,1fr);gap:.2rem 1rem;margin:.4rem 0}dt{color:#666}dd{margin:0;min-width:0}
@media (max-width:36rem){dl{grid-template-columns:minmax(0,1fr)}dt{margin-top:.3rem}dd{padding-left:.6rem}}
figure{margin:1rem 0}svg{display:block;width:100%;height:auto;border:1px solid #eee}figcaption{font-size:.9rem;color:#555}
"""

#: how a property of another vocabulary is used where neither the ontology nor the shapes say (the
#: data: graph/mint.py writes ``notice eli:cites document``, each cited document a ckg:PolicyDocument)
_USAGE = {ELI.cites: ((CKG.Notice, CKG.PolicyDocument),)}
_WHERE = {"ontology": "", "shapes": " (as the SHACL shapes use it)", "usage": " (as the data uses it)"}
_GENERIC = {SKOS.Concept, OWL.Thing, RDFS.Resource}
_BUILTIN = tuple(str(ns) for ns in (OWL, RDF, RDFS, XSD))
_KINDS = ((OWL.Class, "class"), (OWL.ObjectProperty, "object property"), (OWL.DatatypeProperty, "datatype property"),
          (OWL.AnnotationProperty, "annotation property"), (SKOS.ConceptScheme, "concept scheme"), (SKOS.Concept, "concept"))
_SECTIONS = (
    ("classes", "Classes · 类", OWL.Class),
    ("object-properties", "Object properties · 对象属性", OWL.ObjectProperty),
    ("datatype-properties", "Datatype properties · 数据属性", OWL.DatatypeProperty),
    ("schemes", "Concept schemes · 概念体系", SKOS.ConceptScheme),
    ("concepts", "Concepts · 概念", SKOS.Concept),
    ("other-terms", "Other terms · 其他术语", None),
)


def is_ckg(node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(str(CKG))


def anchor(node) -> str:
    """The ``id`` of a term's entry: a ckg: term's local name, another term's CURIE (or IRI)."""
    return str(node)[len(str(CKG)):] if is_ckg(node) else (curie(node).strip("<>"))


def _label(g: Graph, node, lang: str, prop=None) -> str:
    """``rdfs:label`` (else ``skos:prefLabel``) in ``lang``, or the given property's."""
    return label(g, node, lang, props=(prop,) if prop is not None else (RDFS.label, SKOS.prefLabel))


def _deprecated(g: Graph, node) -> bool:
    return any(str(o).lower() in ("true", "1") for o in g.objects(node, OWL.deprecated))


def _link(node) -> Markup:
    """A ckg: term as a link to its entry, another IRI as its CURIE linked to the IRI."""
    if is_ckg(node):
        return Markup('<a href="#{}">{}</a>').format(anchor(node), curie(node))
    if isinstance(node, URIRef) and str(node).startswith(("http://", "https://")):
        return Markup('<a href="{}">{}</a>').format(str(node), curie(node))
    return escape(curie(node))


def _links(nodes) -> Markup:
    return Markup(", ").join(_link(n) for n in sorted(set(nodes), key=str))


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
        for p, word in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only")):
            if (v := g.value(node, p)) is not None:
                return Markup("({} {} {})").format(prop, word, _expr(g, v))
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


# -- what each object property links ----------------------------------------------------------------

@cache
def _shapes() -> Graph:
    return Graph().parse(shapes_path(), format="turtle")


def _schemes(g: Graph, concepts) -> list[URIRef]:
    """The (not deprecated) concept schemes that all of ``concepts`` are in, else any of them is in."""
    sets = [{s for s in g.objects(c, SKOS.inScheme) if not _deprecated(g, s)} for c in concepts]
    common = set.intersection(*sets) if sets else set()
    return sorted(common or set().union(*sets), key=str)


def _shape_uses(g: Graph, shapes: Graph) -> dict:
    """property → {(target class, value class or scheme)} from the SHACL property shapes."""
    uses: dict = {}
    for shape, cls in shapes.subject_objects(SH.targetClass):
        for ps in shapes.objects(shape, SH.property):
            path = shapes.value(ps, SH.path)
            if not isinstance(path, URIRef) or not isinstance(cls, URIRef):
                continue
            values = list(shapes.objects(ps, SH["class"]))
            for alt in shapes.objects(ps, SH["or"]):
                values += [c for item in Collection(shapes, alt) for c in shapes.objects(item, SH["class"])]
            for lst in shapes.objects(ps, SH["in"]):
                values += _schemes(g, list(Collection(shapes, lst)))
            uses.setdefault(path, set()).update((cls, v) for v in values if isinstance(v, URIRef))
    return uses


def links(g: Graph, shapes: Graph | None = None) -> list[tuple[URIRef, URIRef, URIRef, str]]:
    """(class, object property, class, where it is said) for every (not deprecated) object property;
    where: ``ontology`` (domain × range or a restriction), ``shapes`` or ``usage`` (:data:`_USAGE`)."""
    from_shapes = _shape_uses(g, shapes if shapes is not None else _shapes())
    from_axioms: dict = {}
    for cls, r in g.subject_objects(RDFS.subClassOf):
        if isinstance(cls, URIRef) and (p := g.value(r, OWL.onProperty)) is not None:
            for v in (*g.objects(r, OWL.allValuesFrom), *g.objects(r, OWL.someValuesFrom)):
                from_axioms.setdefault(p, set()).update((cls, m) for m in _members(g, v))
    found = set()
    for p in sorted({s for s in g.subjects(RDF.type, OWL.ObjectProperty) if isinstance(s, URIRef)}, key=str):
        if _deprecated(g, p):
            continue
        domains = [m for d in g.objects(p, RDFS.domain) for m in _members(g, d)]
        ranges = [m for r in g.objects(p, RDFS.range) for m in _members(g, r)]
        candidates = (({(d, r) for d in domains for r in ranges} | from_axioms.get(p, set()), "ontology"),
                      (from_shapes.get(p, set()), "shapes"), (set(_USAGE.get(p, ())), "usage"))
        for pairs, where in candidates:
            pairs = {(d, r) for d, r in pairs if r not in _GENERIC and d not in _GENERIC}
            if pairs:
                found |= {(d, p, r, where) for d, r in pairs}
                break
    return sorted(found, key=lambda e: (curie(e[1]), str(e[0]), str(e[2])))


# -- the diagram: a layered layout (layers, dummy nodes on long edges, barycentre ordering) ----------

EDGE_FONT, NAME_FONT, CURIE_FONT = 11, 13, 11  #: font sizes (px) of edge labels and of a box's two lines
_ROW, _GAP, _PAD = 140, 40, 10  #: distance between layers, least gap between boxes, box padding


def text_width(text: str, size: float, em: float = 0.6) -> float:
    """Estimated width of ``text``: 1 em a CJK (wide) character, ``em`` any other."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * em for ch in text)


def _layers(nodes: list, pairs: set) -> tuple[dict, set]:
    """The layer of each node (longest path from the top) and the pairs turned downwards; cycles are
    broken by Eades' greedy order (sinks last, sources first, else the node with most out-edges)."""
    succ = {n: {b for a, b in pairs if a == n} for n in nodes}
    pred = {n: {a for a, b in pairs if b == n} for n in nodes}
    rest, head, tail = list(nodes), [], []
    while rest:
        live = set(rest)
        if (n := next((m for m in rest if not succ[m] & live), None)) is not None:
            tail.insert(0, n)
        else:
            n = next((m for m in rest if not pred[m] & live), None)
            head.append(n if n is not None else max(rest, key=lambda m: len(succ[m] & live) - len(pred[m] & live)))
            n = head[-1]
        rest.remove(n)
    rank = {n: i for i, n in enumerate(head + tail)}
    down = {(a, b) if rank[a] < rank[b] else (b, a) for a, b in pairs}
    layer: dict = {}
    for n in head + tail:
        layer[n] = max((layer[a] + 1 for a, b in down if b == n), default=0)
    for n in reversed(head + tail):  # a node with nothing above sits just above its highest successor
        if not any(b == n for _, b in down) and (below := [layer[b] for a, b in down if a == n]):
            layer[n] = min(below) - 1
    return layer, down


def _crossings(rows: list, segs: list) -> int:
    pos = {n: i for row in rows for i, n in enumerate(row)}
    level = {n: k for k, row in enumerate(rows) for n in row}
    count = 0
    for k in range(len(rows) - 1):
        span = [(pos[u], pos[v]) for u, v in segs if level[u] == k]
        count += sum(1 for i, (a, b) in enumerate(span) for c, d in span[i + 1:] if (a - c) * (b - d) < 0)
    return count


def _rows(layer: dict, down: set) -> tuple[list, dict, list]:
    """The nodes of each layer in order (few crossings), each pair's chain of nodes, the segments."""
    rows: list = [[] for _ in range(max(layer.values(), default=0) + 1)]
    for n in sorted(layer, key=str):
        rows[layer[n]].append(n)
    chains = {}
    for a, b in sorted(down, key=str):
        via = [("via", str(a), str(b), k) for k in range(layer[a] + 1, layer[b])]
        for k, d in enumerate(via, layer[a] + 1):
            rows[k].append(d)
        chains[(a, b)] = [a, *via, b]
    segs = [s for chain in chains.values() for s in pairwise(chain)]
    best, fewest = [r[:] for r in rows], _crossings(rows, segs)
    for sweep in range(24):
        downwards = sweep % 2 == 0
        for k in range(1, len(rows)) if downwards else range(len(rows) - 2, -1, -1):
            pos = {n: i for row in rows for i, n in enumerate(row)}
            other = set(rows[k - 1] if downwards else rows[k + 1])
            near = {n: [pos[m] for u, v in segs for m in (u, v) if n in (u, v) and m != n and m in other] for n in rows[k]}
            rows[k].sort(key=lambda n: sum(near[n]) / len(near[n]) if near[n] else pos[n])
        if (c := _crossings(rows, segs)) < fewest:
            best, fewest = [r[:] for r in rows], c
    return best, chains, segs


def _pava(want: list, seps: list) -> list:
    """The positions nearest ``want`` (least squares) that keep their order, neighbours ``seps`` apart."""
    offs = [0.0]
    for s in seps:
        offs.append(offs[-1] + s)
    blocks: list = []
    for w, o in zip(want, offs):
        blocks.append([w - o, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            (m2, c2), (m1, c1) = blocks.pop(), blocks.pop()
            blocks.append([(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2])
    return [m + o for (m, c), o in zip((b for b in blocks for _ in range(b[1])), offs)]


def _columns(rows: list, segs: list, extent: dict) -> dict:
    """x of each node: near the mean of its neighbours', boxes (and loops) at least _GAP apart."""
    near: dict = {n: [] for row in rows for n in row}
    for u, v in segs:
        near[u].append(v)
        near[v].append(u)
    seps = [[extent[a][1] + _GAP + extent[b][0] for a, b in pairwise(row)] for row in rows]
    x = {n: p for row, sep in zip(rows, seps) for n, p in zip(row, _pava([0.0] * len(row), sep))}
    for _ in range(40):
        for row, sep in zip(rows, seps):
            x.update(zip(row, _pava([sum(x[m] for m in near[n]) / len(near[n]) if near[n] else x[n] for n in row], sep)))
    return x


def _exit(box: tuple, p: tuple, q: tuple) -> tuple:
    """Where the segment from ``p`` (in ``box``: cx, cy, half width, half height) to ``q`` leaves the box, 2 px out."""
    (cx, cy, hw, hh), (px, py), (qx, qy) = box, p, q
    dx, dy = qx - px, qy - py
    t = min(((cx + math.copysign(hw + 2, dx)) - px) / dx if dx else math.inf,
            ((cy + math.copysign(hh + 2, dy)) - py) / dy if dy else math.inf)
    return px + t * dx, py + t * dy


def _path(pts: list) -> str:
    """A polyline with its bends rounded (a quadratic curve through each inner point)."""
    out = ["M {:.1f} {:.1f}".format(*pts[0])]
    for (ax, ay), (bx, by), (cx, cy) in zip(pts, pts[1:], pts[2:]):
        out.append(f"L {(ax + bx) / 2:.1f} {(ay + by) / 2:.1f} Q {bx:.1f} {by:.1f} {(bx + cx) / 2:.1f} {(by + cy) / 2:.1f}")
    return " ".join([*out, "L {:.1f} {:.1f}".format(*pts[-1])])


def _overlap(a: tuple, b: tuple) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _spot(pts: list, width: float, taken: list) -> tuple:
    """The centre of an edge's label: the first place along the edge (middle first, then either side,
    then beside the line) where it covers no box and no other label; else the least covering."""
    lengths = [math.dist(a, b) for a, b in pairwise(pts)]
    best = None
    for shift in (0, 10, -10, 20, -20):
        for f in (0.5, 0.4, 0.6, 0.3, 0.7, 0.45, 0.55, 0.35, 0.65, 0.25, 0.75, 0.2, 0.8):
            s = f * sum(lengths)
            i = next((i for i, length in enumerate(lengths) if s <= length), len(lengths) - 1)
            s -= sum(lengths[:i])
            (ax, ay), (bx, by), length = pts[i], pts[i + 1], lengths[i] or 1.0
            x, y = ax + (bx - ax) * s / length - shift * (by - ay) / length, ay + (by - ay) * s / length + shift * (bx - ax) / length
            rect = (x - width / 2, y - 8, x + width / 2, y + 7)
            cover = sum(_overlap(rect, t) for t in taken)
            if best is None or cover < best[0]:
                best = (cover, x, y, rect)
            if cover == 0:
                return best
    return best


def diagram(g: Graph, classes: list, edges: list) -> dict:
    """Boxes (the classes and the ends of the edges) and arrows (``edges``: (from, property, to), plus
    subclass arrows between boxes), in layers; geometry only, the template draws the SVG."""
    nodes = sorted(set(classes) | {n for d, _, r in edges for n in (d, r)}, key=str)
    edges = list(edges) + [(a, RDFS.subClassOf, b) for a in nodes for b in sorted(g.objects(a, RDFS.subClassOf), key=str)
                           if b in nodes and b != a]
    box = {}
    for n in nodes:
        zh, c = _label(g, n, "zh"), curie(n)
        lines = [(zh, NAME_FONT, True), (c, CURIE_FONT, False)] if zh else [(c, NAME_FONT, True)]
        w = max(text_width(t, size, 0.72 if bold else 0.64) for t, size, bold in lines) + 2 * _PAD
        box[n] = {"id": anchor(n), "w": math.ceil(max(w, 90) / 2) * 2, "h": 14 + 16 * len(lines), "lines": lines,
                  "title": " · ".join(t for t in (c, _label(g, n, "en")) if t)}
    loops = {n: [p for d, p, r in edges if d == r == n] for n in nodes}
    extent: dict = {}
    for n in nodes:
        sides = [[text_width(curie(p), EDGE_FONT, 0.66) + 40 + 14 * (i // 2) for i, p in enumerate(loops[n]) if i % 2 == k]
                 for k in (1, 0)]
        extent[n] = tuple(box[n]["w"] / 2 + max(side, default=0) for side in sides)
    layer, down = _layers(nodes, {(d, r) for d, _, r in edges if d != r})
    rows, chains, segs = _rows(layer, down)
    extent.update({n: (6, 6) for row in rows for n in row if n not in box})
    xs = _columns(rows, segs, extent)
    at = {n: (xs[n], layer_y * _ROW) for layer_y, row in enumerate(rows) for n in row}
    rect = {n: (at[n][0], at[n][1], box[n]["w"] / 2, box[n]["h"] / 2) for n in nodes}
    taken = [(x - hw - 3, y - hh - 3, x + hw + 3, y + hh + 3) for x, y, hw, hh in rect.values()]
    drawn, bounds = [], list(taken)
    for n in nodes:  # loops: to the right, then the left, of the box, from its top half to its bottom half
        x, y, hw, _ = rect[n]
        for i, p in enumerate(loops[n]):
            side, reach, text = (1 if i % 2 == 0 else -1), 34 + 14 * (i // 2), curie(p)
            bx, lw = x + side * (hw + 2), text_width(text, EDGE_FONT, 0.66)
            lx = bx + side * (reach * 0.8 + 4 + lw / 2)
            drawn.append({"property": text, "from": anchor(n), "to": anchor(n), "kind": "property", "label": text,
                          "d": f"M {bx:.1f} {y - 8:.1f} C {bx + side * reach:.1f} {y - 8 - reach:.1f} "
                               f"{bx + side * reach:.1f} {y + 8 + reach:.1f} {bx:.1f} {y + 8:.1f}", "lx": lx, "ly": y + 4})
            taken.append((lx - lw / 2, y - 8, lx + lw / 2, y + 7))
            bounds += [taken[-1], (bx - 1, y - reach, bx + side * reach, y + reach)]
    pairs: dict = {}
    for d, p, r in edges:
        if d != r:
            pairs.setdefault(frozenset((d, r)), []).append((d, p, r))
    lines = []
    for group in pairs.values():
        for k, (d, p, r) in enumerate(group):
            chain = chains[(d, r)] if (d, r) in chains else chains[(r, d)]  # as laid out: downwards
            pts = [at[n] for n in chain]
            (x0, y0), (x1, y1) = pts[0], pts[-1]
            off, length = (k - (len(group) - 1) / 2) * 10, math.dist(pts[0], pts[-1]) or 1.0
            pts = [(x - off * (y1 - y0) / length, y + off * (x1 - x0) / length) for x, y in pts]
            pts = pts if chain[0] == d else pts[::-1]
            pts[0], pts[-1] = _exit(rect[d], pts[0], pts[1]), _exit(rect[r], pts[-1], pts[-2])
            lines.append((sum(math.dist(a, b) for a, b in pairwise(pts)), len(lines), d, p, r, pts))
    for _, _, d, p, r, pts in sorted(lines, key=lambda e: e[:2]):
        edge = {"property": curie(p), "from": anchor(d), "to": anchor(r), "d": _path(pts),
                "kind": "subclass" if p == RDFS.subClassOf else "property", "label": "" if p == RDFS.subClassOf else curie(p)}
        if edge["label"]:
            _, lx, ly, spot = _spot(pts, text_width(edge["label"], EDGE_FONT, 0.66) + 4, taken)
            taken.append(spot)
            edge.update(lx=lx, ly=ly + 4)
        drawn.append(edge)
        bounds += [(min(x for x, _ in pts), min(y for _, y in pts), max(x for x, _ in pts), max(y for _, y in pts))]
    bounds += taken
    left, top = min(b[0] for b in bounds) - 8, min(b[1] for b in bounds) - 8
    view = (left, top, max(b[2] for b in bounds) + 8 - left, max(b[3] for b in bounds) + 8 - top)
    boxes = [{**box[n], "x": rect[n][0] - rect[n][2], "y": rect[n][1] - rect[n][3], "cx": rect[n][0],
              "lines": [{"text": t, "size": size, "bold": bold, "y": rect[n][1] - rect[n][3] + 19 + 16 * i}
                        for i, (t, size, bold) in enumerate(box[n]["lines"])]} for n in nodes]
    return {"view": " ".join(f"{v:.1f}" for v in view), "edges": sorted(drawn, key=lambda e: (e["property"], e["from"], e["to"])),
            "nodes": boxes}


# -- the entries ----------------------------------------------------------------------------------

def _kind(g: Graph, node) -> str:
    return next((name for kind, name in _KINDS if (node, RDF.type, kind) in g), "term")


def _definitions(g: Graph, node) -> list[tuple[str, str, str]]:
    rows = []
    for prop, name in ((SKOS.definition, "definition"), (RDFS.comment, "comment"), (SKOS.scopeNote, "use")):
        rows += [(f"{name} ({lang})", _label(g, node, lang, prop), lang) for lang in ("zh", "en")]
    return rows


_AXIOMS = ((RDFS.subClassOf, "subclass of"), (OWL.equivalentClass, "equivalent to"), (OWL.disjointWith, "disjoint with"),
           (RDFS.subPropertyOf, "subproperty of"), (OWL.inverseOf, "inverse of"), (RDFS.domain, "domain"),
           (RDFS.range, "range"), (SKOS.inScheme, "in scheme"), (SKOS.broader, "broader"),
           (SKOS.hasTopConcept, "top concepts"))


def _entry(g: Graph, node: URIRef, used: list) -> dict:
    rows = _definitions(g, node)
    for prop, name in _AXIOMS:
        if values := sorted({str(_expr(g, v)) for v in g.objects(node, prop)}):  # not by blank node label
            rows.append((name, Markup(", ").join(Markup(v) for v in values), ""))
    rows.append(("has inverse", _links(g.subjects(OWL.inverseOf, node)), ""))
    if (node, RDF.type, OWL.FunctionalProperty) in g:
        rows.append(("characteristics", "functional", ""))
    if (node, RDF.type, SKOS.ConceptScheme) in g:
        rows.append(("concepts", _links(s for s in g.subjects(SKOS.inScheme, node)), ""))
    if (node, RDF.type, OWL.Class) in g:
        for prop, name in ((RDFS.domain, "domain of"), (RDFS.range, "range of")):
            props = [p for p, v in g.subject_objects(prop) if node in _members(g, v) and isinstance(p, URIRef)]
            rows.append((name, _links(props), ""))
        rows.append(("superclass of", _links(s for s in g.subjects(RDFS.subClassOf, node) if isinstance(s, URIRef)), ""))
    rows.append(("links", Markup("<br>").join(Markup("{} —{}→ {}{}").format(_link(d), _link(p), _link(r), _WHERE[where])
                                               for d, p, r, where in used if node in (d, p, r)), ""))
    return {"id": anchor(node), "curie": curie(node), "iri": str(node), "kind": _kind(g, node),
            "label_zh": _label(g, node, "zh"), "label_en": _label(g, node, "en"),
            "deprecated": _deprecated(g, node), "replaced_by": _links(g.objects(node, DCTERMS.isReplacedBy)),
            "link": not is_ckg(node) and str(node).startswith(("http://", "https://")), "rows": [r for r in rows if r[1]]}


def _sections(g: Graph, used: list) -> list[tuple[str, str, list[dict]]]:
    terms = {s for s in g.subjects() if is_ckg(s)}
    sections = []
    for sid, name, kind in _SECTIONS:
        mine = sorted((t for t in terms if kind is None or (t, RDF.type, kind) in g), key=str)
        terms -= set(mine)
        sections.append((sid, name, [_entry(g, t, used) for t in mine]))
    return [s for s in sections if s[2] or s[0] != "other-terms"]


def _external(g: Graph, used: list) -> list[dict]:
    """Terms of other vocabularies that the ontology declares or the diagram draws (what the project uses of them)."""
    declared = {s for kind, _ in _KINDS for s in g.subjects(RDF.type, kind)} | {n for link in used for n in link[:3]}
    terms = [t for t in declared if isinstance(t, URIRef) and not is_ckg(t) and not str(t).startswith(_BUILTIN)
             and str(t) != ONTOLOGY_IRI]
    order = {name: i for i, (_, name) in enumerate(_KINDS)}
    return sorted((_entry(g, t, used) for t in terms), key=lambda e: (order.get(e["kind"], 99), e["curie"]))


@cache
def _template():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("cnipa_kg.release", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env.get_template("ontology.html")


def ontology_html(g: Graph, shapes: Graph | None = None) -> str:
    """The page (same ontology and shapes → the same text)."""
    onto = URIRef(ONTOLOGY_IRI)
    used = links(g, shapes)
    drawn = [(d, p, r) for d, p, r, _ in used]
    classes = [c for c in g.subjects(RDF.type, OWL.Class) if is_ckg(c) and (c, OWL.equivalentClass, None) not in g
               and not _deprecated(g, c)]
    svg = diagram(g, classes, drawn)
    return _template().render(
        css=Markup(_CSS), title_en=_label(g, onto, "en", DCTERMS.title), title_zh=_label(g, onto, "zh", DCTERMS.title),
        description_en=_label(g, onto, "en", DCTERMS.description), description_zh=_label(g, onto, "zh", DCTERMS.description),
        namespace=str(CKG), version=str(g.value(onto, OWL.versionInfo) or ""), licence=str(g.value(onto, DCTERMS.license) or ""),
        sections=_sections(g, used), external=_external(g, used), svg=svg, edge_font=EDGE_FONT)
