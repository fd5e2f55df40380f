"""SPARQL results serialised for the command line: an aligned table for people, or a W3C
format (CSV, TSV, JSON, XML for solutions; Turtle, N-Triples, JSON-LD, RDF/XML for graphs).

>>> import pyoxigraph as ox
>>> store = ox.Store(); store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("海淀区")))
>>> print(query(store, "SELECT ?o WHERE { ?s ?p ?o }").decode(), end="")
o
------
海淀区
(1 row)
"""

from __future__ import annotations

import unicodedata

import pyoxigraph as ox

from ..core.errors import BadQuery
from ..core.formats import GRAPH_OUTPUTS, output_format
from ..core.guard import refusal
from ..core.sparql import run
from ..core.vocab import PREFIXES

_PREFIXES = {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def query(store: ox.Store, text: str, *, format: str = "table", allow_service: bool = False) -> bytes:
    """Run ``text`` and serialise its result.

    A query that uses ``SERVICE`` (federated query: it would send requests to another endpoint)
    is refused unless ``allow_service``, by the endpoint's decision (:func:`cnipa_kg.core.guard.refusal`);
    a query nested too deep to parse is refused before any parse.

    :param format: ``table`` (aligned text for people), ``csv``/``tsv``/``json``/``xml`` (W3C
        results formats, also ``xml`` = RDF/XML for graphs), ``ttl``/``nt``/``jsonld`` for graphs
    :raises BadQuery: malformed query, a format that does not fit the query form, or an error
        while the results are read (they are computed lazily: a SERVICE that fails, for one);
        ``SERVICE`` without ``allow_service``; a nesting too deep
    """
    if not allow_service and (refused := refusal(text, prefixes=_PREFIXES)) is not None and refused[0] == 403:
        raise BadQuery(f"{refused[1]} unless asked for: it sends requests to another endpoint "
                       "(cnipa-kg query --allow-service runs it)")
    result = run(store, text)  # a malformed or too deep query: the message of the query itself
    try:
        return _serialize(result, format)
    except BadQuery:
        raise
    except Exception as exc:  # pyoxigraph raises OSError, RuntimeError … as it evaluates
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise BadQuery(f"query failed while reading its results: {message[:300]}") from None


def _serialize(result, format: str) -> bytes:
    if isinstance(result, ox.QueryTriples):
        if format == "table":
            format = "ttl"
        fmt = output_format(format, graph=True)
        if fmt is None:
            raise BadQuery(f"format {format!r} is for SELECT/ASK results; a graph result needs one of ttl, nt, jsonld, xml")
        return result.serialize(format=fmt)
    if format in GRAPH_OUTPUTS and output_format(format, graph=False) is None:
        raise BadQuery(f"format {format!r} is for CONSTRUCT/DESCRIBE; a SELECT/ASK result needs one of table, csv, tsv, json, xml")
    if isinstance(result, ox.QueryBoolean):
        if format == "table":
            return b"true\n" if bool(result) else b"false\n"
        return result.serialize(format=output_format(format, graph=False))
    if format == "table":
        return table(result).encode("utf-8")
    return result.serialize(format=output_format(format, graph=False))


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, (ox.Literal, ox.NamedNode)):
        return term.value
    return str(term)


def table(solutions: ox.QuerySolutions) -> str:
    """Aligned columns (CJK characters count as two), a header rule and a row count."""
    names = [v.value for v in solutions.variables]
    rows = [[_cell(s[name]) for name in names] for s in solutions]

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    widths = [max([width(n)] + [width(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, widths)).rstrip()

    out = [line(names), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"
