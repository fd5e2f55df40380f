"""Assembly: the graph of many notices, made and checked part by part, collected in one store.

No rdflib graph of all the notices is ever held: a build of a thousand notices (two million
triples) would need gigabytes for it and pySHACL would need as many again. Instead:

* the *shared part* is the ontology, every province and prefecture and the build activity;
* each *notice part* is a few notices, minted and enriched (with the divisions they name and
  their parents, and the ontology, so that the shapes see every node a value must point to);
* each part is checked where it is made (by the ``check`` the caller passes: the pipeline gives the
  SHACL shapes), in forked worker processes (:mod:`cnipa_kg.core.workers`), and comes back as
  N-Triples lines and its check's results;
* the parent keeps the set of lines (sorted, they are the release's N-Triples) and loads them
  into one pyoxigraph store, on which the QC queries and the CSV, panel and VoID queries run.

The union of the parts is the graph :func:`graph_of` makes of all the notices at once: every
division is labelled from :func:`cnipa_kg.graph.mint.printed_names` of all notices, and a triple
made in two parts is one line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rdflib import Graph

from ..core.errors import CnipaKgError
from ..core.ntriples import graph_lines, load_lines, sorted_unique
from ..core.rdfio import ontology_graph
from ..core.records import Notice
from ..core.vocab import DEFAULT_BASE, bind_prefixes
from ..core.workers import forked_map, workers_for
from .batches import batch_graph
from .enrich import enrich
from .links import Links, links_of
from .mint import check_unique, mint, printed_names

Check = Callable[[Graph], list]  #: a part's graph -> its problems (picklable results)
NOTICES_PER_PART = 10  #: about 22,000 triples: pySHACL's cost per triple is lowest on graphs this small


@dataclass
class Assembly:
    lines: list[bytes]  #: the release graph as sorted, unique N-Triples lines (each ending in a newline)
    store: object  #: a pyoxigraph ``Store`` holding the same triples in its default graph
    results: list  #: results of the check of every part (when a check was given)

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
    links: Links
    check: Check | None  #: run on each part's graph (prepared before the workers fork); None: no check


_JOB: _Job | None = None  # set before the pool forks, read by the workers


def graph_of(notices: Sequence[Notice], *, base: str = DEFAULT_BASE) -> Graph:
    """Minted + enriched data with the ontology's triples, as one rdflib graph (the release is
    self-contained): what :func:`assemble` makes part by part, for small graphs and tests."""
    graph = enrich(mint(notices, base=base), notices, base=base)
    graph += batch_graph(notices, base=base)
    for triple in ontology_graph():
        graph.add(triple)
    return bind_prefixes(graph, base=base)


def part_graph(notices: Sequence[Notice], *, base: str, names: dict[str, str], shared: bool, links: Links | None = None) -> Graph:
    """The graph of one part: the shared part (``shared=True``, ``notices`` empty) or some notices."""
    graph = enrich(mint(notices, base=base, names=names, links=links or Links()), notices, base=base, names=names,
                   shared=shared)
    for triple in ontology_graph():
        graph.add(triple)
    return graph


def _make(index: int) -> tuple[str, bytes, list]:
    job = _JOB
    assert job is not None
    start, stop = job.parts[index]
    try:
        shared = (start, stop) == (0, 0)
        graph = part_graph(job.notices[start:stop], base=job.base, names=job.names, shared=shared, links=job.links)
        if shared:  # the batches, with what all the notices hold of them
            graph += batch_graph(job.notices, base=job.base)
        results = job.check(graph) if job.check is not None else []
        return "ok", graph.serialize(format="nt", encoding="utf-8"), results
    except CnipaKgError as exc:  # pickled back as text: the parent raises it again
        return "error", str(exc).encode("utf-8"), []


def plan(count: int, per_part: int = NOTICES_PER_PART) -> tuple[tuple[int, int], ...]:
    """The shared part, then ``count`` notices in parts of ``per_part``.

    >>> plan(25)
    ((0, 0), (0, 10), (10, 20), (20, 25))
    """
    return ((0, 0),) + tuple((i, min(i + per_part, count)) for i in range(0, count, per_part))


def assemble(notices: Sequence[Notice], *, base: str = DEFAULT_BASE, check: Check | None = None,
             per_part: int = NOTICES_PER_PART, workers: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> Assembly:
    """Make, check and collect the graph of ``notices`` part by part.

    :param check: run on each part's graph in the worker that made it; its results are collected
    :param workers: processes to make the parts in; default :func:`workers_for`; 0 = this process
    :param progress: called with (parts done, parts in all) after each part
    :raises InputError: a repeated 文号, a row naming no division or an ambiguous one (before any part is made)
    """
    global _JOB
    check_unique(notices)
    parts = plan(len(notices), per_part)
    job = _Job(tuple(notices), parts, base, printed_names(notices), links_of(notices, base=base), check)
    workers = workers_for(len(parts)) if workers is None else workers
    ontology_graph()  # parsed once, before the workers fork
    lines: set[bytes] = set()
    results: list = []
    _JOB = job
    try:
        _collect(forked_map(_make, len(parts), workers), len(parts), lines, results, progress)
    finally:
        _JOB = None
    return of_lines(lines, results)


def of_lines(lines, results: list | None = None) -> Assembly:
    """An assembly of N-Triples lines (any order, repeats allowed): sorted, and loaded into a store."""
    unique = sorted_unique(lines)
    return Assembly(unique, load_lines(unique), list(results or []))


def of_graph(graph: Graph) -> Assembly:
    """An assembly of an rdflib graph (small graphs, tests, ``write_release(graph)``)."""
    return of_lines(graph_lines(graph))


def _collect(made, total: int, lines: set[bytes], results: list, progress) -> None:
    for done, (status, data, found) in enumerate(made, 1):
        if status != "ok":
            raise CnipaKgError(data.decode("utf-8"))
        lines.update(data.splitlines(keepends=True))
        results.extend(found)
        if progress:
            progress(done, total)
