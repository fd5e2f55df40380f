"""The release: every file of the graph written into a staging directory and swapped into
``out`` atomically (:mod:`.staging`), deterministically (the same sources give the same bytes:
N-Triples sorted, canonical blank nodes, JSON-LD keys and arrays sorted, no timestamp).
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from ..core.rdfio import ontology_graph
from ..core.release_files import CSVW_METADATA, DESIGNATIONS_CSV, DOCS, JSONLD, NTRIPLES, TURTLE, VOID
from ..graph.assemble import Assembly, of_graph
from .designations import CSV_COLUMNS, csvw_metadata, to_designations_csv
from .docs import ontology_html
from .jsonld import jsonld_chunks
from .panel import panel_files
from .rdf import release_turtle, to_turtle
from .staging import Staging
from .tables import Tables
from .void import describe

__all__ = ["write_release", "CSV_COLUMNS"]


def write_release(source: Graph | Assembly, out: str | Path, notices=(), *, base: str | None = None,
                  panel_years: tuple[int, int] | None = None, timer=None, progress=None) -> list[Path]:
    """Write every release file of ``source`` (an rdflib graph or an :class:`~cnipa_kg.graph.assemble.Assembly`)
    and swap them into ``out``; ``void.ttl`` (with ``base``) describes the others. What ``out`` may be,
    and how builds into one ``out`` take turns: :mod:`.staging`.

    Each file is written to the staging directory as soon as it is made, so that no two large
    serialisations are held at once.

    :param timer: a context-manager factory ``timer(stage_name)`` (the benchmark's), or None
    :param progress: called with ("writing", files written, files in all) after each file
    :raises InputError: ``out`` is refused or cannot be written (nothing written)
    """
    from contextlib import nullcontext

    stage = timer or (lambda name: nullcontext())
    assembly = source if isinstance(source, Assembly) else of_graph(source)
    tables = Tables(assembly.store)
    with Staging(out) as staging:
        makers = [
            (NTRIPLES, lambda: assembly.lines),
            (TURTLE, lambda: release_turtle(staging.path(NTRIPLES))),
            (JSONLD, lambda: jsonld_chunks(assembly)),
            (DESIGNATIONS_CSV, lambda: to_designations_csv(tables)),
            (CSVW_METADATA, csvw_metadata),
            ("panels", lambda: panel_files(tables, years=panel_years)),
            (DOCS, lambda: ontology_html(ontology_graph()).encode("utf-8")),
        ]
        if base is not None:  # last: it describes the others
            makers.append((VOID, lambda: to_turtle(describe(assembly, dict(staging.digests), notices, base=base))))
        for done, (name, make) in enumerate(makers, 1):
            with stage(f"write {name}"):
                if name == "panels":  # several files, one panel at a time
                    for file, data in make():
                        staging.write(file, data)
                else:
                    staging.write(name, make())
            if progress:
                progress("writing", done, len(makers))
        return staging.commit()
