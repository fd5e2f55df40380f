"""A panel as files: CSV (UTF-8) with its CSVW metadata and a codebook (stdlib only); a pandas
DataFrame, Parquet and Stata ``.dta`` (version 118) with pandas and pyarrow (``pip install
'cnipa-kg[panel]'``). All of them read the same :mod:`.columns` definitions.
"""

from __future__ import annotations

import csv
import io
import json

from ..core import terms
from ..core.errors import BadOption
from .columns import ACTIVE_RULES, Column
from .grid import Panel

FORMATS = ("csv", "parquet", "dta", "codebook", "csvw")
SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".dta": "dta", ".md": "codebook", ".json": "csvw"}
BINARY = ("parquet", "dta")


def format_for(out, fmt: str | None = None) -> str:
    """The format asked for, else the one ``out``'s suffix names (:data:`SUFFIXES`), else csv."""
    from pathlib import Path

    return fmt or SUFFIXES.get(Path(out).suffix.lower() if out else "", "csv")


def panel_name(panel: Panel) -> str:
    """``panel-county.csv``, ``panel-prefecture-v2025.csv`` …: the file a panel is known by."""
    vintage = "" if panel.options.vintage == "designated" else f"-v{panel.options.vintage}"
    return f"panel-{panel.options.level}{vintage}.csv"


def to_csv(panel: Panel) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=[c.name for c in panel.columns], lineterminator="\n")
    writer.writeheader()
    writer.writerows(panel.rows)
    return buf.getvalue().encode("utf-8")


def _about(panel: Panel) -> str:
    o = panel.options
    vintage = ("units as they were each year (in force on 1 January)" if o.vintage == "designated"
               else f"every year on the units of 1 January {o.vintage}")
    return (f"{o.level}-year panel {o.years[0]}-{o.years[1]}, {vintage}; municipalities {o.municipalities}; "
            f"active: {ACTIVE_RULES[o.active]}")


