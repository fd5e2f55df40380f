"""The city-year treatment panel for staggered difference-in-differences, across programmes.

One row per division and year: every prefecture-level unit of the code table, plus each
designated county-level unit, for every year from two years before the earliest period to the
end of the latest (or ``years`` given). Columns:

* ``demonstration`` / ``pilot``: 1 when the division holds that tier in any programme for at
  least one month of the year; ``months_designated`` counts the calendar months of the year inside
  a designation period (2022-07..2025-06 gives 6, 12, 12, 6); ``first_year_designated`` is the
  year its first period starts; ``notice`` the notices in force that year;
* one 0/1 column per programme and tier (``strong_city_demonstration``, ``strong_county_pilot``,
  ``park_demonstration`` (a designated park lies in the division) …);
* ``first_year_{programme}``: the cohort, the first year the division is treated in that
  programme (what staggered estimators such as Callaway–Sant'Anna need);
* ``upgraded``: 1 from the year a division that was a pilot in a programme becomes a
  demonstration in it.

A designation without a stated period counts from its notice's date on, with no end.
"""

from __future__ import annotations

import calendar
import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from ..reference.provinces import short_name
from .tables import Tables

#: (programme column stem, ckg: local name) and tiers (column stem, ckg: local name)
PROGRAMMES = (("strong_city", "strongCityProgramme"), ("strong_county", "strongCountyProgramme"), ("park", "parkProgramme"),
              ("protection_zone", "protectionZoneProgramme"), ("ip_demonstration_city", "ipDemonstrationCityProgramme"))
TIERS = (("demonstration", "demonstration"), ("pilot", "pilot"), ("demonstration_building", "demonstrationBuilding"),
         ("building", "building"))
#: the programme × tier pairs that exist
PAIRS = tuple((p, t) for p in PROGRAMMES for t in TIERS
              if (t[0] == "building") == (p[0] == "protection_zone")
              and not (t[0] == "demonstration_building" and p[0] in ("park", "ip_demonstration_city")))
COLUMNS = (["adcode", "name", "name_en", "province", "level", "year", "demonstration", "pilot", "months_designated",
            "first_year_designated", "notice"]
           + [f"{p[0]}_{t[0]}" for p, t in PAIRS] + [f"first_year_{p[0]}" for p in PROGRAMMES] + ["upgraded"])


@dataclass(frozen=True)
class Spell:
    level: str  #: the tier (ckg: local name)
    start: date
    end: date | None  #: None: no period stated (open)
    notice: str
    programme: str = "strongCityProgramme"


def months_covered(start: date, end: date | None, year: int) -> set[int]:
    """Calendar months (1-12) of ``year`` that overlap [start, end] (``end`` None: no end).

    >>> [len(months_covered(date(2022, 7, 1), date(2025, 6, 30), y)) for y in (2021, 2022, 2023, 2024, 2025, 2026)]
    [0, 6, 12, 12, 6, 0]
    """
    return {m for m in range(1, 13)
            if (end is None or date(year, m, 1) <= end) and date(year, m, calendar.monthrange(year, m)[1]) >= start}


def spells(tables: Tables) -> dict[str, list[Spell]]:
    """division IRI -> its designation spells (a park's count for the division it lies in)."""
    out: dict[str, list[Spell]] = defaultdict(list)
    for d in tables.designations:
        start = date.fromisoformat(d.start or d.date)
        out[d.division].append(Spell(d.level, start, date.fromisoformat(d.end) if d.end else None, d.notice, d.programme))
    return out


def default_years(tables: Tables) -> tuple[int, int]:
    all_spells = [s for ss in spells(tables).values() for s in ss]
    if not all_spells:
        raise ValueError("no designations in the graph")
    return (min(s.start.year for s in all_spells) - 2,
            max((s.end or s.start).year for s in all_spells))


def _upgrade_year(own: list[Spell]) -> int | None:
    """The first year a programme's pilot becomes its demonstration, or None."""
    years = []
    for _, programme in PROGRAMMES:
        pilots = [s.start for s in own if s.programme == programme and s.level == "pilot"]
        later = [s.start.year for s in own if s.programme == programme and s.level == "demonstration"
                 and pilots and s.start > min(pilots)]
        years += later
    return min(years, default=None)


def panel_rows(tables: Tables, *, years: tuple[int, int] | None = None) -> list[dict[str, str]]:
    first_year, last_year = years or default_years(tables)
    by_division = spells(tables)
    units = set(by_division) | {iri for iri, d in tables.divisions.items() if d.level == "prefecture"}
    rows = []
    for node in units:
        division = tables.divisions[node]
        name, name_en = tables.label(node, "zh"), tables.label(node, "en")
        province = short_name(tables.label(tables.province_of(node), "zh"))
        own = by_division.get(node, [])
        first = min((s.start.year for s in own), default=None)
        cohorts = {p: min((s.start.year for s in own if s.programme == local), default=None) for p, local in PROGRAMMES}
        upgraded = _upgrade_year(own)
        for year in range(first_year, last_year + 1):
            held: set[tuple[str, str]] = set()
            covered: set[int] = set()
            notices = set()
            for s in own:
                if months := months_covered(s.start, s.end, year):
                    held.add((s.programme, s.level))
                    notices.add(s.notice)
                    covered |= months
            row = {
                "adcode": division.adcode, "name": name, "name_en": name_en, "province": province, "level": division.level,
                "year": str(year),
                "demonstration": "1" if any(t == "demonstration" for _, t in held) else "0",
                "pilot": "1" if any(t == "pilot" for _, t in held) else "0",
                "months_designated": str(len(covered)),
                "first_year_designated": str(first) if first is not None else "",
                "notice": ";".join(sorted(notices)),
            }
            for (p, plocal), (t, tlocal) in PAIRS:
                row[f"{p}_{t}"] = "1" if (plocal, tlocal) in held else "0"
            for p, _ in PROGRAMMES:
                row[f"first_year_{p}"] = str(cohorts[p]) if cohorts[p] is not None else ""
            row["upgraded"] = "1" if upgraded is not None and year >= upgraded else "0"
            rows.append(row)
    rows.sort(key=lambda r: (r["adcode"], int(r["year"])))
    return rows


def to_panel_csv(tables: Tables, *, years: tuple[int, int] | None = None) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(panel_rows(tables, years=years))
    return buf.getvalue().encode("utf-8")
