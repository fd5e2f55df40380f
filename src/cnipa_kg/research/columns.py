"""The panel's columns, defined once: what the CSV, its CSVW metadata, the codebook, the DataFrame,
Parquet and Stata read (names of at most 32 characters, labels of at most 80).

Per programme × tier *present in the data* (``{s}`` is ``{programme}_{tier}`` in the column stems of
:mod:`cnipa_kg.core.terms`, e.g. ``ipdc_demo``, ``city_pilot``) seven columns: ``active_{s}``,
``exposed_{s}``, ``first_year_{s}``, ``cohort_{s}``, ``sub_designated_{s}``, ``parent_designated_{s}``,
``evidence_{s}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core import terms

ACTIVE_RULES = {  # --active: when a term makes a unit-year active
    "any-day": "a term covers at least one day of the year",
    "mid-year": "a term covers 1 July of the year",
    "whole-year": "a term covers every day of the year",
}
NO_YES = {0: "no", 1: "yes"}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  #: code | string | category | flag (0/1) | year (0 = none) | count
    label: str  #: at most 80 characters (Stata's variable label)
    description: str = ""  #: the codebook's and CSVW's longer words
    values: dict = field(default_factory=dict)  #: value labels (Stata) / the values a category takes

    @property
    def csvw_datatype(self):
        return {"code": {"base": "string", "format": "[0-9]{6}"}, "flag": {"base": "integer", "minimum": 0, "maximum": 1},
                "year": "integer", "count": "integer"}.get(self.kind, "string")


def pair_stem(programme: str, tier: str) -> str:
    return f"{programme}_{tier}"


def pair_words(stem: str) -> str:
    """``ipdc_demo`` → ``national IP demonstration cities, demonstration``."""
    programme, tier = stem.split("_", 1)
    return f"{terms.programme(programme).en}, {terms.tier(tier).en}"


def unit_columns(level: str) -> list[Column]:
    from .units import UNIT_TYPES

    return [
        Column("code", "code", "division code (GB/T 2260) of the unit", "6-digit code of the unit as it is that year "
               "(vintage designated) or in the vintage year (--vintage YEAR)"),
        Column("name", "string", "name (Chinese)", "the unit's official name then"),
        Column("name_en", "string", "name (English)", "English name: Hanyu Pinyin, as the graph's English labels"),
        Column("unit_type", "category", "unit type (Chinese)", "kind of division, from its name: "
               + ", ".join(f"{zh} {en}" for zh, en in UNIT_TYPES.items()), {k: k for k in UNIT_TYPES}),
        Column("unit_type_en", "category", "unit type (English)", "unit_type in English", {v: v for v in UNIT_TYPES.values()}),
        Column("province_code", "code", "code of the province", "the province (the municipality itself for one)"),
        Column("parent_code", "string", "code of the unit it lies in", (
            "its prefecture-level unit or municipality, else its province (a county-level unit a province governs "
            "directly); empty for a municipality" if level == "county" else
            "its province (the municipality for a district of a municipality, --municipalities as-districts); "
            "empty for a municipality")),
        Column("year", "year", "year", "the calendar year; the units are those in force on 1 January of it"),
    ]


def vintage_columns() -> list[Column]:
    return [
        Column("vintage_sources", "string", "codes that year mapped onto this unit", (
            "the codes of that year's units (in force on 1 January) whose area is this vintage unit's, ;-separated "
            "(followed through the division history's changes)")),
        Column("vintage_merged", "flag", "two or more of that year's units map onto this unit",
               "a many-to-one merge: flagged, never summed", NO_YES),
        Column("vintage_split", "flag", "a unit of that year maps onto several vintage units",
               "one of vintage_sources also maps elsewhere (its area was split)", NO_YES),
    ]


def pair_columns(stem: str, active_rule: str) -> list[Column]:
    words = pair_words(stem)
    return [
        Column(f"active_{stem}", "flag", f"in force: {stem}"[:80], f"{words}: 1 when {ACTIVE_RULES[active_rule]} "
               f"(--active {active_rule}); a term is its stated period, or from its document's date with no end", NO_YES),
        Column(f"exposed_{stem}", "flag", f"exposed (absorbing since first designation): {stem}"[:80],
               f"{words}: 1 from the year of the unit's first designation on (absorbing)", NO_YES),
        Column(f"first_year_{stem}", "year", f"first year designated, 0 never: {stem}"[:80],
               f"{words}: the year the unit's first term starts; 0 for never designated (csdid / did gvar)",
               {0: "never designated"}),
        Column(f"cohort_{stem}", "string", f"month of the first designating document: {stem}"[:80],
               f"{words}: YYYY-MM of the document of the unit's first designation; empty for never designated"),
        Column(f"sub_designated_{stem}", "count", f"designated units inside this unit, in force: {stem}"[:80],
               f"{words}: how many units inside this one (county-level units, parks) hold a term in force; "
               "they do not make this unit active or exposed"),
        Column(f"parent_designated_{stem}", "flag", f"a unit this one lies in is in force: {stem}"[:80],
               f"{words}: 1 when its prefecture, municipality or province holds a term in force; "
               "it does not make this unit active or exposed", NO_YES),
        Column(f"evidence_{stem}", "category", f"evidence grade of its designations: {stem}"[:80],
               f"{words}: how the unit's designations up to that year are known: " + "; ".join(
                   f"{g.column} = {g.en}" for g in terms.EVIDENCE_GRADES) + "; text+roster both; empty none",
               {v: v for v in ("text", "roster", "text+roster")}),
    ]


def columns(level: str, stems: list[str], active_rule: str, *, vintage: bool) -> list[Column]:
    out = unit_columns(level) + (vintage_columns() if vintage else [])
    for stem in stems:
        out += pair_columns(stem, active_rule)
    return out
