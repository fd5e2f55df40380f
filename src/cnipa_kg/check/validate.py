"""Validation: the SHACL shapes plus the QC queries on a graph or on RDF files, in one report
(:class:`~cnipa_kg.check.report.ValidationReport`).
"""

from __future__ import annotations

from rdflib import Graph

from ..core.rdfio import load_graph, ontology_graph
from .qc import run_qc
from .report import ValidationReport, add_results, finish
from .shapes import results_of, run_shapes, safely, shapes_graph


def validate(graph: Graph, *, shapes: Graph | None = None, qc: bool = True, sources: tuple[str, ...] = ()) -> ValidationReport:
    """Check ``graph`` (data, with or without the ontology) against the shapes and QC queries.

    :param shapes: the shapes graph; default the project's ``shapes/cnipa-kg.shacl.ttl``
    :param qc: also run ``queries/qc/*-violation.rq``
    :returns: a :class:`ValidationReport`; ``conforms`` is False when any result is a Violation
    """
    report = safely(run_shapes, graph, shapes if shapes is not None else shapes_graph())
    results = results_of(report, graph)
    if qc:
        found = run_qc(graph)
        results.extend(found)
        add_results(report, found)
    return finish(report, results, sources)


def load_with_ontology(paths, *, input_format: str | None = None) -> Graph:
    """Load RDF files (refusing remote contexts) and add the ontology's triples."""
    graph = load_graph(paths, format=input_format)
    for triple in ontology_graph():
        graph.add(triple)
    return graph


def check_files(paths, *, input_format: str | None = None, qc: bool = True) -> ValidationReport:
    """Load RDF files, add the ontology, validate."""
    return validate(load_with_ontology(paths, input_format=input_format), qc=qc, sources=tuple(str(p) for p in paths))
