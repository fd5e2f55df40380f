"""The validation report: results of the shapes and the QC queries in one model, one SHACL
validation report graph, and pySHACL's text layout.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from ..core.iris import QC_NS, SHAPES_NS
from ..core.vocab import PREFIXES, bind_prefixes, expand


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


def report_of(results: list[Result], *, sources: tuple[str, ...] = ()) -> ValidationReport:
    """A report (and its SHACL report graph) made from results found part by part."""
    report = Graph()
    report.add((BNode("report"), RDF.type, SH.ValidationReport))
    add_results(report, results)
    return finish(report, list(results), sources)


def finish(report: Graph, results: list[Result], sources: tuple[str, ...]) -> ValidationReport:
    """The report of ``results`` (sorted, without repeats), with ``sh:conforms`` set in ``report``."""
    results = sorted(set(results))
    conforms = not any(r.severity == "Violation" for r in results)
    report.set((next(report.subjects(RDF.type, SH.ValidationReport)), SH.conforms, Literal(conforms)))
    bind_prefixes(report)
    return ValidationReport(conforms=conforms, results=tuple(results), graph=report, sources=sources)


def add_results(report: Graph, results: list[Result]) -> None:
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
            report.add((node, SH.resultPath, expand(res.path)))
        report.add((node, SH.sourceShape, URIRef(f"{QC_NS if res.kind == 'qc' else SHAPES_NS}{res.rule}")))
        report.add((node, SH.resultMessage, Literal(res.message)))
        if res.value:
            is_iri = res.value.startswith("<") or any(res.value.startswith(p + ":") for p in PREFIXES)
            report.add((node, SH.value, expand(res.value) if is_iri else Literal(res.value)))


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
