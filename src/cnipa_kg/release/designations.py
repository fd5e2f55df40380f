"""``designations.csv`` (one row per designation) and its W3C CSV on the Web metadata."""

from __future__ import annotations

import csv
import io
import json

from ..core.release_files import DESIGNATIONS_CSV
from ..core.vocab import CKG, PINYIN
from ..reference.provinces import short_name
from .tables import Tables

CSV_COLUMNS = [
    "notice", "level", "annex", "serial", "province", "name", "adcode", "parent_adcode", "division_level",
    "name_en", "name_pinyin", "period_start", "period_end", "source_line", "designation", "division",
    "programme", "park", "designee", "wikidata", "document", "document_date", "tier", "evidence_grade",
]
#: evidence grades as the CSV writes them (ckg:EvidenceGrades)
EVIDENCE_GRADES = {"evidenceIssuerText": "text", "evidenceRoster": "roster"}


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
            "programme": d.programme,
            "park": tables.park_labels.get(d.park, ""),
            "designee": d.park or d.division,
            "wikidata": division.wikidata if division else "",
            "document": d.document,
            "document_date": d.signed,
            "tier": d.level,
            "evidence_grade": EVIDENCE_GRADES.get(d.evidence, d.evidence),
        })
    return rows


def to_designations_csv(tables: Tables) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(designation_rows(tables))
    return buf.getvalue().encode("utf-8")


_CKG = str(CKG)
#: columns that may be empty (a notice known without its 文号 has no notice; a roster's row no serial and no source line)
_OPTIONAL = ("notice", "parent_adcode", "annex", "serial", "period_start", "period_end", "source_line", "park", "wikidata")
_CSVW_COLUMNS = {
    # name: (description, datatype, propertyUrl, valueUrl, aboutUrl) — full IRIs: CSVW processors know no ckg: prefix.
    # Columns without a propertyUrl get the default designations.csv#column property.
    "notice": ("文号 document number of the designating notice; empty when it is not known", "string", None, None, None),
    "level": ("tier of the designation (ckg:Tiers); kept for one release under its old name: use tier",
              {"base": "string", "format": "demonstration|pilot|demonstrationBuilding|building"},
              _CKG + "tier", _CKG + "{level}", None),
    "annex": ("annex number", "integer", None, None, None),
    "serial": ("serial number (序号)", "integer", _CKG + "serialNumber", None, None),
    "province": ("province, short name", "string", None, None, None),
    "name": ("division name (official, as on the notice's date)", "string", None, None, None),
    "adcode": ("6-digit division code (GB/T 2260)", {"base": "string", "format": "[0-9]{6}"}, _CKG + "adcode", None, "{+division}"),
    "parent_adcode": ("code of the parent division", {"base": "string", "format": "[0-9]{6}"}, None, None, None),
    "division_level": ("division level", {"base": "string", "format": "province|prefecture|district"}, None, None, None),
    "name_en": ("English name", "string", None, None, None),
    "name_pinyin": ("Hanyu Pinyin name", "string", None, None, None),
    "period_start": ("first day of the designation period", "date", _CKG + "periodStart", None, None),
    "period_end": ("last day of the designation period", "date", _CKG + "periodEnd", None, None),
    "source_line": ("line number(s) of the row in its source (the text; for a roster, the roster's CSV file), ;-separated", "string", None, None, None),
    "designation": ("IRI of the designation", "anyURI", None, None, None),
    "division": ("IRI of the designated division (of the division a designated park lies in)", "anyURI", None, None, None),
    "programme": ("programme of the designation (ckg:Programmes)", "string", _CKG + "programme", _CKG + "{programme}", None),
    "park": ("the designated park's name, when the designee is a park", "string", None, None, None),
    "designee": ("IRI of the designee: the division, or the park", "anyURI", _CKG + "designee", "{+designee}", None),
    "document": ("IRI of the designating notice", "anyURI", _CKG + "designatedBy", "{+document}", None),
    "document_date": ("the notice's signing date as precise as known: YYYY-MM-DD, or YYYY-MM when only the month is",
                      {"base": "string", "format": "[0-9]{4}-[0-9]{2}(-[0-9]{2})?"}, None, None, None),
    "tier": ("tier of the designation (ckg:Tiers)", {"base": "string", "format": "demonstration|pilot|demonstrationBuilding|building"},
             None, None, None),
    "evidence_grade": (("how the designation is known (ckg:evidenceGrade): text = read from a copy of the issuer's text "
                        "(source_line gives its row), roster = from a roster of facts (the issuer's text is not held)"),
                       {"base": "string", "format": "text|roster"}, None, None, None),
    "wikidata": (("Wikidata QID of the division (column division): owl:sameAs http://www.wikidata.org/entity/ + QID; "
                  "empty when none is known"),
                 {"base": "string", "format": "Q[1-9][0-9]*"}, "owl:sameAs", "http://www.wikidata.org/entity/{wikidata}",
                 "{+division}"),
}


def csvw_metadata() -> bytes:
    """W3C CSV on the Web metadata for designations.csv: each row is a ckg:Designation."""
    columns = []
    for name in CSV_COLUMNS:
        title, datatype, prop, value_url, about_url = _CSVW_COLUMNS[name]
        col = {"name": name, "titles": name, "dc:description": title, "datatype": datatype, "required": name not in _OPTIONAL}
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
            "primaryKey": ["designation"],
            "aboutUrl": "{+designation}",
        },
    }
    return (json.dumps(meta, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