def to_csvw(panel: Panel, *, url: str | None = None) -> bytes:
    """W3C CSV on the Web metadata of :func:`to_csv`'s file (``url``: its name, by default :func:`panel_name`)."""
    columns = []
    for c in panel.columns:
        col = {"name": c.name, "titles": c.name, "dc:description": c.description or c.label, "datatype": c.csvw_datatype,
               "required": c.kind not in ("string", "category") or c.name in ("code", "name", "name_en")}
        if c.kind == "category":
            col["datatype"] = {"base": "string", "format": "|".join(sorted(c.values))}
            col["required"] = not c.name.startswith("evidence_")
        columns.append(col)
    meta = {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "url": url or panel_name(panel),
        "dc:title": f"cnipa-kg research panel: {_about(panel)}",
        "dc:license": {"@id": "https://creativecommons.org/licenses/by/4.0/"},
        "dialect": {"encoding": "utf-8", "header": True, "delimiter": ","},
        "tableSchema": {"columns": columns, "primaryKey": ["code", "year"]},
    }
    return (json.dumps(meta, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def to_codebook(panel: Panel) -> bytes:
    """The codebook (Markdown): what the panel is, the rules, every column with its type and values."""
    o = panel.options
    counts: dict[int, int] = {}
    for r in panel.rows:
        counts[r["year"]] = counts.get(r["year"], 0) + 1  # type: ignore[index]
    lines = [
        f"# Codebook: {panel_name(panel)}", "",
        f"{_about(panel)}. {len(panel.rows):,} rows (units × years), {len(panel.columns)} columns; "
        "one row per unit and year, key `code` + `year`.", "",
        "## Rules", "",
        "- **Units**: every unit of the level in force on 1 January of the year (from the division history, "
        "`data/reference/division-history.csv`), treated and never treated; Taiwan, Hong Kong and Macao are left out.",
        f"- **Municipalities** ({o.municipalities}): " + ("北京, 天津, 上海, 重庆 are one unit each; their districts' "
                                                           "designations count in `sub_designated_*`."
                                                           if o.municipalities == "as-cities" else
                                                           "their county-level units are units in their place."),
        "- **Term**: a designation's stated period; one without a stated period runs from its document's date on.",
        f"- **Active** (`--active {o.active}`): {ACTIVE_RULES[o.active]}. **Exposed**: absorbing from the year "
        "of the unit's first term. `first_year_*` is 0 for never designated.",
        "- **Nesting**: a designation counts for the unit it names; a unit inside (a county-level unit, a district, "
        "a park) is counted in `sub_designated_*`, a unit around it in `parent_designated_*`; neither makes the unit "
        "active or exposed (常熟's 2013 award does not move 苏州's 2012 onset).",
        "- **Through time**: a designated unit that ended is followed to its successors (即墨市 370282 → 即墨区 "
        "370215, 2017); with `--vintage YEAR` every year's units are mapped onto that year's, and "
        "`vintage_merged` / `vintage_split` flag merges and splits (never summed silently).",
        "", "## Programmes and tiers present", "",
        "| stem | programme | tier |", "|---|---|---|",
    ]
    for stem in panel.stems:
        p, t = stem.split("_", 1)
        lines.append(f"| `{stem}` | {terms.programme(p).en} ({terms.programme(p).zh}) | "
                     f"{terms.tier(t).en} ({terms.tier(t).zh}) |")
    lines += ["", "## Columns", "", "| column | type | label | description | values |", "|---|---|---|---|---|"]
    for c in panel.columns:
        values = "; ".join(f"{k} = {v}" for k, v in c.values.items()) if c.kind != "category" else ", ".join(c.values)
        lines.append(f"| `{c.name}` | {c.kind} | {_md(c.label)} | {_md(c.description)} | {_md(values)} |")
    lines += ["", "## Rows per year", "", "| year | units |", "|---|---|"]
    lines += [f"| {y} | {n:,} |" for y, n in sorted(counts.items())]
    if panel.unplaced:
        lines += ["", "## Designations no unit holds", ""]
        lines += [f"- {h.name} {h.code} ({h.designation})" for h in panel.unplaced]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _dtype(c: Column) -> str:
    return {"flag": "int8", "year": "int16", "count": "int16", "category": "category"}.get(c.kind, "str")


def _need(*modules: str) -> None:
    from importlib import import_module

    missing = []
    for name in modules:
        try:
            import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise BadOption(f"this needs {' and '.join(missing)}, which are not installed: pip install 'cnipa-kg[panel]'")


def to_frame(panel: Panel):
    """A pandas DataFrame: flags int8, years and counts int16, categories as pandas categoricals (their
    categories all the values the column may take), codes and names strings.

    :raises BadOption: pandas is not installed
    """
    _need("pandas")
    import pandas as pd

    data = {}
    for c in panel.columns:
        values = [r[c.name] for r in panel.rows]
        if c.kind == "category":
            data[c.name] = pd.Categorical([v or None for v in values], categories=list(c.values))  # "": missing
        else:
            data[c.name] = pd.Series(values, dtype=_dtype(c))
    frame = pd.DataFrame(data)
    frame.attrs["about"] = _about(panel)
    return frame


def to_parquet(panel: Panel) -> bytes:
    _need("pandas", "pyarrow")
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(to_frame(panel), preserve_index=False)
    labels = {c.name: c.label for c in panel.columns}
    schema = table.schema.with_metadata({**(table.schema.metadata or {}), b"cnipa-kg": _about(panel).encode(),
                                         b"cnipa-kg.labels": json.dumps(labels, ensure_ascii=False).encode()})
    buf = io.BytesIO()
    pq.write_table(table.cast(schema), buf)
    return buf.getvalue()


def to_dta(panel: Panel) -> bytes:
    """Stata 118 (Unicode): variable labels from the columns, value labels for categories, flags and
    ``first_year_*`` (0 = never designated); empty evidence is a missing value."""
    frame = to_frame(panel)
    value_labels = {c.name: {int(k): v for k, v in c.values.items()} for c in panel.columns
                    if c.kind in ("flag", "year") and c.values}
    buf = io.BytesIO()
    frame.to_stata(buf, write_index=False, version=118, variable_labels={c.name: c.label for c in panel.columns},
                   value_labels=value_labels, data_label=_about(panel)[:80])
    return buf.getvalue()


WRITERS = {"csv": to_csv, "csvw": to_csvw, "codebook": to_codebook, "parquet": to_parquet, "dta": to_dta}
