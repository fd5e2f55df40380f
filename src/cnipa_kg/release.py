"""Release: write the graph as Turtle, N-Triples, JSON-LD and CSV, atomically and deterministically.

Files are written into a staging directory beside ``out`` and swapped into place
only when all of them are complete, so a failed or killed build leaves the previous
release as it was. The same graph always gives the same bytes: N-Triples are sorted,
blank nodes get canonical labels, JSON-LD keys and arrays are sorted, nothing holds a
timestamp.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import PROV, SKOS

from .provinces import short_name
from .resources import context_path
from .vocab import CKG, ELI

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
    return graph.serialize(format="turtle", encoding="utf-8")


def to_ntriples(graph: Graph) -> bytes:
    lines = graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)
    return b"".join(sorted(set(line for line in lines if line.strip())))


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


def to_jsonld(graph: Graph) -> bytes:
    """Compact JSON-LD with the context inline, keys and arrays sorted (rdflib orders them by hash)."""
    context = jsonld_context()
    data = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    data["@context"] = context
    if "@graph" in data:
        data["@graph"] = sorted((_sorted_json(n) for n in data["@graph"]), key=lambda n: (n.get("@id") or n.get("id") or "", json.dumps(n, sort_keys=True, ensure_ascii=False)))
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    return (text + "\n").encode("utf-8")


def _label(graph: Graph, node, lang: str) -> str:
    for o in graph.objects(node, SKOS.prefLabel):
        if getattr(o, "language", None) == lang:
            return str(o)
    return ""


def designation_rows(graph: Graph) -> list[dict[str, str]]:
    """One row per designation, sorted by notice, annex, serial (the CSV's rows)."""
    rows = []
    for d in graph.subjects(CKG.designatedBy, None):
        notice = graph.value(d, CKG.designatedBy)
        annex = graph.value(d, CKG.inAnnex)
        division = graph.value(d, CKG.designee)
        level = graph.value(d, CKG.designationLevel)
        parent = graph.value(division, SKOS.broader)
        src = next((s for s in graph.objects(d, PROV.wasDerivedFrom)), None)
        lines = sorted(int(x) for x in graph.objects(src, CKG.sourceLine)) if src is not None else []
        province = graph.value(division, CKG.province) or division
        rows.append({
            "notice": str(graph.value(notice, ELI.id_local)),
            "level": str(level).rsplit("#", 1)[-1],
            "annex": str(graph.value(annex, CKG.annexNumber)),
            "serial": str(graph.value(d, CKG.serialNumber)),
            "province": short_name(_label(graph, province, "zh")),
            "name": _label(graph, division, "zh"),
            "adcode": str(graph.value(division, CKG.adcode)),
            "parent_adcode": str(graph.value(parent, CKG.adcode)) if parent is not None else "",
            "division_level": str(graph.value(division, CKG.divisionLevel)).rsplit("#", 1)[-1].removesuffix("Level"),
            "name_en": _label(graph, division, "en"),
            "name_pinyin": _label(graph, division, "zh-Latn-pinyin"),
            "period_start": str(graph.value(d, CKG.periodStart)),
            "period_end": str(graph.value(d, CKG.periodEnd)),
            "source_line": ";".join(map(str, lines)),
            "designation": str(d),
            "division": str(division),
        })
    rows.sort(key=lambda r: (r["notice"], int(r["annex"]), int(r["serial"])))
    return rows


def to_designations_csv(graph: Graph) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(designation_rows(graph))
    return buf.getvalue().encode("utf-8")


WRITERS: dict[str, Callable[[Graph], bytes]] = {
    TURTLE: to_turtle,
    NTRIPLES: to_ntriples,
    JSONLD: to_jsonld,
    DESIGNATIONS_CSV: to_designations_csv,
}
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


def write_files(files: dict[str, bytes], out: str | Path) -> list[Path]:
    """Write ``files`` (name -> bytes) as the directory ``out``, replacing it atomically.

    The files go into a staging directory beside ``out``; then the two directories are
    exchanged in one system call, so ``out`` is at every moment either the whole previous
    release or the whole new one, even if the process is killed. What a killed build leaves in
    its staging place is removed by the next build.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        for name, data in sorted(files.items()):
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
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
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out / name for name in sorted(files)]


def render(graph: Graph, notices=(), *, base: str | None = None, panel_years: tuple[int, int] | None = None) -> dict[str, bytes]:
    """All release files of a graph, in memory; ``void.ttl`` describes the others."""
    from .build import ontology_graph
    from .docs import ontology_html
    from .panel import to_panel_csv
    from .void import describe

    files = {name: writer(graph) for name, writer in WRITERS.items()}
    files[CSVW_METADATA] = csvw_metadata()
    files[PANEL_CSV] = to_panel_csv(graph, years=panel_years)
    files[DOCS] = ontology_html(ontology_graph()).encode("utf-8")
    if base is not None:
        files[VOID] = to_turtle(describe(graph, files, notices, base=base))
    return files


def write_release(graph: Graph, out: str | Path, notices=(), *, base: str | None = None,
                  panel_years: tuple[int, int] | None = None) -> list[Path]:
    """Serialise ``graph`` to every release format and swap the files into ``out``."""
    return write_files(render(graph, notices, base=base, panel_years=panel_years), out)


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
