"""Dereferenceable linked data: every IRI minted under the release's base answers with its
description (what it says, and what links to it) as HTML, Turtle, JSON-LD or N-Triples, by
``Accept`` or by a ``.html``/``.ttl``/``.jsonld``/``.nt`` suffix."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from ..core.formats import graph_format
from ..core.sparql import with_prefixes
from ..core.vocab import PREFIXES
from . import pages
from .negotiate import SUFFIXES, negotiate
from .responses import error, respond
from .state import ServedRelease

Triple = tuple[str, str, dict]  #: (subject, predicate, object as a SPARQL JSON term)
_TURTLE_PREFIXES = {p: str(PREFIXES[p]) for p in ("ckg", "eli", "skos", "org", "prov", "xsd")}


class LinkedData:
    def __init__(self, release: ServedRelease, not_found) -> None:
        self.release = release
        self.not_found = not_found

    def describe(self, iri: str) -> list[Triple] | None:
        """The triples about ``iri`` and pointing to it, with the labels a page shows; None if unknown."""
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
        store = self.release.store
        if not any(True for _ in store.quads_for_pattern(node, None, None)):
            cache.put(key, [])
            return None
        ref = f"<{iri}>"
        q = f"""CONSTRUCT {{ {ref} ?p ?o . ?o skos:prefLabel ?ol . ?s ?q {ref} . ?s skos:prefLabel ?sl .
                              ?s ckg:designee ?dd . ?dd skos:prefLabel ?ddl }}
                WHERE {{ {{ {ref} ?p ?o OPTIONAL {{ ?o skos:prefLabel ?ol }} }}
                         UNION {{ ?s ?q {ref} OPTIONAL {{ ?s skos:prefLabel ?sl }}
                                  OPTIONAL {{ ?s ckg:designee ?dd . ?dd skos:prefLabel ?ddl }} }} }}"""
        triples = [_as_json(t) for t in store.query(with_prefixes(q), use_default_graph_as_union=True)]
        triples.sort(key=lambda t: (t[0], t[1], json.dumps(t[2], sort_keys=True)))
        cache.put(key, triples)
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

    async def resource(self, request: Request) -> Response:
        path = request.path_params["path"]
        suffix_media = None
        for suffix, media in SUFFIXES.items():
            if path.endswith(suffix):
                path, suffix_media = path[: -len(suffix)], media
                break
        if not path or ".." in path or "\\" in path or "\x00" in path:
            return self.not_found(request)
        iri = self.release.base + path
        triples = self.describe(iri)
        if triples is None:
            return self.not_found(request)
        media = suffix_media or negotiate(request.headers.get("accept"), "page")
        if media is None:
            return error(406, "acceptable: text/html, text/turtle, application/ld+json, application/n-triples")
        root = request.scope.get("root_path", "")
        location = f"{root}/{path}{[k for k, v in SUFFIXES.items() if v == media][0]}"
        key = ("page", iri, media, root)
        body = self.release.cache.get(key)
        if body is None:
            if media == "text/html":
                alternates = {f"{k[1:].upper()}": f"{root}/{path}{k}" for k in (".ttl", ".jsonld", ".nt")}
                body = pages.resource_page(iri, triples, self.release.links(request), alternates=alternates).encode()
            else:
                body = self.serialise(triples, media)
            self.release.cache.put(key, body)
        return respond(request, body, media, extra={"Content-Location": location})


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
