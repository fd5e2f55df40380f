"""Formats in one table: RDF serialisations, SPARQL result formats and release files, by name,
file suffix and media type, built on pyoxigraph's ``RdfFormat`` / ``QueryResultsFormat``.

The names and tuples are plain strings (the command line lists them without importing an RDF
library); the pyoxigraph enums are looked up when a function is called.

>>> rdf_format_for("notice.TTL").name, rdf_format_for("x.owl").name, rdf_format_for("x.txt") is None
('Turtle', 'RDF/XML', True)
>>> rdflib_name(rdf_format_for("x.jsonld")), graph_format("application/n-triples").name
('json-ld', 'N-Triples')
"""

from __future__ import annotations

from pathlib import Path

#: ``--input-format`` names (rdflib's parser names) -> pyoxigraph ``RdfFormat`` attribute
INPUT_FORMATS: dict[str, str] = {
    "turtle": "TURTLE", "nt": "N_TRIPLES", "json-ld": "JSON_LD", "trig": "TRIG", "xml": "RDF_XML", "nquads": "N_QUADS",
}
#: file suffixes read as RDF -> ``--input-format`` name
RDF_SUFFIXES: dict[str, str] = {
    ".ttl": "turtle", ".turtle": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld", ".trig": "trig",
    ".rdf": "xml", ".owl": "xml", ".xml": "xml", ".nq": "nquads",
}
#: ``cnipa-kg query --format`` names: table (people), W3C result formats, RDF formats for graphs
SOLUTION_OUTPUTS: dict[str, str] = {"csv": "CSV", "tsv": "TSV", "json": "JSON", "xml": "XML"}
GRAPH_OUTPUTS: dict[str, str] = {"ttl": "TURTLE", "nt": "N_TRIPLES", "jsonld": "JSON_LD", "xml": "RDF_XML"}
QUERY_OUTPUTS: tuple[str, ...] = ("table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld")
#: ``cnipa-kg validate --format``
REPORT_FORMATS: tuple[str, ...] = ("text", "ttl", "json")

#: media types of SPARQL results -> ``QueryResultsFormat`` attribute
SOLUTION_MEDIA: dict[str, str] = {
    "application/sparql-results+json": "JSON", "application/json": "JSON",
    "application/sparql-results+xml": "XML", "text/csv": "CSV", "text/tab-separated-values": "TSV",
}
#: media types of RDF graphs the server writes -> ``RdfFormat`` attribute
GRAPH_MEDIA: dict[str, str] = {
    "text/turtle": "TURTLE", "application/n-triples": "N_TRIPLES", "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML",
}
#: suffixes of release files and linked-data documents -> media type
MEDIA_BY_SUFFIX: dict[str, str] = {
    ".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json", ".csv": "text/csv",
    ".json": "application/csvm+json", ".html": "text/html", ".rdf": "application/rdf+xml", ".md": "text/markdown",
}


def input_format_for(path: str | Path) -> str | None:
    """The ``--input-format`` name of a file, by its suffix (case-insensitive), or None."""
    return RDF_SUFFIXES.get(Path(path).suffix.lower())


def rdf_format_named(name: str):
    """pyoxigraph's ``RdfFormat`` for an ``--input-format`` name."""
    import pyoxigraph as ox

    return getattr(ox.RdfFormat, INPUT_FORMATS[name])


def rdf_format_for(path: str | Path):
    """pyoxigraph's ``RdfFormat`` of a file by its suffix, or None."""
    name = input_format_for(path)
    return rdf_format_named(name) if name else None


def rdflib_name(fmt) -> str:
    """rdflib's parser name of a pyoxigraph ``RdfFormat``."""
    return next(name for name in INPUT_FORMATS if rdf_format_named(name) == fmt)


def graph_format(media: str):
    """pyoxigraph's ``RdfFormat`` for a media type the server writes graphs in, or None."""
    import pyoxigraph as ox

    attr = GRAPH_MEDIA.get(media)
    return getattr(ox.RdfFormat, attr) if attr else None


def solutions_format(media: str):
    """pyoxigraph's ``QueryResultsFormat`` for a media type of SPARQL results, or None."""
    import pyoxigraph as ox

    attr = SOLUTION_MEDIA.get(media)
    return getattr(ox.QueryResultsFormat, attr) if attr else None


def output_format(name: str, *, graph: bool):
    """pyoxigraph's format for a ``query --format`` name: an ``RdfFormat`` for a graph result, a
    ``QueryResultsFormat`` for solutions; None when the name does not fit the result."""
    import pyoxigraph as ox

    if graph:
        return getattr(ox.RdfFormat, GRAPH_OUTPUTS[name]) if name in GRAPH_OUTPUTS else None
    return getattr(ox.QueryResultsFormat, SOLUTION_OUTPUTS[name]) if name in SOLUTION_OUTPUTS else None
