"""HTML pages of the server and of the static site, from the Jinja2 templates in ``templates/``
(autoescaped): home, search, the purpose-built page of each kind of resource (notice, annex,
designation, division, park, organisation, policy document) and the generic description, SPARQL
results, the query editor, 404.

Pages are bilingual (zh first, en beside) where the data is. No inline script or style (the
Content-Security-Policy forbids them): behaviour is the packaged ``assets/*.js``. Links go
through :class:`Links`, so the same templates serve the app (absolute paths under its root) and
the static site (paths relative to the page, with ``.html``).
"""

from __future__ import annotations

import json
import math
import posixpath
import re
from collections import defaultdict
from functools import cache

from rdflib import URIRef

from ..core.vocab import CKG, curie
from . import geo
from .middleware import PAGE_CSP
from .views import STATUS_TEXT

SKOS_PREFLABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DESIGNEE = str(CKG.designee)


_LINKABLE = re.compile(r"(?i)(https?://|mailto:)")


class Links:
    """Turns release IRIs and site paths into links.

    On the server (``page`` None): absolute paths under ``prefix`` (the app's root path). On the
    static site (``page`` = the site path of the page being written, e.g. ``division/110108.html``):
    paths relative to that page, resources with ``.html``, and no SPARQL endpoint unless ``sparql``
    names one; with ``root`` (e.g. ``"/"``), paths from that root instead (the 404 page a static host
    shows at any depth).
    """

    def __init__(self, release_base: str, prefix: str = "", *, page: str | None = None,
                 sparql: str | None = None, pages: frozenset[str] | None = None, files: frozenset[str] = frozenset(),
                 root: str | None = None) -> None:
        self.release_base = release_base
        self.pages, self.files = pages, files  #: static site: the resources with a page, the other files
        self.prefix = prefix.rstrip("/")
        self.page = page
        self.root = root
        self.static = page is not None
        self.sparql = sparql if self.static else f"{self.prefix}/sparql"
        self.csp = PAGE_CSP  #: the static pages' <meta> policy (the server sends it as a header)

    def _relative(self, target: str) -> str:
        if self.root is not None:
            return self.root.rstrip("/") + "/" + target
        start = posixpath.dirname(self.page or "")
        return posixpath.relpath(target, start or ".")

    @staticmethod
    def linkable(iri: str) -> bool:
        """May the IRI be a link? Only http(s) and mailto IRIs (a ``javascript:`` or ``data:`` IRI in the data
        or a query's answer is shown as text, never as a link)."""
        return _LINKABLE.match(iri) is not None

    def href(self, iri: str) -> str:
        """The link to a resource: its page here if it is under the release's base, else the IRI (``#`` for
        one that may not be a link: :meth:`linkable`)."""
        if not iri.startswith(self.release_base):
            return iri if self.linkable(iri) else "#"
        path, _, fragment = iri[len(self.release_base):].partition("#")
        anchor = f"#{fragment}" if fragment else ""
        if not self.static:
            return f"{self.prefix}/{path}{anchor}"
        if path in self.files:  # a download
            return self._relative(path)
        if self.pages is not None and path and path not in self.pages:  # no page here (e.g. the endpoint)
            return iri
        return self._relative(f"{path}.html" if path else "index.html") + anchor

    def url(self, path: str) -> str:
        """A page or file of the site by its path (``""`` home, ``assets/style.css``, ``search``, ``def``)."""
        if not self.static:
            return f"{self.prefix}/{path}"
        if path in ("", "search", "def", "dataset", "holdings"):
            path = (path or "index") + ".html"
        return self._relative(path)


def curie_text(iri: str) -> str:
    return curie(URIRef(iri))


