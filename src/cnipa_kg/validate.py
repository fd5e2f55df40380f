"""Validation: SHACL shapes (pySHACL) plus QC queries (``queries/qc/*-violation.rq`` on pyoxigraph).

Shapes check each node; the QC queries check what needs counting or comparing across
nodes (serials 1..N per annex, N = the declared count, a division designated twice by one
notice …). Each QC query selects ``?focus`` (and optionally ``?path``, ``?value``,
``?message``); every row is a violation. Both kinds of result go into one report, sorted,
in pySHACL's block layout, and into one SHACL validation report graph.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, SKOS

from .resources import ontology_path, qc_queries, shapes_path
from .vocab import PREFIXES, bind_prefixes


@dataclass(frozen=True, order=True)
class Result:
    """One problem: what is wrong, where, and by which rule."""

    rule: str  #: shape or QC query name, e.g. ``designation-level`` or ``annex-serials-violation``
    focus: str  #: the focus node IRI
    path: str = ""  #: the property path, as a CURIE where possible
    value: str = ""
    message: str = ""
    severity: str = "Violation"
    focus_label: str = ""  #: zh label of the focus node
    kind: str = "shape"  #: "shape" or "qc"


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    results: tuple[Result, ...]
    graph: Graph = field(repr=False, compare=False)
    sources: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return render_text(self)

    def as_json(self) -> str:
        return json.dumps(
            {"conforms": self.conforms, "sources": list(self.sources), "results": [r.__dict__ for r in self.results]},
            ensure_ascii=False, indent=2,
        ) + "\n"


def curie(term) -> str:
    text = str(term)
    for prefix, ns in PREFIXES.items():
        if text.startswith(str(ns)):
            return f"{prefix}:{text[len(str(ns)):]}"
    return f"<{text}>" if isinstance(term, URIRef) else text


def _rule_name(shape) -> str:
    text = str(shape)
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[-1]
    return text


def _zh_label(graph: Graph, node) -> str:
    for o in graph.objects(node, SKOS.prefLabel):
        if getattr(o, "language", None) == "zh":
            return str(o)
    return ""


def _messages(report: Graph, result) -> str:
    msgs = {getattr(m, "language", None) or "": str(m) for m in report.objects(result, SH.resultMessage)}
    ordered = [msgs[k] for k in ("zh", "en", "") if k in msgs] + [v for k, v in sorted(msgs.items()) if k not in ("zh", "en", "")]
    return " / ".join(ordered)


def shapes_graph() -> Graph:
    return Graph().parse(shapes_path(), format="turtle")


def ontology_graph() -> Graph:
    return Graph().parse(ontology_path(), format="turtle")


def validate(graph: Graph, *, shapes: Graph | None = None, qc: bool = True, sources: tuple[str, ...] = ()) -> ValidationReport:
    """Check ``graph`` (data, with or without the ontology) against the shapes and QC queries.

    :param shapes: the shapes graph; default the project's ``shapes/cnipa-kg.shacl.ttl``
    :param qc: also run ``queries/qc/*-violation.rq``
    :returns: a :class:`ValidationReport`; ``conforms`` is False when any result is a Violation
    """
    report = _safe(run_shapes, graph, shapes if shapes is not None else shapes_graph())
    results = _results_of(report, graph)
    if qc:
        results.extend(run_qc(graph))
        _add_results(report, [r for r in results if r.kind == "qc"])
    return _finish(report, results, sources)


def shape_results(graph: Graph, shapes: Graph | None = None) -> list[Result]:
    """The results of the shapes alone on ``graph``, in this process (a part of a build)."""
    shapes = shapes if shapes is not None else shapes_graph()
    return _results_of(_safe(_pyshacl, graph, shapes), graph)


def report_of(results: list[Result], *, sources: tuple[str, ...] = ()) -> ValidationReport:
    """A report (and its SHACL report graph) made from results found part by part."""
    report = Graph()
    report.add((BNode("report"), RDF.type, SH.ValidationReport))
    _add_results(report, results)
    return _finish(report, list(results), sources)


def _finish(report: Graph, results: list[Result], sources: tuple[str, ...]) -> ValidationReport:
    results = sorted(set(results))
    conforms = not any(r.severity == "Violation" for r in results)
    report.set((next(report.subjects(RDF.type, SH.ValidationReport)), SH.conforms, Literal(conforms)))
    bind_prefixes(report)
    return ValidationReport(conforms=conforms, results=tuple(results), graph=report, sources=sources)


def _safe(fn, *args):
    try:
        return fn(*args)
    except Exception as exc:  # pySHACL's own errors (and its bugs on odd literals) must not become tracebacks
        from .errors import CnipaKgError

        raise CnipaKgError(f"the SHACL engine failed on this graph: {type(exc).__name__}: {str(exc)[:300]}") from None


def _results_of(report: Graph, graph: Graph) -> list[Result]:
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
            focus_label=_zh_label(graph, focus),
        ))
    return results


def _pyshacl(graph: Graph, shapes: Graph) -> Graph:
    import pyshacl

    _conforms, report, _text = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True,
                                                allow_warnings=True, meta_shacl=False, inplace=True)
    return report


def _split_shapes(shapes: Graph, parts: int, graph: Graph) -> list[Graph]:
    """The shapes graph ``parts`` times, each keeping the targets of a share of the node shapes,
    balanced by the number of focus nodes each shape targets in ``graph``."""
    targeted = sorted({s for s, p in shapes.subject_predicates() if p in (SH.targetClass, SH.targetNode,
                                                                          SH.targetSubjectsOf, SH.targetObjectsOf)})

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
            if t[0] in targeted and t[0] not in keep and t[1] in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
                                                                   SH.targetObjectsOf):
                continue
            g.add(t)
        out.append(g)
    return out


def _child(conn, graph: Graph, shapes: Graph) -> None:
    try:
        conn.send(("ok", _pyshacl(graph, shapes).serialize(format="nt", encoding="utf-8")))
    except Exception as exc:  # reported by the parent
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    conn.close()


def run_shapes(graph: Graph, shapes: Graph, *, parallel_above: int = 20_000) -> Graph:
    """pySHACL's validation report graph; large graphs are checked by two forked processes at once.

    Each process takes half of the node shapes (the data graph is shared copy-on-write by
    ``fork``); the two report graphs are merged. Small graphs, or systems without ``fork``,
    run in this process.
    """
    import multiprocessing as mp
    import os

    if len(graph) < parallel_above or (os.cpu_count() or 1) < 2 or "fork" not in mp.get_all_start_methods():
        return _pyshacl(graph, shapes)
    ctx = mp.get_context("fork")
    first, second = _split_shapes(shapes, 2, graph)
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, graph, second), daemon=True)
    process.start()
    child.close()
    report = _pyshacl(graph, first)
    status, payload = parent.recv()
    process.join()
    if status != "ok":
        raise RuntimeError(payload)
    other = Graph().parse(data=payload.decode("utf-8"), format="nt")
    top = next(report.subjects(RDF.type, SH.ValidationReport))
    other_top = next(other.subjects(RDF.type, SH.ValidationReport))
    for result in other.objects(other_top, SH.result):
        report.add((top, SH.result, result))
    for s, p, o in other:
        if s != other_top:
            report.add((s, p, o))
    violated = any(report.value(r, SH.resultSeverity) == SH.Violation for r in report.objects(top, SH.result))
    report.set((top, SH.conforms, Literal(not violated)))
    return report


def _header(path: Path) -> str:
    """The ``# description:`` (or first comment) of a QC query: what one of its rows means."""
    lines = [ln[1:].strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.startswith("#")]
    for ln in lines:
        if ln.lower().startswith("description:"):
            return ln.split(":", 1)[1].strip()
    return lines[0] if lines else path.stem


CODE_TABLE_GRAPH = "https://w3id.org/cnipa-kg/code-table"


def code_table_ntriples() -> bytes:
    """The ministry's code table as triples ``<…/code-table/{code}> ckg:adcode "…" ; ckg:divisionLevel …``.

    QC queries read it from the named graph :data:`CODE_TABLE_GRAPH` (the data is the default graph).
    """
    from .divisions import code_table
    from .vocab import CKG, DIVISION_LEVEL_CONCEPT

    lines = []
    for code, d in sorted(code_table().by_code.items()):
        node = f"<{CODE_TABLE_GRAPH}/{code}>"
        lines.append(f'{node} <{CKG.adcode}> "{code}" .')
        lines.append(f"{node} <{CKG.divisionLevel}> <{DIVISION_LEVEL_CONCEPT[d.level]}> .")
    return ("\n".join(lines) + "\n").encode()


def _term_text(term) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    return curie(URIRef(term.value)) if isinstance(term, ox.NamedNode) else term.value


def run_qc(graph: Graph | None = None, *, store=None) -> list[Result]:
    """Run every QC query on pyoxigraph; each row is a violation of that query's rule.

    The data is the store's default graph; the division code table is the named graph
    :data:`CODE_TABLE_GRAPH`. Each query selects ``?focus`` and optionally ``?path``,
    ``?value`` and ``?message``. Give ``graph`` (copied into a new store) or ``store`` (used as
    it is; the code table graph is removed again afterwards).
    """
    import pyoxigraph as ox

    from .store import run

    if store is None:
        store = ox.Store()
        store.bulk_load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    table = ox.NamedNode(CODE_TABLE_GRAPH)
    store.bulk_load(code_table_ntriples(), format=ox.RdfFormat.N_TRIPLES, to_graph=table)
    try:
        return _qc_rows(store, run)
    finally:
        store.remove_graph(table)


def _store_zh_label(store, focus: str) -> str:
    import pyoxigraph as ox

    for quad in store.quads_for_pattern(ox.NamedNode(focus), ox.NamedNode(str(SKOS.prefLabel)), None, ox.DefaultGraph()):
        if isinstance(quad.object, ox.Literal) and quad.object.language == "zh":
            return quad.object.value
    return ""


def _qc_rows(store, run) -> list[Result]:
    results = []
    for name, path in qc_queries().items():
        description = _header(path)
        solutions = run(store, path.read_text(encoding="utf-8"))
        variables = {v.value for v in solutions.variables}
        for row in solutions:
            cell = {var: (row[var] if var in variables else None) for var in ("focus", "path", "value", "message")}
            focus = cell["focus"].value if cell["focus"] is not None else ""
            results.append(Result(
                rule=name, focus=focus, path=_term_text(cell["path"]), value=_term_text(cell["value"]),
                message=_term_text(cell["message"]) or description,
                focus_label=_store_zh_label(store, focus) if focus.startswith(("http:", "https:")) else "", kind="qc",
            ))
    return results


QC_NS = "https://w3id.org/cnipa-kg/qc#"
SHAPES_NS = "https://w3id.org/cnipa-kg/shapes#"


def _add_results(report: Graph, results: list[Result]) -> None:
    """Add ``results`` to a report graph as sh:ValidationResult nodes."""
    if not results:
        return
    top = next(report.subjects(RDF.type, SH.ValidationReport))
    for res in results:
        node = BNode()
        report.add((top, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.resultSeverity, SH[res.severity]))
        if res.focus:
            report.add((node, SH.focusNode, URIRef(res.focus)))
        if res.path:
            report.add((node, SH.resultPath, _expand(res.path)))
        report.add((node, SH.sourceShape, URIRef(f"{QC_NS if res.kind == 'qc' else SHAPES_NS}{res.rule}")))
        report.add((node, SH.resultMessage, Literal(res.message)))
        if res.value:
            is_iri = res.value.startswith("<") or any(res.value.startswith(p + ":") for p in PREFIXES)
            report.add((node, SH.value, _expand(res.value) if is_iri else Literal(res.value)))


def _expand(text: str) -> URIRef:
    """Inverse of :func:`curie`."""
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    prefix, _, local = text.partition(":")
    return URIRef(str(PREFIXES[prefix]) + local) if prefix in PREFIXES else URIRef(text)


def render_text(report: ValidationReport) -> str:
    """pySHACL's layout: a header, then one block per result with the same fields in the same order."""
    shapes = sum(1 for r in report.results if r.kind == "shape")
    qc = len(report.results) - shapes
    lines = ["Validation Report", f"Conforms: {report.conforms}", f"Results ({len(report.results)}):"]
    for r in report.results:
        focus = f"<{r.focus}>" + (f" ({r.focus_label})" if r.focus_label else "")
        lines += [
            f"{r.severity}: {r.rule}" + (" [QC query]" if r.kind == "qc" else ""),
            f"\tFocus node: {focus}",
        ]
        if r.path:
            lines.append(f"\tResult path: {r.path}")
        if r.value:
            lines.append(f"\tValue: {r.value}")
        lines.append(f"\tMessage: {r.message}")
    violations = sum(1 for r in report.results if r.severity == "Violation")
    lines.append(f"Summary: {violations} violation(s), {len(report.results) - violations} other result(s); {shapes} from shapes, {qc} from QC queries")
    return "\n".join(lines) + "\n"


def load_with_ontology(paths, *, input_format: str | None = None) -> Graph:
    """Load RDF files (refusing remote contexts) and add the ontology's triples."""
    from .build import ontology_graph
    from .rdfio import load_graph

    graph = load_graph(paths, format=input_format)
    for triple in ontology_graph():
        graph.add(triple)
    return graph


def check_files(paths, *, input_format: str | None = None, qc: bool = True) -> ValidationReport:
    """Load RDF files, add the ontology, validate."""
    return validate(load_with_ontology(paths, input_format=input_format), qc=qc, sources=tuple(str(p) for p in paths))
