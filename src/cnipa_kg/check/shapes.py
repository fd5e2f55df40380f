"""The SHACL shapes (``shapes/cnipa-kg.shacl.ttl``) run by pySHACL, and their results as
:class:`~cnipa_kg.check.report.Result`.

Large graphs are checked by two forked processes at once (:func:`run_shapes`), each with half
of the node shapes; the data graph is shared copy-on-write by ``fork``.
"""

from __future__ import annotations

import multiprocessing as mp
import os

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from ..core.errors import CnipaKgError
from ..core.labels import label
from ..core.resources import shapes_path
from ..core.vocab import curie
from ..core.workers import forked_map
from .report import Result

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def shapes_graph() -> Graph:
    return Graph().parse(shapes_path(), format="turtle")


def shape_results(graph: Graph, shapes: Graph | None = None) -> list[Result]:
    """The results of the shapes alone on ``graph``, in this process (a part of a build)."""
    shapes = shapes if shapes is not None else shapes_graph()
    return results_of(safely(_pyshacl, graph, shapes), graph)


def safely(fn, *args):
    """``fn(*args)``; pySHACL's own errors (and its bugs on odd literals) become one clear error."""
    try:
        return fn(*args)
    except CnipaKgError:
        raise
    except Exception as exc:  # noqa: BLE001 - must not become a traceback
        raise CnipaKgError(f"the SHACL engine failed on this graph: {type(exc).__name__}: {str(exc)[:300]}") from None


def _pyshacl(graph: Graph, shapes: Graph) -> Graph:
    import pyshacl

    _conforms, report, _text = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True,
                                                allow_warnings=True, meta_shacl=False, inplace=True)
    return report


def _rule_name(shape) -> str:
    text = str(shape)
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[-1]
    return text


def _messages(report: Graph, result) -> str:
    msgs = {getattr(m, "language", None) or "": str(m) for m in report.objects(result, SH.resultMessage)}
    ordered = [msgs[k] for k in ("zh", "en", "") if k in msgs] + [v for k, v in sorted(msgs.items()) if k not in ("zh", "en", "")]
    return " / ".join(ordered)


def results_of(report: Graph, graph: Graph) -> list[Result]:
    """The results of a pySHACL report graph; focus labels come from ``graph``."""
    results = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(r, SH.focusNode)
        path = report.value(r, SH.resultPath)
        value = report.value(r, SH.value)
        shape = report.value(r, SH.sourceShape)
        severity = report.value(r, SH.resultSeverity)
        results.append(Result(
            rule=_rule_name(shape) if isinstance(shape, URIRef) else _rule_name(report.value(r, SH.sourceConstraintComponent)),
            focus=str(focus),
            path=curie(path) if path is not None else "",
            value=curie(value) if isinstance(value, URIRef) else (str(value) if value is not None else ""),
            message=_messages(report, r),
            severity=_rule_name(severity) if severity is not None else "Violation",
            focus_label=label(graph, focus, "zh"),
        ))
    return results


def split_shapes(shapes: Graph, parts: int, graph: Graph) -> list[Graph]:
    """The shapes graph ``parts`` times, each keeping the targets of a share of the node shapes,
    balanced by the number of focus nodes each shape targets in ``graph``."""
    targeted = sorted({s for s, p in shapes.subject_predicates() if p in _TARGETS})

    def weight(shape) -> int:
        return 1 + sum(sum(1 for _ in graph.subjects(RDF.type, cls)) for cls in shapes.objects(shape, SH.targetClass))

    groups: list[list] = [[] for _ in range(parts)]
    loads = [0] * parts
    for shape in sorted(targeted, key=weight, reverse=True):
        i = loads.index(min(loads))
        groups[i].append(shape)
        loads[i] += weight(shape)
    out = []
    for group in groups:
        keep = set(group)
        g = Graph()
        for t in shapes:
            if t[0] in targeted and t[0] not in keep and t[1] in _TARGETS:
                continue
            g.add(t)
        out.append(g)
    return out


_SPLIT: tuple[Graph, list[Graph]] | None = None  # set before the workers fork, read by them


def _half(index: int) -> bytes:
    assert _SPLIT is not None
    graph, halves = _SPLIT
    return _pyshacl(graph, halves[index]).serialize(format="nt", encoding="utf-8")


def run_shapes(graph: Graph, shapes: Graph, *, parallel_above: int = 20_000) -> Graph:
    """pySHACL's validation report graph; large graphs are checked by two forked workers
    (:func:`cnipa_kg.core.workers.forked_map`), each with half of the node shapes, and the two
    report graphs merged. Small graphs, or systems without ``fork``, run in this process."""
    global _SPLIT
    if len(graph) < parallel_above or (os.cpu_count() or 1) < 2 or "fork" not in mp.get_all_start_methods():
        return _pyshacl(graph, shapes)
    _SPLIT = (graph, split_shapes(shapes, 2, graph))
    try:
        first, second = (Graph().parse(data=data.decode("utf-8"), format="nt") for data in forked_map(_half, 2, 2))
    finally:
        _SPLIT = None
    top = next(first.subjects(RDF.type, SH.ValidationReport))
    other_top = next(second.subjects(RDF.type, SH.ValidationReport))
    for result in second.objects(other_top, SH.result):
        first.add((top, SH.result, result))
    for s, p, o in second:
        if s != other_top:
            first.add((s, p, o))
    violated = any(first.value(r, SH.resultSeverity) == SH.Violation for r in first.objects(top, SH.result))
    first.set((top, SH.conforms, Literal(not violated)))
    return first
