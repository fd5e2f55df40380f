"""Assembly: the graph of many notices, made and checked part by part, collected in one store.

No rdflib graph of all the notices is ever held: a build of a thousand notices (two million
triples) would need gigabytes for it and pySHACL would need as many again. Instead:

* the *shared part* is the ontology, every province and prefecture and the build activity;
* each *notice part* is a few notices, minted and enriched (with the divisions they name and
  their parents, and the ontology, so that the shapes see every node a value must point to);
* each part is checked by the shapes where it is made, in forked worker processes (:mod:`cnipa_kg.forked`),
  and comes back as N-Triples lines and its shape results;
* the parent keeps the set of lines (sorted, they are the release's N-Triples) and loads them
  into one pyoxigraph store, on which the QC queries and the CSV, panel and VoID queries run.

The union of the parts is the graph :func:`cnipa_kg.build.graph_of` makes of all the notices at
once: every division is labelled from :func:`cnipa_kg.mint.printed_names` of all notices, and a
triple made in two parts is one line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rdflib import Graph

from .enrich import enrich
from .errors import CnipaKgError
from .forked import forked_map, workers_for
from .mint import check_unique, mint, printed_names
from .records import Notice
from .validate import Result, shape_results
from .vocab import DEFAULT_BASE

BNODE_OBJECT = re.compile(rb" _:[^ \"<>]+ \.\s*$")  #: an N-Triples line whose object is a blank node
NOTICES_PER_PART = 10  #: about 22,000 triples: pySHACL's cost per triple is lowest on graphs this small


@dataclass
class Assembly:
    lines: list[bytes]  #: the release graph as sorted, unique N-Triples lines (each ending in a newline)
    store: object  #: a pyoxigraph ``Store`` holding the same triples in its default graph
    results: list[Result]  #: shape results of every part (validate only)

    @property
    def ntriples(self) -> bytes:
        """The sorted N-Triples as one text (made anew at each call: large graphs iterate ``lines``)."""
        return b"".join(self.lines)


@dataclass(frozen=True)
class _Job:
    notices: tuple[Notice, ...]
    parts: tuple[tuple[int, int], ...]  #: (start, stop) into notices; (0, 0) is the shared part
    base: str
    names: dict[str, str]
    shapes: Graph | None  #: parsed once, before the workers fork; None: no validation


_JOB: _Job | None = None  # set before the pool forks, read by the workers


def part_graph(notices: Sequence[Notice], *, base: str, names: dict[str, str], shared: bool) -> Graph:
    """The graph of one part: the shared part (``shared=True``, ``notices`` empty) or some notices."""
    from .build import ontology_graph

    graph = enrich(mint(notices, base=base, names=names), notices, base=base, names=names, shared=shared)
    for triple in ontology_graph():
        graph.add(triple)
    return graph


def _make(index: int) -> tuple[str, bytes, list[Result]]:
    job = _JOB
    assert job is not None
    start, stop = job.parts[index]
    try:
        graph = part_graph(job.notices[start:stop], base=job.base, names=job.names, shared=(start, stop) == (0, 0))
        results = shape_results(graph, job.shapes) if job.shapes is not None else []
        return "ok", graph.serialize(format="nt", encoding="utf-8"), results
    except CnipaKgError as exc:  # pickled back as text: the parent raises it again
        return "error", str(exc).encode("utf-8"), []


def plan(count: int, per_part: int = NOTICES_PER_PART) -> tuple[tuple[int, int], ...]:
    """The shared part, then ``count`` notices in parts of ``per_part``.

    >>> plan(25)
    ((0, 0), (0, 10), (10, 20), (20, 25))
    """
    return ((0, 0),) + tuple((i, min(i + per_part, count)) for i in range(0, count, per_part))


def assemble(notices: Sequence[Notice], *, base: str = DEFAULT_BASE, validate: bool = True,
             per_part: int = NOTICES_PER_PART, workers: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> Assembly:
    """Make, check and collect the graph of ``notices`` part by part.

    :param workers: processes to make the parts in; default :func:`workers_for`; 0 = this process
    :param progress: called with (parts done, parts in all) after each part
    :raises InputError: a repeated 文号, a row naming no division or an ambiguous one (before any part is made)
    """
    global _JOB
    from .build import ontology_graph
    from .validate import shapes_graph

    check_unique(notices)
    parts = plan(len(notices), per_part)
    job = _Job(tuple(notices), parts, base, printed_names(notices), shapes_graph() if validate else None)
    workers = workers_for(len(parts)) if workers is None else workers
    ontology_graph()  # parsed once, before the workers fork
    lines: set[bytes] = set()
    results: list[Result] = []
    _JOB = job
    try:
        _collect(forked_map(_make, len(parts), workers), len(parts), lines, results, progress)
    finally:
        _JOB = None
    return of_lines(lines, results)


def has_blank_node(line: bytes) -> bool:
    """Whether an N-Triples line has a blank node as subject or object."""
    return b"_:" in line and (line.startswith(b"_:") or BNODE_OBJECT.search(line) is not None)


LOAD_CHUNK = 100_000  #: N-Triples lines per bulk load into the store


def of_lines(lines, results: list[Result] | None = None) -> Assembly:
    """An assembly of N-Triples lines (any order, repeats allowed): sorted, and loaded into a store.

    Lines are loaded a chunk at a time (the whole text is never joined), except that every line
    with a blank node goes into one load, so that a blank node keeps one identity in the store.
    """
    import pyoxigraph as ox

    unique = sorted(lines if isinstance(lines, set) else set(lines))
    while unique and not unique[0].strip():
        unique.pop(0)
    store = ox.Store()
    blank: list[bytes] = []
    chunk: list[bytes] = []
    for line in unique:
        (blank if has_blank_node(line) else chunk).append(line)
        if len(chunk) >= LOAD_CHUNK:
            store.bulk_load(b"".join(chunk), format=ox.RdfFormat.N_TRIPLES)
            chunk = []
    for rest in (chunk, blank):
        if rest:
            store.bulk_load(b"".join(rest), format=ox.RdfFormat.N_TRIPLES)
    return Assembly(unique, store, list(results or []))


def of_graph(graph: Graph) -> Assembly:
    """An assembly of an rdflib graph (small graphs, tests, ``write_release(graph)``)."""
    return of_lines(graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True))


def _collect(made, total: int, lines: set[bytes], results: list[Result], progress) -> None:
    for done, (status, data, found) in enumerate(made, 1):
        if status != "ok":
            raise CnipaKgError(data.decode("utf-8"))
        lines.update(data.splitlines(keepends=True))
        results.extend(found)
        if progress:
            progress(done, total)