@cache
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("cnipa_kg.web", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals["curie"] = curie_text
    env.globals["status_text"] = STATUS_TEXT
    env.filters["local"] = lambda iri: iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return env


def render(template: str, **context) -> str:
    return _environment().get_template(template).render(**context)


def _labels(triples: list[tuple[str, str, dict]]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for s, p, o in triples:
        if p == SKOS_PREFLABEL and o.get("type") == "literal":
            lang = o.get("lang", "").lower()
            out[s].setdefault({"zh-latn-pinyin": "py"}.get(lang, lang), o["value"])
    return out


def statements(iri: str, triples: list[tuple[str, str, dict]]) -> dict:
    """The generic description of ``iri``: its properties, and what links to it (each linking
    resource once per property, with the designee of a linking designation)."""
    labels = _labels(triples)
    out_props: dict[str, list[dict]] = defaultdict(list)
    incoming: dict[str, set[str]] = defaultdict(set)
    designees: dict[str, str] = {}
    for s, p, o in triples:
        if s == iri or s.startswith(iri + "#"):
            out_props[p if s == iri else f"{s}|{p}"].append(o)
        elif o.get("type") == "uri" and o["value"] == iri:
            incoming[p].add(s)
        if p == DESIGNEE:
            designees[s] = o["value"]
    properties = [(p.split("|")[-1], sorted(out_props[p], key=lambda o: (o.get("lang", ""), o["value"])))
                  for p in sorted(out_props, key=lambda x: ("|" in x, x.split("|")[-1] != RDF_TYPE,
                                                            curie_text(x.split("|")[-1])))]
    linked = [(p, sorted(incoming[p], key=lambda x: (len(x), x))) for p in sorted(incoming, key=curie_text)]
    own = labels.get(iri, {})
    return {"iri": iri, "title_zh": own.get("zh", ""), "title_en": own.get("en", ""), "title_py": own.get("py", ""),
            "labels": labels, "properties": properties, "incoming": linked, "designees": designees}


def resource_page(template: str, links: Links, *, alternates: dict[str, str], described: dict, **view) -> str:
    """A resource's page: the purpose-built part (``template`` with ``view``), then every statement."""
    return render(template, links=links, alternates=alternates, **{**described, **view})


def dot_radius(tier: str) -> int:
    """The radius of a map dot (the page's own place is larger)."""
    return 9 if tier == "here" else 6


def map_points(points: list[dict], links: Links) -> list[dict]:
    """Projected map points (SVG user units of :data:`geo.VIEWBOX`) with their links. Dots that would
    overlap (Beijing's districts lie a few units apart) are moved apart, the first free place on rings
    round their own, so that each can be clicked; a moved dot keeps its true place as ``x0``, ``y0``
    (the map draws a line to it). Deterministic: placed in the order of their IRIs, this place first."""
    projected = []
    for p in points:
        lonlat = geo.parse_wkt_point(p["wkt"])
        if lonlat is None:
            continue
        x, y = geo.place(*lonlat)
        projected.append({**p, "x": x, "y": y, "x0": x, "y0": y, "href": links.href(p["iri"])})
    placed: list[dict] = []
    for p in sorted(projected, key=lambda p: (p.get("tier") != "here", p["iri"])):
        r = dot_radius(p.get("tier", ""))

        def free(x: float, y: float) -> bool:
            return all(math.hypot(x - q["x"], y - q["y"]) >= r + dot_radius(q.get("tier", "")) + 1 for q in placed)

        ring = 0
        while not free(p["x"], p["y"]) and ring < 20:
            ring += 1
            for step in range(6 * ring):
                angle = 2 * math.pi * step / (6 * ring)
                x, y = p["x0"] + ring * 2 * r * math.cos(angle), p["y0"] + ring * 2 * r * math.sin(angle)
                if free(x, y):
                    p["x"], p["y"] = round(x, 1), round(y, 1)
                    break
        placed.append(p)
    return projected


def map_box() -> str:
    return " ".join(str(v) for v in geo.VIEWBOX)


def docs_page(docs: str, links: Links) -> str:
    """The ontology documentation (a standalone file, the same as dist/docs/index.html) as the site's /def
    page: with a link back to the site's home page at the top of its body."""
    from markupsafe import escape

    back = (f'<p style="margin:0 0 1em"><a href="{escape(links.url(""))}">← cnipa-kg</a> · '
            f'<a href="{escape(links.url("search"))}">搜索 Search</a></p>')
    head, body, rest = docs.partition("<body>")
    return head + body + back + rest if body else docs


def home_page(summary: dict, links: Links, **view) -> str:
    return render("home.html", summary=summary, links=links, viewbox=map_box(), **view)


def search_page(links: Links, *, query: str, hits: list[dict] | None) -> str:
    return render("search.html", links=links, query=query, hits=hits)


def _prefixes() -> dict[str, str]:
    from ..core.vocab import PREFIXES

    return {p: str(ns) for p, ns in PREFIXES.items()}


def query_page(named: dict[str, tuple[str, str]], links: Links, *, query: str = "", terms: list = ()) -> str:
    """The query editor; ``named`` maps name -> (title, text), ``terms`` are what it completes after
    ``prefix:`` (``[iri, kind, label]``, :mod:`.terms`)."""
    first = query or (next(iter(named.values()))[1] if named else "SELECT * WHERE { ?s ?p ?o } LIMIT 10")
    return render("query.html", named=named, links=links, query=first, prefixes=_prefixes(), terms=list(terms))


MAX_HTML_ROWS = 1000  #: rows a results page shows (the rest: download as CSV or JSON)


def results_page(results_json: bytes, links: Links, *, query: str, named: dict | None = None, terms: list = ()) -> str:
    """SPARQL JSON results as an HTML table (for a browser that asked /sparql?query=…): the first
    :data:`MAX_HTML_ROWS` rows, and links to the whole answer as CSV and JSON."""
    from urllib.parse import urlencode

    data = json.loads(results_json)
    if "boolean" in data:
        return render("results.html", links=links, query=query, boolean=data["boolean"], names=[], rows=[], total=0,
                      downloads={}, named=named or {}, prefixes=_prefixes(), terms=list(terms))
    names = data["head"]["vars"]
    bindings = data["results"]["bindings"]
    rows = [[b.get(n) for n in names] for b in bindings[:MAX_HTML_ROWS]]
    downloads = {fmt.upper(): f"{links.prefix}/sparql?{urlencode({'query': query, 'format': fmt})}" for fmt in ("csv", "tsv", "json")}
    return render("results.html", links=links, query=query, boolean=None, names=names, rows=rows, total=len(bindings),
                  downloads=downloads, named=named or {}, prefixes=_prefixes(), terms=list(terms))


def graph_page(turtle: bytes, links: Links, *, query: str, named: dict | None = None, terms: list = ()) -> str:
    return render("graph.html", links=links, query=query, turtle=turtle.decode("utf-8"), named=named or {},
                  prefixes=_prefixes(), terms=list(terms))


def not_found_page(path: str, links: Links) -> str:
    return render("not_found.html", links=links, path=path)
