"""HTML pages of the server, from the Jinja2 templates in ``templates/`` (autoescaped): home,
resource descriptions, SPARQL results, the query editor, 404.

Pages are bilingual (zh / en) where the data is. No inline script (the Content-Security-Policy
forbids it): the query editor's behaviour is the packaged ``assets/query.js``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache

from rdflib import URIRef

from ..core.vocab import CKG, curie

SKOS_PREFLABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DESIGNEE = str(CKG.designee)


class Links:
    """Turns release IRIs into links on this server (``prefix`` = the app's root path)."""

    def __init__(self, release_base: str, prefix: str = "") -> None:
        self.release_base = release_base
        self.prefix = prefix.rstrip("/")

    def href(self, iri: str) -> str:
        if iri.startswith(self.release_base):
            return f"{self.prefix}/{iri[len(self.release_base):]}"
        return iri


def curie_text(iri: str) -> str:
    return curie(URIRef(iri))


@cache
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("cnipa_kg.web", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals["curie"] = curie_text
    return env


def render(template: str, **context) -> str:
    return _environment().get_template(template).render(**context)


def _labels(triples: list[tuple[str, str, dict]]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for s, p, o in triples:
        if p == SKOS_PREFLABEL and o.get("type") == "literal":
            out[s].setdefault(o.get("lang", ""), o["value"])
    return out


def resource_page(iri: str, triples: list[tuple[str, str, dict]], links: Links, *, alternates: dict[str, str]) -> str:
    """A description page: outgoing properties, then what links here."""
    labels = _labels(triples)
    own = labels.get(iri, {})
    out_props: dict[str, list[dict]] = defaultdict(list)
    incoming: dict[str, list[str]] = defaultdict(list)
    designees: dict[str, str] = {}
    for s, p, o in triples:
        if s == iri:
            out_props[p].append(o)
        elif o.get("type") == "uri" and o["value"] == iri:
            incoming[p].append(s)
        if p == DESIGNEE:
            designees[s] = o["value"]
    properties = [(p, sorted(out_props[p], key=lambda o: (o.get("lang", ""), o["value"])))
                  for p in sorted(out_props, key=lambda x: (x != RDF_TYPE, curie_text(x)))]
    linked = [(p, sorted(incoming[p], key=lambda x: (len(x), x))) for p in sorted(incoming, key=curie_text)]
    return render("resource.html", iri=iri, title_zh=own.get("zh", ""), title_en=own.get("en", ""), labels=labels,
                  links=links, alternates=alternates, properties=properties, incoming=linked, designees=designees)


def home_page(summary: dict, links: Links) -> str:
    return render("home.html", summary=summary, links=links)


def query_page(named: dict[str, tuple[str, str]], links: Links, *, query: str = "") -> str:
    """The query editor; ``named`` maps name -> (title, text)."""
    first = query or (next(iter(named.values()))[1] if named else "SELECT * WHERE { ?s ?p ?o } LIMIT 10")
    return render("query.html", named=named, links=links, query=first)


MAX_HTML_ROWS = 1000  #: rows a results page shows (the rest: download as CSV or JSON)


def results_page(results_json: bytes, links: Links, *, query: str) -> str:
    """SPARQL JSON results as an HTML table (for a browser that asked /sparql?query=…): the first
    :data:`MAX_HTML_ROWS` rows, and links to the whole answer as CSV and JSON."""
    from urllib.parse import urlencode

    data = json.loads(results_json)
    if "boolean" in data:
        return render("results.html", links=links, query=query, boolean=data["boolean"], names=[], rows=[], total=0,
                      downloads={})
    names = data["head"]["vars"]
    bindings = data["results"]["bindings"]
    rows = [[b.get(n) for n in names] for b in bindings[:MAX_HTML_ROWS]]
    downloads = {fmt.upper(): f"{links.prefix}/sparql?{urlencode({'query': query, 'format': fmt})}" for fmt in ("csv", "json")}
    return render("results.html", links=links, query=query, boolean=None, names=names, rows=rows, total=len(bindings),
                  downloads=downloads)


def graph_page(turtle: bytes, links: Links, *, query: str) -> str:
    return render("graph.html", links=links, query=query, turtle=turtle.decode("utf-8"))


def not_found_page(path: str, links: Links) -> str:
    return render("not_found.html", links=links, path=path)
