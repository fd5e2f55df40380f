"""Release: write the graph as Turtle, N-Triples, JSON-LD and CSV, atomically and deterministically.

Files are written into a staging directory beside ``out`` and swapped into place
only when all of them are complete, so a failed or killed build leaves the previous
release as it was. The same graph always gives the same bytes: N-Triples are sorted,
blank nodes get canonical labels, JSON-LD keys and arrays are sorted, nothing holds a
timestamp.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph

from .assemble import Assembly, of_graph
from .enrich import PINYIN
from .provinces import short_name
from .jsonld import jsonld_chunks, to_jsonld
from .tables import Tables
from .vocab import PREFIXES

TURTLE = "cnipa-kg.ttl"
NTRIPLES = "cnipa-kg.nt"
JSONLD = "cnipa-kg.jsonld"
DESIGNATIONS_CSV = "designations.csv"

CSV_COLUMNS = [
    "notice", "level", "annex", "serial", "province", "name", "adcode", "parent_adcode", "division_level",
    "name_en", "name_pinyin", "period_start", "period_end", "source_line", "designation", "division",
]


# -- serialisations -----------------------------------------------------------------------------


def to_turtle(graph: Graph) -> bytes:
    """Turtle of a small rdflib graph (void.ttl, the reasoner's output)."""
    return graph.serialize(format="turtle", encoding="utf-8")


def release_turtle(ntriples: Path) -> bytes:
    """The release's Turtle, by pyoxigraph's streaming writer from the sorted N-Triples file: a
    subject's triples are together, subjects in N-Triples order; vocabulary IRIs with prefixes,
    data IRIs in full."""
    import pyoxigraph as ox

    prefixes = {p: str(ns) for p, ns in sorted(PREFIXES.items())}
    text = ox.serialize(ox.parse(path=ntriples, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.TURTLE,
                        prefixes=prefixes)
    # the writer orders its prefix lines as it likes: put them in a fixed order
    at = 0
    while text.startswith(b"@prefix ", at):
        at = text.index(b"\n", at) + 1
    return b"".join(sorted(text[:at].splitlines(keepends=True))) + text[at:]


def to_ntriples(graph: Graph) -> bytes:
    """Sorted, unique N-Triples of an rdflib graph."""
    return of_graph(graph).ntriples


def designation_rows(tables: Tables) -> list[dict[str, str]]:
    """One row per designation, sorted by notice, annex, serial (the CSV's rows)."""
    rows = []
    for d in tables.designations:
        division = tables.divisions.get(d.division)
        parent = tables.divisions.get(division.parent) if division and division.parent else None
        rows.append({
            "notice": d.notice,
            "level": d.level,
            "annex": d.annex,
            "serial": d.serial,
            "province": short_name(tables.label(tables.province_of(d.division), "zh")),
            "name": tables.label(d.division, "zh"),
            "adcode": division.adcode if division else "",
            "parent_adcode": parent.adcode if parent else "",
            "division_level": division.level if division else "",
            "name_en": tables.label(d.division, "en"),
            "name_pinyin": tables.label(d.division, PINYIN),
            "period_start": d.start,
            "period_end": d.end,
            "source_line": ";".join(map(str, d.lines)),
            "designation": d.iri,
            "division": d.division,
        })
    return rows


def to_designations_csv(tables: Tables) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(designation_rows(tables))
    return buf.getvalue().encode("utf-8")


PANEL_CSV = "city-year-panel.csv"
CSVW_METADATA = "designations.csv-metadata.json"
VOID = "void.ttl"
DOCS = "docs/index.html"

_CKG = "https://w3id.org/cnipa-kg/def#"
_CSVW_COLUMNS = {
    # name: (description, datatype, propertyUrl, valueUrl, aboutUrl) — full IRIs: CSVW processors know no ckg: prefix.
    # Columns without a propertyUrl get the default designations.csv#column property.
    "notice": ("文号 document number of the designating notice", "string", None, None, None),
    "level": ("designation level", {"base": "string", "format": "demonstration|pilot"}, _CKG + "designationLevel", _CKG + "{level}", None),
    "annex": ("annex number", "integer", None, None, None),
    "serial": ("serial number (序号)", "integer", _CKG + "serialNumber", None, None),
    "province": ("province, short name", "string", None, None, None),
    "name": ("division name as printed", "string", None, None, None),
    "adcode": ("6-digit division code (GB/T 2260)", {"base": "string", "format": "[0-9]{6}"}, _CKG + "adcode", None, "{+division}"),
    "parent_adcode": ("code of the parent division", {"base": "string", "format": "[0-9]{6}"}, None, None, None),
    "division_level": ("division level", {"base": "string", "format": "province|prefecture|district"}, None, None, None),
    "name_en": ("English name", "string", None, None, None),
    "name_pinyin": ("Hanyu Pinyin name", "string", None, None, None),
    "period_start": ("first day of the designation period", "date", _CKG + "periodStart", None, None),
    "period_end": ("last day of the designation period", "date", _CKG + "periodEnd", None, None),
    "source_line": ("line number(s) of the row in the source text, ;-separated", "string", None, None, None),
    "designation": ("IRI of the designation", "anyURI", None, None, None),
    "division": ("IRI of the designated division", "anyURI", _CKG + "designee", "{+division}", None),
}


def csvw_metadata() -> bytes:
    """W3C CSV on the Web metadata for designations.csv: each row is a ckg:Designation."""
    columns = []
    for name in CSV_COLUMNS:
        title, datatype, prop, value_url, about_url = _CSVW_COLUMNS[name]
        col = {"name": name, "titles": name, "dc:description": title, "datatype": datatype, "required": name != "parent_adcode"}
        if prop:
            col["propertyUrl"] = prop
        if value_url:
            col["valueUrl"] = value_url
        if about_url:
            col["aboutUrl"] = about_url
        if name == "designation":
            col["suppressOutput"] = True
        columns.append(col)
    columns.append({"virtual": True, "propertyUrl": "rdf:type", "valueUrl": _CKG + "Designation"})
    meta = {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "url": DESIGNATIONS_CSV,
        "dc:title": "Designations of national IP-strong cities (国家知识产权强市建设试点示范城市)",
        "dc:license": {"@id": "https://creativecommons.org/licenses/by/4.0/"},
        "dialect": {"encoding": "utf-8", "header": True, "delimiter": ","},
        "tableSchema": {
            "columns": columns,
            "primaryKey": ["notice", "annex", "serial"],
            "aboutUrl": "{+designation}",
        },
    }
    return (json.dumps(meta, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# -- atomic directory replacement ----------------------------------------------------------------

_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    return False


def _leftovers(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.staging-*")) + sorted(out.parent.glob(f".{out.name}.old-*"))


def clean_leftovers(out: Path) -> None:
    """Remove what a killed build left in its staging place; restore ``out`` if a fallback swap was cut short."""
    olds = sorted(out.parent.glob(f".{out.name}.old-*"))
    if not out.exists() and olds:
        os.replace(olds[-1], out)
    for p in _leftovers(out):
        shutil.rmtree(p, ignore_errors=True)


class Staging:
    """Files written one at a time into a staging directory beside ``out``, then swapped in whole.

    ``out`` is at every moment either the whole previous release or the whole new one, even if
    the process is killed: the staging directory and ``out`` are exchanged in one system call.
    What a killed build leaves in its staging place is removed by the next build. Used as a
    context manager, the staging directory is removed if the block raises.
    """

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(self.out)
        self.dir = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.staging-", dir=self.out.parent))
        self.digests: dict[str, tuple[int, str]] = {}  #: name -> (byte size, SHA-256)

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind, *_) -> None:
        if kind is not None:
            shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name: str) -> Path:
        return self.dir / name

    def write(self, name: str, data: bytes | Iterable[bytes]) -> None:
        """Write a file (bytes, or chunks of bytes) and note its size and hash."""
        target = self.dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with open(target, "wb") as f:
            for chunk in [data] if isinstance(data, bytes) else data:
                f.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            f.flush()
            os.fsync(f.fileno())
        self.digests[name] = (size, digest.hexdigest())

    def commit(self) -> list[Path]:
        """Swap the staging directory into ``out``; the files of the release."""
        out, staging = self.out, self.dir
        os.chmod(staging, 0o755)
        if not out.exists():
            os.replace(staging, out)
        elif out.is_dir() and _exchange(staging, out):
            shutil.rmtree(staging, ignore_errors=True)  # now holds the previous release
        else:  # no renameat2 (not Linux) or out is not a directory: two renames, recovered by clean_leftovers
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rmdir(old)  # only its unique name is needed
            os.replace(out, old)
            os.replace(staging, out)
            shutil.rmtree(old, ignore_errors=True)
        return [out / name for name in sorted(self.digests)]


def write_files(files: dict[str, bytes], out: str | Path) -> list[Path]:
    """Write ``files`` (name -> bytes) as the directory ``out``, replacing it atomically (:class:`Staging`)."""
    with Staging(out) as staging:
        for name, data in sorted(files.items()):
            staging.write(name, data)
        return staging.commit()


def write_release(source: Graph | Assembly, out: str | Path, notices=(), *, base: str | None = None,
                  panel_years: tuple[int, int] | None = None, timer=None, progress=None) -> list[Path]:
    """Write every release file of ``source`` (an rdflib graph or an :class:`~cnipa_kg.assemble.Assembly`)
    and swap them into ``out``; ``void.ttl`` (with ``base``) describes the others.

    Each file is written to the staging directory as soon as it is made, so that no two large
    serialisations are held at once.

    :param timer: a context-manager factory ``timer(stage_name)`` (the benchmark's), or None
    :param progress: called with ("writing", files written, files in all) after each file
    """
    from contextlib import nullcontext

    from .build import ontology_graph
    from .docs import ontology_html
    from .panel import to_panel_csv
    from .void import describe

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
            (PANEL_CSV, lambda: to_panel_csv(tables, years=panel_years)),
            (DOCS, lambda: ontology_html(ontology_graph()).encode("utf-8")),
        ]
        if base is not None:  # last: it describes the others
            makers.append((VOID, lambda: to_turtle(describe(assembly, dict(staging.digests), notices, base=base))))
        for done, (name, make) in enumerate(makers, 1):
            with stage(f"write {name}"):
                staging.write(name, make())
            if progress:
                progress("writing", done, len(makers))
        return staging.commit()


def write_graph_file(graph: Graph, path: str | Path) -> Path:
    """Write one graph file atomically, format by suffix (.nt, .jsonld, else Turtle)."""
    path = Path(path)
    writer = {".nt": to_ntriples, ".jsonld": to_jsonld}.get(path.suffix.lower(), to_turtle)
    data = writer(graph)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
