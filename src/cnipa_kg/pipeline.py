"""The whole pipeline: sources → extract → mint → enrich (+ ontology) → validate → release.

A build whose input is bad raises :class:`~cnipa_kg.core.errors.InputError` and one whose graph
violates the shapes raises :class:`~cnipa_kg.core.errors.ShapesViolated`; in both cases nothing
is written. Only a valid graph is swapped into ``out``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from rdflib import Graph

from .check.qc import run_qc
from .check.report import report_of
from .check.shapes import shape_results, shapes_graph
from .core.errors import ShapesViolated
from .core.ntriples import graph_lines, load_lines
from .core.records import Notice
from .core.resources import shipped_notices
from .core.vocab import DEFAULT_BASE
from .extract import extract
from .extract.roster import is_roster, read_roster
from .graph.assemble import Assembly, assemble, graph_of
from .release.staging import check_out
from .release.tables import Tables
from .release.writer import write_release


@dataclass(frozen=True)
class BuildResult:
    out: Path
    files: tuple[Path, ...]
    notices: tuple[Notice, ...]
    triples: int
    designations: dict[str, int]  #: level -> count
    programmes: dict[tuple[str, str, str], int] = field(default_factory=dict)  #: Tables.programme_counts
    confirmed: int = 0  #: proposed designations a designation confirms

    def summary(self) -> str:
        texts = [n for n in self.notices if n.evidence == "text"]
        cited = [n for n in self.notices if n.evidence == "roster"]
        rosters = sorted({n.source.name for n in cited})
        built = f"{len(texts)} document(s)" + (f" and {len(rosters)} roster(s) of facts ({len(cited)} notices known by "
                                               f"citation)" if cited else "")
        shown = ", ".join(n.key for n in texts[:5]) + (" …" if len(texts) > 5 else "")

        def counts(kind: str) -> tuple[int, str]:
            found = {k[:2]: n for k, n in self.programmes.items() if k[2] == kind}
            text = ", ".join(f"{n} {programme.removesuffix('Programme')} {tier}" for (programme, tier), n in sorted(found.items()))
            return sum(found.values()), text

        levels = ", ".join(f"{n} {level}" for level, n in sorted(self.designations.items()))
        total, by_programme = counts("designation")
        proposals, proposed = counts("proposal")
        lines = [
            f"Built {self.out}/ from {built}: {shown}",
            f"  designations: {sum(self.designations.values())} ({levels})" + (f"; {by_programme}" if by_programme else ""),
        ]
        if proposals:
            lines.append(f"  proposals:    {proposals} ({proposed}); {self.confirmed} confirmed by a designation")
        lines += [
            f"  triples:      {self.triples}",
            "  files:        " + ", ".join(f"{p.relative_to(self.out)} ({p.stat().st_size:,} B)" for p in self.files),
        ]
        return "\n".join(lines)


Progress = Callable[[str, int, int], None]  #: (stage, done, total)


def extract_all(sources: Sequence[str | Path] | None = None, *, progress: Progress | None = None) -> list[Notice]:
    paths = list(sources) if sources else shipped_notices()
    notices = []
    for i, path in enumerate(paths, 1):
        if is_roster(path):
            notices.extend(read_roster(path))
        else:
            notices.append(extract(path))
        if progress:
            progress("extracting", i, len(paths))
    return notices


def build_graph(sources: Sequence[str | Path] | None = None, *, base: str = DEFAULT_BASE) -> Graph:
    """The graph of ``sources`` (default: the shipped notices) as one rdflib graph, unchecked."""
    return graph_of(extract_all(sources), base=base)


def research_panel(level: str = "prefecture", *, years: tuple[int, int] | None = None, vintage: str | int = "designated",
                   municipalities: str | None = None, active: str = "any-day", data: str | Path | None = None,
                   sources: Sequence[str | Path] | None = None):
    """A research panel (:class:`cnipa_kg.research.grid.Panel`: rows and column definitions; no pandas).

    :param data: a release folder (its designations.csv is read); default: ``sources`` built in memory
    :param sources: notice files when ``data`` is None; default the shipped notices and roster
    :raises BadOption: an option out of its range
    :raises InputError: ``data`` is not a release, or a source is bad
    :raises ShapesViolated: the sources' graph violates the shapes
    """
    from .release.designations import designation_rows
    from .research.grid import Options, make_panel
    from .research.held import held_of, read_release

    if data is not None:
        held = read_release(data)
    else:
        held = held_of(designation_rows(Tables(assemble_and_check(extract_all(sources)).store)))
    return make_panel(held, Options(level, tuple(years) if years else None, vintage, municipalities, active))


def panel(level: str = "prefecture", *, years: tuple[int, int] | None = None, vintage: str | int = "designated",
          municipalities: str | None = None, active: str = "any-day", data: str | Path | None = None,
          sources: Sequence[str | Path] | None = None):
    """The research panel as a pandas DataFrame (``pip install 'cnipa-kg[panel]'``): one row per unit and year.

    For example ``cnipa_kg.panel(level="county", vintage=2025)`` (tests/test_panel.py runs it).

    :param level: ``prefecture`` or ``county``
    :param years: (first, last); default five years before the first term to the last year a term covers
    :param vintage: ``designated`` (units as they were each year) or a year (every year on that year's units)
    :param municipalities: ``as-cities`` (default for prefecture) or ``as-districts`` (default for county)
    :param active: ``any-day`` | ``mid-year`` | ``whole-year``: when a term makes a unit-year active
    :param data: a release folder; default the shipped sources, built in memory (a few seconds)
    Column meanings: ``cnipa_kg.research.formats.to_codebook`` / the release's ``panel-*.md``.
    """
    from .research.formats import to_frame

    return to_frame(research_panel(level, years=years, vintage=vintage, municipalities=municipalities, active=active,
                                   data=data, sources=sources))


def write_panel(panel, fmt: str, out: str | Path | None = None) -> bytes:
    """The panel in ``fmt`` (``research.formats.FORMATS``); written atomically to ``out`` when given.

    :raises BadOption: parquet or dta without pandas / pyarrow
    :raises InputError: ``out`` is a link, FIFO, device, socket or folder
    """
    from .core.outfile import check_file_out, write_file
    from .research import formats

    if out is not None:
        check_file_out(out)
    data = formats.WRITERS[fmt](panel, url=Path(out).name if out else None) if fmt == "csvw" else formats.WRITERS[fmt](panel)
    if out is not None:
        write_file(out, data)
    return data


def shipped_store():
    """A pyoxigraph store holding the graph of the shipped notices (``query`` with no release)."""
    return load_lines(graph_lines(build_graph()))


def assemble_and_check(notices: Sequence[Notice], *, base: str = DEFAULT_BASE, validate: bool = True,
                       progress: Progress | None = None, timer=None) -> Assembly:
    """The graph of ``notices`` made part by part; with ``validate``, checked by the shapes (in each
    part) and the QC queries (on the whole).

    :raises ShapesViolated: a violation (with the report)
    """
    stage = timer or (lambda name: nullcontext())
    with stage("mint + enrich + shapes (parts)" if validate else "mint + enrich (parts)"):
        assembly = assemble(notices, base=base, check=partial(shape_results, shapes=shapes_graph()) if validate else None,
                            progress=(lambda done, total: progress("making parts", done, total)) if progress else None)
    if validate:
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
    :param out: release directory, replaced atomically: a new path, an empty directory or a release
        (files of the user's in it are kept); builds into one ``out`` take turns at writing it
    :param base: base IRI of minted resources
    :param progress: called with (stage, done, total) as extraction and the parts advance
    :param panel_years: first and last year of city-year-panel.csv (default: two years before the
        earliest period to the end of the latest)
    :param timer: a context-manager factory ``timer(stage_name)`` wrapped round each stage (benchmarks)
    :raises InputError: bad source, or an ``out`` that is refused or cannot be written (nothing written)
    :raises ShapesViolated: the graph violates the shapes (nothing written)
    """
    check_out(out)  # before the work: a refused --out is known at once
    stage = timer or (lambda name: nullcontext())
    with stage("extract"):
        notices = extract_all(sources, progress=progress)
    assembly = assemble_and_check(notices, base=base, validate=validate, progress=progress, timer=timer)
    files = write_release(assembly, out, notices, base=base, panel_years=panel_years, timer=timer, progress=progress)
    tables = Tables(assembly.store)
    return BuildResult(out=Path(out), files=tuple(files), notices=tuple(notices), triples=len(assembly.lines),
                       designations=tables.level_counts(), programmes=tables.programme_counts(),
                       confirmed=tables.confirmed_count())
