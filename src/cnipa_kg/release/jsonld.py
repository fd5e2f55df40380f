"""The release's JSON-LD: compact, with ``ontology/context.jsonld`` inline, sorted, written batch by batch.

rdflib's JSON-LD writer compacts a whole rdflib graph at once, which for two million triples
means holding that graph. Here the sorted N-Triples are cut into batches of whole subjects and
each batch is compacted by rdflib's ``from_rdf`` (the function behind its writer, with the
same settings) from an rdflib graph of the batch, in worker processes for a large release; the
node objects are then sorted by id. Blank nodes (RDF lists, OWL restrictions) and the subjects
that point to them go into one batch, so lists become ``@list`` as in the whole graph.
"""

from __future__ import annotations

import json
from functools import cache

from rdflib import BNode, Graph, Literal, URIRef

from ..core.ntriples import has_blank_node
from ..core.resources import context_path
from ..core.workers import forked_map, workers_for
from ..graph.assemble import Assembly, of_graph


def jsonld_context() -> dict:
    return json.loads(context_path().read_text(encoding="utf-8"))["@context"]


def _sorted_json(value):
    """Sort every JSON array by its serialisation, except ``@list`` arrays, whose order is data."""
    if isinstance(value, dict):
        return {k: [_sorted_json(x) for x in v] if k == "@list" else _sorted_json(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


JSONLD_BATCH = 20_000  #: N-Triples lines compacted at once


def jsonld_batches(lines: list[bytes], size: int = JSONLD_BATCH) -> list[list[bytes]]:
    """Sorted N-Triples lines cut into batches of whole subjects, for compaction batch by batch.

    Blank-node subjects and the subjects that point to blank nodes all go into the first batch
    (empty if there are none), so that an RDF list or a nested node is compacted as in the whole graph.
    """
    first: list[bytes] = []
    batches: list[list[bytes]] = []
    current: list[bytes] = []
    group: list[bytes] = []
    subject = None

    def flush() -> None:
        nonlocal current
        if any(has_blank_node(line) for line in group):
            first.extend(group)
        else:
            current.extend(group)
            if len(current) >= size:
                batches.append(current)
                current = []

    for line in lines:
        s = line.split(b" ", 1)[0]
        if s != subject and group:
            flush()
            group = []
        subject = s
        group.append(line)
    if group:
        flush()
    return [first] + [b for b in [*batches, current] if b]


def _triples(ntriples: bytes):
    """rdflib triples of N-Triples text, keeping blank-node labels (rdflib's own parser renames them)."""
    import pyoxigraph as ox

    iris: dict[str, URIRef] = {}

    def term(t):
        if isinstance(t, ox.NamedNode):
            iri = iris.get(t.value)
            if iri is None:
                iri = iris[t.value] = URIRef(t.value)
            return iri
        if isinstance(t, ox.BlankNode):
            return BNode(t.value)
        if t.language:
            return Literal(t.value, lang=t.language)
        return Literal(t.value, datatype=term(t.datatype))

    for triple in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
        yield term(triple.subject), term(triple.predicate), term(triple.object)


def _rdflib_graph(ntriples: bytes) -> Graph:
    graph = Graph()
    for triple in _triples(ntriples):
        graph.add(triple)
    return graph


@cache
def _context():
    from rdflib.plugins.shared.jsonld.context import Context

    return Context(jsonld_context())


def _jsonld_nodes(batch: list[bytes]) -> list[tuple[str, bytes]]:
    """(sort key, text) of each compacted node of a batch; the text is indented for the ``@graph`` array."""
    from rdflib.plugins.serializers.jsonld import from_rdf

    if not batch:
        return []
    # what rdflib's JSON-LD writer does with an inline context (which makes native types true)
    compacted = from_rdf(_rdflib_graph(b"".join(batch)), context_data=_context(), use_native_types=True)
    if isinstance(compacted, dict) and "@graph" in compacted:
        nodes = compacted["@graph"]
    else:  # one node: rdflib puts it at the top level, beside the context
        nodes = [{k: v for k, v in compacted.items() if k != "@context"}] if compacted else []
    out = []
    for node in nodes:
        node = _sorted_json(node)
        text = json.dumps(node, ensure_ascii=False, indent=1, sort_keys=True)
        out.append((node.get("@id") or node.get("id") or "", "\n".join("  " + ln for ln in text.split("\n")).encode("utf-8")))
    return out


_BATCHES: list[list[bytes]] = []  # set before the pool forks


def _batch(index: int) -> list[tuple[str, bytes]]:
    return _jsonld_nodes(_BATCHES[index])


def jsonld_chunks(assembly: Assembly, *, batch_size: int = JSONLD_BATCH):
    """Compact JSON-LD with the context inline, keys and arrays sorted, nodes sorted by id, as bytes
    chunks to write one after the other (the whole text is never held).

    rdflib compacts batches of whole subjects (in worker processes for a large graph); the node
    objects are the ones rdflib gives for the whole graph, as it writes a flat ``@graph``.
    """
    global _BATCHES
    _BATCHES = jsonld_batches(assembly.lines, batch_size)
    try:
        nodes = [n for part in forked_map(_batch, len(_BATCHES), workers_for(len(_BATCHES))) for n in part]
    finally:
        _BATCHES = []
    nodes.sort()
    head = json.dumps({"@context": jsonld_context()}, ensure_ascii=False, indent=1, sort_keys=True)[:-2]
    yield (head + ',\n "@graph": [').encode("utf-8")
    for i, (_, text) in enumerate(nodes):
        yield (b",\n" if i else b"\n") + text
    yield b"\n ]\n}\n" if nodes else b"]\n}\n"


def release_jsonld(assembly: Assembly, *, batch_size: int = JSONLD_BATCH) -> bytes:
    return b"".join(jsonld_chunks(assembly, batch_size=batch_size))


def to_jsonld(graph: Graph) -> bytes:
    return release_jsonld(of_graph(graph))
