"""The whole pipeline: sources → extract → mint → enrich (+ ontology) → validate → release.

A build whose input is bad raises :class:`~cnipa_kg.errors.InputError` and one whose graph
violates the shapes raises :class:`~cnipa_kg.errors.ShapesViolated`; in both cases nothing
is written. Only a valid graph is swapped into ``out``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph
from rdflib.compare import to_canonical_graph

from .assemble import Assembly, assemble
from .enrich import enrich
from .errors import ShapesViolated
from .extract import extract
from .mint import mint
from .records import Notice
from .release import write_release
from .resources import ontology_path, shipped_notices
from .tables import Tables
from .vocab import DEFAULT_BASE, bind_prefixes


@dataclass(frozen=True)
class BuildResult:
    out: Path
    files: tuple[Path, ...]
    notices: tuple[Notice, ...]
    triples: int
    designations: dict[str, int]  #: level -> count

    def summary(self) -> str:
        levels = ", ".join(f"{n} {level}" for level, n in sorted(self.designations.items()))
        lines = [
            f"Built {self.out}/ from {len(self.notices)} notice(s): "
            + ", ".join(n.number.text for n in self.notices[:5]) + (" …" if len(self.notices) > 5 else ""),
            f"  designations: {sum(self.designations.values())} ({levels})",
            f"  triples:      {self.triples}",
            "  files:        " + ", ".join(f"{p.relative_to(self.out)} ({p.stat().st_size:,} B)" for p in self.files),
        ]
        return "\n".join(lines)


@cache
def _ontology() -> Graph:
    # canonical blank-node labels, so that the serialisations are byte-identical across runs
    return to_canonical_graph(Graph().parse(ontology_path(), format="turtle"))


def ontology_graph() -> Graph:
    return _ontology()


Progress = Callable[[str, int, int], None]  #: (stage, done, total)


def extract_all(sources: Sequence[str | Path] | None = None, *, progress: Progress | None = None) -> list[Notice]:
    paths = list(sources) if sources else shipped_notices()
    notices = []
    for i, path in enumerate(paths, 1):
        notices.append(extract(path))
        if progress:
            progress("extracting", i, len(paths))
    return notices


def graph_of(notices: Sequence[Notice], *, base: str = DEFAULT_BASE) -> Graph:
    """Minted + enriched data with the ontology's triples, as one rdflib graph (the release is
    self-contained). A build makes the same graph part by part (:mod:`cnipa_kg.assemble`)."""
    graph = enrich(mint(notices, base=base), notices, base=base)
    for triple in _ontology():
        graph.add(triple)
    return bind_prefixes(graph, base=base)


def build_graph(sources: Sequence[str | Path] | None = None, *, base: str = DEFAULT_BASE) -> Graph:
    return graph_of(extract_all(sources), base=base)


def assemble_and_check(notices: Sequence[Notice], *, base: str = DEFAULT_BASE, validate: bool = True,
                       progress: Progress | None = None, timer=None) -> Assembly:
    """The graph of ``notices`` made part by part; with ``validate``, checked by the shapes (in each
    part) and the QC queries (on the whole).

    :raises ShapesViolated: a violation (with the report)
    """
    from contextlib import nullcontext

    stage = timer or (lambda name: nullcontext())
    with stage("mint + enrich + shapes (parts)" if validate else "mint + enrich (parts)"):
        assembly = assemble(notices, base=base, validate=validate,
                            progress=(lambda done, total: progress("making parts", done, total)) if progress else None)
    if validate:
        from .validate import report_of, run_qc

        with stage("QC queries"):
            results = assembly.results + run_qc(store=assembly.store)
        report = report_of(results, sources=tuple(n.source.path for n in notices))
        if not report.conforms:
            raise ShapesViolated(report)
    return assembly


def build(sources: Sequence[str | Path] | None = None, *, out: str | Path = "dist", base: str = DEFAULT_BASE,
          validate: bool = True, progress: Progress | None = None,
          panel_years: tuple[int, int] | None = None, timer=None) -> BuildResult:
    """Build, validate and write a release.

    :param sources: notice text files; default the notices shipped with the package
    :param out: release directory, replaced atomically
    :param base: base IRI of minted resources
    :param progress: called with (stage, done, total) as extraction and the parts advance
    :param panel_years: first and last year of city-year-panel.csv (default: two years before the
        earliest period to the end of the latest)
    :param timer: a context-manager factory ``timer(stage_name)`` wrapped round each stage (benchmarks)
    :raises InputError: bad source (nothing written)
    :raises ShapesViolated: the graph violates the shapes (nothing written)
    """
    from contextlib import nullcontext

    stage = timer or (lambda name: nullcontext())
    with stage("extract"):
        notices = extract_all(sources, progress=progress)
    assembly = assemble_and_check(notices, base=base, validate=validate, progress=progress, timer=timer)
    files = write_release(assembly, out, notices, base=base, panel_years=panel_years, timer=timer, progress=progress)
    return BuildResult(out=Path(out), files=tuple(files), notices=tuple(notices), triples=len(assembly.lines),
                       designations=Tables(assembly.store).level_counts())
