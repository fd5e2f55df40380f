"""The city-year treatment panel for staggered difference-in-differences.

One row per division and year: every prefecture-level unit of the code table, plus each
designated district (county-level unit), for every year from two years before the earliest
period to the end of the latest period (or ``years`` given). ``months_designated`` counts
the calendar months of that year inside a designation period (2022-07..2025-06 gives 6, 12,
12, 6); ``demonstration`` / ``pilot`` are 1 when the division holds that level for at least
one month of the year; ``first_year_designated`` is the year its first period starts.
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

COLUMNS = ["adcode", "name", "name_en", "province", "level", "year", "demonstration", "pilot",
           "months_designated", "first_year_designated", "notice"]


@dataclass(frozen=True)
class Spell:
    level: str
    start: date
    end: date
    notice: str


def months_covered(start: date, end: date, year: int) -> set[int]:
    """Calendar months (1-12) of ``year`` that overlap [start, end].

    >>> [len(months_covered(date(2022, 7, 1), date(2025, 6, 30), y)) for y in (2021, 2022, 2023, 2024, 2025, 2026)]
    [0, 6, 12, 12, 6, 0]
    """
    return {m for m in range(1, 13)
            if date(year, m, 1) <= end and date(year, m, calendar.monthrange(year, m)[1]) >= start}


def spells(tables: Tables) -> dict[str, list[Spell]]:
    """division IRI -> its designation spells."""
    out: dict[str, list[Spell]] = defaultdict(list)
    for d in tables.designations:
        out[d.division].append(Spell(d.level, date.fromisoformat(d.start), date.fromisoformat(d.end), d.notice))
    return out


def default_years(tables: Tables) -> tuple[int, int]:
    all_spells = [s for ss in spells(tables).values() for s in ss]
    if not all_spells:
        raise ValueError("no designations in the graph")
    return min(s.start.year for s in all_spells) - 2, max(s.end.year for s in all_spells)


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
        for year in range(first_year, last_year + 1):
            levels: set[str] = set()
            covered: set[int] = set()
            notices = set()
            for s in own:
                if months := months_covered(s.start, s.end, year):
                    levels.add(s.level)
                    notices.add(s.notice)
                    covered |= months
            rows.append({
                "adcode": division.adcode,
                "name": name,
                "name_en": name_en,
                "province": province,
                "level": division.level,
                "year": str(year),
                "demonstration": "1" if "demonstration" in levels else "0",
                "pilot": "1" if "pilot" in levels else "0",
                "months_designated": str(len(covered)),
                "first_year_designated": str(first) if first is not None else "",
                "notice": ";".join(sorted(notices)),
            })
    rows.sort(key=lambda r: (r["adcode"], int(r["year"])))
    return rows


def to_panel_csv(tables: Tables, *, years: tuple[int, int] | None = None) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(panel_rows(tables, years=years))
    return buf.getvalue().encode("utf-8")
