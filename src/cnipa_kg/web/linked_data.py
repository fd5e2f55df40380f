"""Dereferenceable linked data: every IRI minted under the release's base answers with its
description (what it says, and what links to it) as HTML, Turtle, JSON-LD or N-Triples, by
``Accept`` or by a ``.html``/``.ttl``/``.jsonld``/``.nt`` suffix."""

from __future__ import annotations

import json
import re
from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..core.formats import graph_format
from ..core.sparql import with_prefixes
from ..core.vocab import PREFIXES
from . import kinds, pages, views
from .negotiate import OFFERS, SUFFIXES, negotiate
from .responses import error, respond
from .state import ServedRelease

Triple = tuple[str, str, dict]  #: (subject, predicate, object as a SPARQL JSON term)
_TURTLE_PREFIXES = {p: str(PREFIXES[p]) for p in ("ckg", "eli", "skos", "org", "prov", "xsd", "owl", "rdfs", "dcterms",
                                                  "geo", "wd", "void", "dcat", "schema")}


class LinkedData:
    def __init__(self, release: ServedRelease, not_found) -> None:
        self.release = release
        self.not_found = not_found

    def describe(self, iri: str) -> list[Triple] | None:
        """The triples about ``iri`` (with its hash resources: a division's ``#point``, the
        terms the ontology defines, ``#Term``) and pointing to it, with the labels a page
        shows; None if unknown. The VoID description answers for what the data does not have (the
        dataset, its partitions, its publisher)."""
        cache = self.release.cache
        key = ("describe", iri)
        cached = cache.get(key)
        if cached is not None:
            return cached or None
        import pyoxigraph as ox

        try:
            node = ox.NamedNode(iri)
        except ValueError:  # the path is not a valid IRI: nothing can be minted there
            return None
        triples = None
        for store in (self.release.store, self.release.void_store):
            if any(True for _ in store.quads_for_pattern(node, None, None)):
                triples = self._construct(store, iri)
                break
        cache.put(key, triples or [])
        return triples

    @staticmethod
    def _construct(store, iri: str) -> list[Triple]:
        ref = f"<{iri}>"
        q = f"""CONSTRUCT {{ {ref} ?p ?o . ?o skos:prefLabel ?ol . ?s ?q {ref} . ?s skos:prefLabel ?sl .
                              ?s ckg:designee ?dd . ?dd skos:prefLabel ?ddl . ?o ?hp ?ho . ?t ?tp ?to }}
                WHERE {{ {{ {ref} ?p ?o OPTIONAL {{ ?o skos:prefLabel ?ol }}
                           OPTIONAL {{ FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{iri}#")) ?o ?hp ?ho }} }}
                         UNION {{ ?s ?q {ref} OPTIONAL {{ ?s skos:prefLabel ?sl }}
                                  OPTIONAL {{ ?s ckg:designee ?dd . ?dd skos:prefLabel ?ddl }} }}
                         UNION {{ ?t rdfs:isDefinedBy {ref} ; ?tp ?to }} }}"""
        triples = [_as_json(t) for t in store.query(with_prefixes(q), use_default_graph_as_union=True)]
        if any(t[0].startswith("_:") or t[2]["type"] == "bnode" for t in triples):
            triples = _canonical(triples)
        triples.sort(key=lambda t: (t[0], t[1], json.dumps(t[2], sort_keys=True)))
        return triples

    @staticmethod
    def serialise(triples: list[Triple], media: str) -> bytes:
        import pyoxigraph as ox

        quads = []
        for s, p, o in triples:
            subject = ox.NamedNode(s) if not s.startswith("_:") else ox.BlankNode(s[2:])
            if o["type"] == "uri":
                obj = ox.NamedNode(o["value"])
            elif o["type"] == "bnode":
                obj = ox.BlankNode(o["value"][2:])
            elif "lang" in o:
                obj = ox.Literal(o["value"], language=o["lang"])
            else:
                obj = ox.Literal(o["value"], datatype=ox.NamedNode(o["datatype"]))
            quads.append(ox.Triple(subject, ox.NamedNode(p), obj))
        fmt = graph_format(media)
        if fmt == ox.RdfFormat.TURTLE:
            return ox.serialize(quads, format=fmt, prefixes=_TURTLE_PREFIXES)
        return ox.serialize(quads, format=fmt)

    def page(self, iri: str, triples: list[Triple], links: pages.Links, *, alternates: dict[str, str],
             on: date) -> str:
        """The HTML page of ``iri``: the purpose-built page of its kind, then all its statements."""
        if iri == self.release.base + "def" and self.release.docs is not None:
            return pages.docs_page(self.release.docs, links)
        types = {o["value"] for s, p, o in triples if s == iri and p == pages.RDF_TYPE}
        select = self.release.select
        if iri.startswith(self.release.base + "dataset"):  # described by void.ttl
            def select(query: str) -> list[dict[str, str]]:
                return self.release.select(query, store=self.release.void_store)
        template, view = kinds.view_of(select, iri, types, on)
        if template == "dataset.html":  # its sources are described by the data
            view["names"].update(views.labels(self.release.select, view["facts"]["source"]))
        if "points" in view:
            view["points"] = pages.map_points(view["points"], links)
            view["viewbox"] = pages.map_box()
        return pages.resource_page(template, links, alternates=alternates,
                                   described=pages.statements(iri, triples), **view)

    async def resource(self, request: Request) -> Response:
        path = request.path_params["path"]
        if not path or ".." in path or "\\" in path or "\x00" in path:
            return self.not_found(request)
        suffix_media = None
        # SPARQL and rendering off the event loop; an IRI that itself ends like a suffix
        # (…/distribution/cnipa-kg.ttl) is itself before it is a format of another
        triples = await run_in_threadpool(self.describe, self.release.base + path)
        if triples is None:
            for suffix, media in SUFFIXES.items():
                if path.endswith(suffix) and len(path) > len(suffix):
                    path, suffix_media = path[: -len(suffix)], media
                    triples = await run_in_threadpool(self.describe, self.release.base + path)
                    break
        if triples is None:
            return self.not_found(request)
        iri = self.release.base + path
        media = suffix_media or negotiate(request.headers.get("accept"), "page")
        if media is None:
            return error(406, "acceptable: " + ", ".join(OFFERS["page"]))
        root = request.scope.get("root_path", "")
        location = f"{root}/{path}{[k for k, v in SUFFIXES.items() if v == media][0]}"
        on = on_date(request)
        if isinstance(on, Response):
            return on
        key = ("page", iri, media, root, on if media == "text/html" else None)
        body = self.release.cache.get(key)
        if body is None:
            if media == "text/html":
                alternates = {f"{k[1:].upper()}": f"{root}/{path}{k}" for k in (".ttl", ".jsonld", ".nt")}
                html = await run_in_threadpool(self.page, iri, triples, self.release.links(request),
                                               alternates=alternates, on=on)
                body = html.encode()
            else:
                body = self.serialise(triples, media)
            self.release.cache.put(key, body)
        extra = {"Content-Location": location}
        if media == "text/html" and iri == self.release.base + "def" and self.release.docs is not None:
            extra["Content-Security-Policy"] = DOCS_CSP
        return respond(request, body, media, extra=extra)


