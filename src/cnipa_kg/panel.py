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

from rdflib import Graph
from rdflib.namespace import SKOS

from .provinces import short_name
from .vocab import CKG, ELI

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


def _label(graph: Graph, node, lang: str) -> str:
    return next((str(o) for o in graph.objects(node, SKOS.prefLabel) if getattr(o, "language", None) == lang), "")


def spells(graph: Graph) -> dict:
    """division node -> its designation spells."""
    out: dict = defaultdict(list)
    for d in graph.subjects(CKG.designatedBy, None):
        level = str(graph.value(d, CKG.designationLevel)).rsplit("#", 1)[-1]
        start, end = graph.value(d, CKG.periodStart).toPython(), graph.value(d, CKG.periodEnd).toPython()
        notice = str(graph.value(graph.value(d, CKG.designatedBy), ELI.id_local))
        out[graph.value(d, CKG.designee)].append(Spell(level, start, end, notice))
    return out


def default_years(graph: Graph) -> tuple[int, int]:
    all_spells = [s for ss in spells(graph).values() for s in ss]
    if not all_spells:
        raise ValueError("no designations in the graph")
    return min(s.start.year for s in all_spells) - 2, max(s.end.year for s in all_spells)


def panel_rows(graph: Graph, *, years: tuple[int, int] | None = None) -> list[dict[str, str]]:
    first_year, last_year = years or default_years(graph)
    by_division = spells(graph)
    units = set(by_division)
    units.update(graph.subjects(CKG.divisionLevel, CKG.prefectureLevel))
    rows = []
    for node in units:
        adcode = str(graph.value(node, CKG.adcode))
        province = graph.value(node, CKG.province) or node
        level = str(graph.value(node, CKG.divisionLevel)).rsplit("#", 1)[-1].removesuffix("Level")
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
                "adcode": adcode,
                "name": _label(graph, node, "zh"),
                "name_en": _label(graph, node, "en"),
                "province": short_name(_label(graph, province, "zh")),
                "level": level,
                "year": str(year),
                "demonstration": "1" if "demonstration" in levels else "0",
                "pilot": "1" if "pilot" in levels else "0",
                "months_designated": str(len(covered)),
                "first_year_designated": str(first) if first is not None else "",
                "notice": ";".join(sorted(notices)),
            })
    rows.sort(key=lambda r: (r["adcode"], int(r["year"])))
    return rows


def to_panel_csv(graph: Graph, *, years: tuple[int, int] | None = None) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(panel_rows(graph, years=years))
    return buf.getvalue().encode("utf-8")
