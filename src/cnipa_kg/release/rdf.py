"""RDF files of the release: Turtle (pyoxigraph's streaming writer), sorted N-Triples, and one
graph written to a file atomically (the reasoner's output), which replaces a regular file only.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from ..core.outfile import check_file_out, write_file
from ..core.vocab import PREFIXES
from ..graph.assemble import of_graph
from .jsonld import to_jsonld

__all__ = ["check_file_out", "release_turtle", "to_ntriples", "to_turtle", "write_graph_file"]


def to_turtle(graph: Graph) -> bytes:
    """Turtle of a small rdflib graph (void.ttl, the reasoner's output)."""
    return graph.serialize(format="turtle", encoding="utf-8")


def release_turtle(ntriples: Path) -> bytes:
    """The release's Turtle, by pyoxigraph's streaming writer from the sorted N-Triples file: a
    subject's triples are together, subjects in N-Triples order; vocabulary IRIs with prefixes,
    data IRIs in full."""
    import pyoxigraph as ox

    prefixes = {p: str(ns) for p, ns in sorted(PREFIXES.items())}
    text = ox.serialize(ox.parse(path=ntriples, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.TURTLE,
                        prefixes=prefixes)
    # the writer orders its prefix lines as it likes: put them in a fixed order
    at = 0
    while text.startswith(b"@prefix ", at):
        at = text.index(b"\n", at) + 1
    return b"".join(sorted(text[:at].splitlines(keepends=True))) + text[at:]


def to_ntriples(graph: Graph) -> bytes:
    """Sorted, unique N-Triples of an rdflib graph."""
    return of_graph(graph).ntriples


def write_graph_file(graph: Graph, path: str | Path) -> Path:
    """Write one graph file atomically (:func:`~cnipa_kg.core.outfile.write_file`), format by suffix
    (.nt, .jsonld, else Turtle); ``path`` must be new or a regular file (checked before the graph is
    serialised and again just before the rename).

    :raises InputError: ``path`` is a symbolic link, a FIFO, a device, a socket or a directory
    :raises CnipaKgError: the file cannot be written (one line: the path and the system's reason)
    """
    writer = {".nt": to_ntriples, ".jsonld": to_jsonld}.get(Path(path).suffix.lower(), to_turtle)
    return write_file(path, lambda: writer(graph))
