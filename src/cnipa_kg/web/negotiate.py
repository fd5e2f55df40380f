"""Content negotiation: a pure function from an ``Accept`` header to a media type.

>>> negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "solutions")
'text/html'
>>> negotiate("application/sparql-results+xml", "solutions")
'application/sparql-results+xml'
>>> negotiate("text/turtle;q=0.5, application/ld+json", "graph")
'application/ld+json'
>>> negotiate("image/png", "graph") is None
True
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from ..core.formats import MEDIA_BY_SUFFIX

Kind = Literal["solutions", "graph", "page"]

# media types each kind of answer can be given in, the server's preference first
OFFERS: dict[str, tuple[str, ...]] = {
    "solutions": ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                  "text/tab-separated-values", "text/html", "application/json"),
    "graph": ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml", "text/html"),
    "page": ("text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"),
}
# aliases people type in ?format=
FORMAT_PARAM = {
    "json": "application/sparql-results+json", "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml", "srx": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values", "html": "text/html",
    "ttl": "text/turtle", "turtle": "text/turtle", "nt": "application/n-triples", "ntriples": "application/n-triples",
    "jsonld": "application/ld+json", "json-ld": "application/ld+json", "rdfxml": "application/rdf+xml", "rdf": "application/rdf+xml",
}
# the same alias for a graph result, where it differs (SPARQLWrapper sends format=xml for a CONSTRUCT)
FORMAT_PARAM_GRAPH = {"json": "application/ld+json", "xml": "application/rdf+xml"}


def format_param(value: str) -> list[str] | None:
    """The media types a ``format=`` (or ``output=``) value asks for, for either kind of result;
    None if unknown.

    >>> format_param("xml"), format_param("text/csv"), format_param("png")
    (['application/sparql-results+xml', 'application/rdf+xml'], ['text/csv'], None)
    """
    value = value.strip().lower()
    if value in FORMAT_PARAM:
        return [FORMAT_PARAM[value]] + ([FORMAT_PARAM_GRAPH[value]] if value in FORMAT_PARAM_GRAPH else [])
    if value in OFFERS["solutions"] or value in OFFERS["graph"]:
        return [value]
    return None


#: what a generic type stands for in each kind (``application/json`` for a graph is JSON-LD)
GENERIC = {
    ("solutions", "application/json"): "application/sparql-results+json",
    ("solutions", "application/xml"): "application/sparql-results+xml",
    ("solutions", "text/xml"): "application/sparql-results+xml",
    ("graph", "application/xml"): "application/rdf+xml",
    ("graph", "text/xml"): "application/rdf+xml",
    ("graph", "application/json"): "application/ld+json",
    ("page", "application/json"): "application/ld+json",
    ("graph", "text/plain"): "application/n-triples",
    ("page", "text/plain"): "application/n-triples",
}
#: suffixes of linked-data documents (``/division/110108.ttl``), in the order they are tried
SUFFIXES = {suffix: MEDIA_BY_SUFFIX[suffix] for suffix in (".ttl", ".jsonld", ".nt", ".html", ".rdf")}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q, best first (stable for ties).

    >>> parse_accept("text/*;q=0.3, text/html, */*;q=0.1")
    [('text/html', 1.0), ('text/*', 0.3), ('*/*', 0.1)]
    """
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media or "/" not in media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(f[2:])))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, i))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(m, q) for m, q, _ in ranges] or [("*/*", 1.0)]


def _quality(offer: str, ranges: list[tuple[str, float]], kind: str) -> tuple[float, int]:
    """(q, position) of the most specific range matching ``offer`` (RFC 9110 §12.5.1); q 0 when none matches."""
    best: tuple[int, float, int] | None = None
    for position, (media, q) in enumerate(ranges):
        media = GENERIC.get((kind, media), media)
        if media == offer:
            specificity = 3
        elif media.endswith("/*") and media != "*/*" and offer.startswith(media[:-1]):
            specificity = 2
        elif media == "*/*":
            specificity = 1
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, q, position)
    return (best[1], best[2]) if best else (0.0, len(ranges))


def negotiate(accept: str | None, kind: Kind) -> str | None:
    """The best offered media type for ``accept``, or None (→ 406).

    The quality of each offer is the q of the most specific range that matches it (so
    ``text/turtle;q=0, */*`` refuses Turtle); ties go to the range listed first by the client,
    then to the server's order of preference. Answers for ``Accept`` headers of up to 512
    characters are remembered (clients send the same few again and again).
    """
    if accept is not None and len(accept) > 512:
        return _negotiate(accept, kind)
    return _negotiate_cached(accept, kind)


def _negotiate(accept: str | None, kind: Kind) -> str | None:
    ranges = parse_accept(accept)
    scored = []
    for i, offer in enumerate(OFFERS[kind]):
        q, position = _quality(offer, ranges, kind)
        scored.append((q, -position, -i, offer))
    q, _, _, offer = max(scored)
    return offer if q > 0 else None


_negotiate_cached = lru_cache(maxsize=1024)(_negotiate)