#: the ontology documentation is a standalone file with its own <style>: allowed there, script still not
DOCS_CSP = ("default-src 'none'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "base-uri 'none'; frame-ancestors 'none'")


_ON = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def on_date(request: Request) -> date | Response:
    """The date of ``?on=YYYY-MM-DD`` (400 if malformed), else today."""
    text = request.query_params.get("on")
    if not text:
        return date.today()
    try:  # exactly YYYY-MM-DD, as site.js reads it (fromisoformat alone also takes 19900101 and 2024-W01-1)
        if not _ON.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        return error(400, "on: a date as YYYY-MM-DD, e.g. ?on=2024-01-01")


def _canonical(triples: list[Triple]) -> list[Triple]:
    """The same triples with blank nodes named canonically (rdflib's RGDA1): the store names them
    anew on every load, the static site must not change with it."""
    from rdflib import BNode, Graph, Literal, URIRef
    from rdflib.compare import to_canonical_graph

    def term(o: dict):
        if o["type"] == "uri":
            return URIRef(o["value"])
        if o["type"] == "bnode":
            return BNode(o["value"][2:])
        return Literal(o["value"], lang=o.get("lang"), datatype=None if "lang" in o else URIRef(o["datatype"]))

    g = Graph()
    for s, p, o in triples:
        g.add((BNode(s[2:]) if s.startswith("_:") else URIRef(s), URIRef(p), term(o)))
    out = []
    for s, p, o in to_canonical_graph(g):
        subject = f"_:{s}" if isinstance(s, BNode) else str(s)
        if isinstance(o, BNode):
            value = {"type": "bnode", "value": f"_:{o}"}
        elif isinstance(o, URIRef):
            value = {"type": "uri", "value": str(o)}
        elif o.language:
            value = {"type": "literal", "value": str(o), "lang": o.language}
        else:
            value = {"type": "literal", "value": str(o), "datatype": str(o.datatype or XSD_STRING)}
        out.append((subject, str(p), value))
    return out


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _as_json(t) -> Triple:
    import pyoxigraph as ox

    o = t.object
    if isinstance(o, ox.Literal):
        value = {"type": "literal", "value": o.value}
        if o.language:
            value["lang"] = o.language
        else:
            value["datatype"] = o.datatype.value
    elif isinstance(o, ox.NamedNode):
        value = {"type": "uri", "value": o.value}
    else:
        value = {"type": "bnode", "value": str(o)}
    return (t.subject.value if isinstance(t.subject, ox.NamedNode) else str(t.subject), t.predicate.value, value)
