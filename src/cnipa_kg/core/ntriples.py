"""Sorted N-Triples lines: the form in which graphs travel between the stages and processes.

>>> has_blank_node(b'_:b0 <http://e/p> "x" .\\n'), has_blank_node(b'<http://e/s> <http://e/p> "_:x" .\\n')
(True, False)
"""

from __future__ import annotations

import re

BNODE_OBJECT = re.compile(rb" _:[^ \"<>]+ \.\s*$")  #: an N-Triples line whose object is a blank node
LOAD_CHUNK = 100_000  #: N-Triples lines per bulk load into a store


def has_blank_node(line: bytes) -> bool:
    """Whether an N-Triples line has a blank node as subject or object."""
    return b"_:" in line and (line.startswith(b"_:") or BNODE_OBJECT.search(line) is not None)


def graph_lines(graph) -> list[bytes]:
    """An rdflib graph's N-Triples lines (unsorted, each ending in a newline)."""
    return graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)


def sorted_unique(lines) -> list[bytes]:
    """The lines sorted, without repeats or blank lines."""
    unique = sorted(lines if isinstance(lines, set) else set(lines))
    while unique and not unique[0].strip():
        unique.pop(0)
    return unique


def load_lines(lines: list[bytes]):
    """A pyoxigraph store holding N-Triples ``lines`` in its default graph.

    Lines are loaded a chunk at a time (the whole text is never joined), except that every line
    with a blank node goes into one load, so that a blank node keeps one identity in the store.
    """
    import pyoxigraph as ox

    store = ox.Store()
    blank: list[bytes] = []
    chunk: list[bytes] = []
    for line in lines:
        (blank if has_blank_node(line) else chunk).append(line)
        if len(chunk) >= LOAD_CHUNK:
            store.bulk_load(b"".join(chunk), format=ox.RdfFormat.N_TRIPLES)
            chunk = []
    for rest in (chunk, blank):
        if rest:
            store.bulk_load(b"".join(rest), format=ox.RdfFormat.N_TRIPLES)
    return store
