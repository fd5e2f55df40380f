"""The whole pipeline: sources → extract → mint → enrich (+ ontology) → validate → release.

A build whose input is bad raises :class:`~cnipa_kg.errors.InputError` and one whose graph
violates the shapes raises :class:`~cnipa_kg.errors.ShapesViolated`; in both cases nothing
is written. Only a valid graph is swapped into ``out``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph
from rdflib.compare import to_canonical_graph

from .enrich import enrich
from .errors import ShapesViolated
from .extract import extract
from .mint import mint
from .records import Notice
from .release import write_release
from .resources import ontology_path, shipped_notices
from .vocab import CKG, DEFAULT_BASE, bind_prefixes


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


def extract_all(sources: Sequence[str | Path] | None = None, *, progress: Callable[[str], None] | None = None) -> list[Notice]:
    paths = list(sources) if sources else shipped_notices()
    notices = []
    for path in paths:
        notices.append(extract(path))
        if progress:
            progress(str(path))
    return notices


def graph_of(notices: Sequence[Notice], *, base: str = DEFAULT_BASE) -> Graph:
    """Minted + enriched data with the ontology's triples (the release is self-contained)."""
    graph = enrich(mint(notices, base=base), notices, base=base)
    for triple in _ontology():
        graph.add(triple)
    return bind_prefixes(graph, base=base)


def build_graph(sources: Sequence[str | Path] | None = None, *, base: str = DEFAULT_BASE) -> Graph:
    return graph_of(extract_all(sources), base=base)


def build(sources: Sequence[str | Path] | None = None, *, out: str | Path = "dist", base: str = DEFAULT_BASE,
          validate: bool = True, progress: Callable[[str], None] | None = None,
          panel_years: tuple[int, int] | None = None) -> BuildResult:
    """Build, validate and write a release.

    :param sources: notice text files; default the notices shipped with the package
    :param out: release directory, replaced atomically
    :param base: base IRI of minted resources
    :param panel_years: first and last year of city-year-panel.csv (default: two years before the
        earliest period to the end of the latest)
    :raises InputError: bad source (nothing written)
    :raises ShapesViolated: the graph violates the shapes (nothing written)
    """
    notices = extract_all(sources, progress=progress)
    graph = graph_of(notices, base=base)
    if validate:
        from .validate import validate as check

        report = check(graph, sources=tuple(n.source.path for n in notices))
        if not report.conforms:
            raise ShapesViolated(report)
    files = write_release(graph, out, notices, base=base, panel_years=panel_years)
    levels = Counter(str(o).rsplit("#", 1)[-1] for s, o in graph.subject_objects(CKG.designationLevel) if (s, CKG.designatedBy, None) in graph)
    return BuildResult(out=Path(out), files=tuple(files), notices=tuple(notices), triples=len(graph), designations=dict(levels))
