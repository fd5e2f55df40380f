"""The unit-year rows of a panel (issue 23).

Rows: every unit of the level in each year (treated and never treated; :mod:`.units`), years given or by
default five years before the first term to the last year a term covers. With ``vintage="designated"``
each year has the units then in force; with ``vintage=YEAR`` every year has that year's units (a balanced
panel), and ``vintage_sources`` names the units of each year that map onto a row's unit.

A designation sits on the unit it names, found among the year's (or the vintage's) units through the
division history (即墨市 370282, designated 2016, is 即墨区 370215 from 2018 on). On the panel's unit it is
the unit's own (``active``, ``exposed``, ``first_year``, ``cohort``, ``evidence``); on a unit inside it
(a county-level unit in a prefecture, a district in a municipality as one unit, a park) it counts in
``sub_designated``; on a unit it lies in, ``parent_designated``. Nested awards stay apart: 常熟 (2013)
does not move 苏州's 2012 onset, a district's award does not make its municipality active.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from ..core import terms
from ..core.errors import BadOption
from ..reference import names as division_names
from .columns import ACTIVE_RULES, Column, columns, pair_stem
from .held import Held
from .units import FIRST_YEAR, LAST_YEAR, LEVELS, MUNICIPALITY_MODES, UNIT_TYPES, Unit, ancestors, counterparts, panel_units

LEAD = 5  #: default years before the first term


@dataclass(frozen=True)
class Options:
    level: str = "prefecture"
    years: tuple[int, int] | None = None
    vintage: str | int = "designated"
    municipalities: str | None = None  #: None: as-cities for prefecture, as-districts for county
    active: str = "any-day"

    def checked(self, held: Sequence[Held]) -> Options:
        """These options with the defaults filled in.

        :raises BadOption: an option out of its range (the message says which and why)
        """
        if self.level not in LEVELS:
            raise BadOption(f"level {self.level!r}: expected one of {', '.join(LEVELS)}")
        municipalities = self.municipalities or ("as-cities" if self.level == "prefecture" else "as-districts")
        if municipalities not in MUNICIPALITY_MODES:
            raise BadOption(f"municipalities {municipalities!r}: expected one of {', '.join(MUNICIPALITY_MODES)}")
        if self.active not in ACTIVE_RULES:
            raise BadOption(f"active {self.active!r}: expected one of {', '.join(ACTIVE_RULES)}")
        vintage = self.vintage
        if vintage != "designated":
            if not str(vintage).isdigit() or not FIRST_YEAR <= int(vintage) <= LAST_YEAR:
                raise BadOption(f"vintage {vintage!r}: expected designated or a year {FIRST_YEAR}-{LAST_YEAR}")
            vintage = int(vintage)
        years = self.years or default_years(held)
        if not (FIRST_YEAR <= years[0] <= years[1] <= LAST_YEAR):
            raise BadOption(f"years {years[0]}-{years[1]}: expected FIRST <= LAST within {FIRST_YEAR}-{LAST_YEAR} "
                             "(the years the division history covers)")
        return Options(self.level, (int(years[0]), int(years[1])), vintage, municipalities, self.active)


def default_years(held: Sequence[Held]) -> tuple[int, int]:
    """Five years before the first term starts to the last year a term covers (an open term: its start year)."""
    if not held:
        raise BadOption("no designations: nothing to make a panel of")
    first = min(h.start.year for h in held) - LEAD
    last = max((h.end or h.start).year for h in held)
    return max(first, FIRST_YEAR), min(last, LAST_YEAR)


@dataclass
class Panel:
    options: Options
    columns: list[Column]
    rows: list[dict[str, object]]
    stems: list[str]  #: programme_tier stems present in the data
    unplaced: list[Held] = field(default_factory=list)  #: designations no unit of the panel holds in some year

    @property
    def vintage_label(self) -> str:
        v = self.options.vintage
        return "designated" if v == "designated" else str(v)


def _in_force(h: Held, year: int, rule: str) -> bool:
    first, last = date(year, 1, 1), date(year, 12, 31)
    if rule == "mid-year":
        return h.covers(date(year, 7, 1))
    if rule == "whole-year":
        return h.start <= first and (h.end is None or h.end >= last)
    return h.start <= last and (h.end is None or h.end >= first)


def _stems(held: Sequence[Held]) -> list[str]:
    order = {t.column: i for i, t in enumerate(terms.PROGRAMMES)} | {t.column: i for i, t in enumerate(terms.TIERS)}
    pairs = sorted({h.pair for h in held}, key=lambda p: (order[p[0]], order[p[1]]))
    return [pair_stem(*p) for p in pairs]


@dataclass
class _Placed:  # the designations of one year's table, by the panel unit they bear on
    own: dict[str, list[Held]] = field(default_factory=lambda: defaultdict(list))
    sub: dict[str, list[tuple[str, Held]]] = field(default_factory=lambda: defaultdict(list))
    above: dict[str, list[Held]] = field(default_factory=lambda: defaultdict(list))  #: code above the units -> held


def _place(held: Sequence[Held], year: int, units: dict[str, Unit]) -> tuple[_Placed, list[Held]]:
    placed, unplaced = _Placed(), []
    for h in held:
        found = counterparts(h.code, h.name, year)
        for code in found:
            if code in units:
                (placed.sub[code].append((h.designation, h)) if h.park else placed.own[code].append(h))
                continue
            up = next((a for a in ancestors(year, code) if a in units), None)
            if up is not None:
                placed.sub[up].append((code, h))
            else:
                placed.above[code].append(h)
        if not found:
            unplaced.append(h)
    return placed, unplaced


@cache
def _name_en(unit: Unit) -> str:
    level = "province" if unit.code.endswith("0000") else "prefecture" if unit.code.endswith("00") else "district"
    return division_names.english_name(unit.name, level=level, adcode=unit.code)


def _vintage_sources(year: int, vintage: int, level: str, municipalities: str) -> dict[str, tuple[list[str], bool]]:
    """vintage unit code -> (codes of ``year``'s units that map onto it, whether one of them is split)."""
    target = {u.code: u for u in panel_units(vintage, level, municipalities)}
    sources: dict[str, list[str]] = defaultdict(list)
    split: set[str] = set()
    for u in panel_units(year, level, municipalities):
        onto = set()
        for code in counterparts(u.code, u.name, vintage):
            onto.add(code if code in target else next((a for a in ancestors(vintage, code) if a in target), ""))
        onto.discard("")
        for code in onto:
            sources[code].append(u.code)
        if len(onto) > 1:
            split |= onto
    return {code: (sorted(sources.get(code, [])), code in split) for code in target}


def _pair_values(stem: str, code: str, up: tuple[str, ...], year: int, placed: _Placed, rule: str) -> dict[str, object]:
    own = placed.own.get(code, ())
    sub = placed.sub.get(code, ())
    parent = [h for a in up for h in (*placed.own.get(a, ()), *placed.above.get(a, ()))]
    if not (own or sub or parent):
        return _zeros(stem)
    first = min(own, key=lambda h: (h.start, h.signed), default=None)
    grades = sorted({h.evidence for h in own if h.start.year <= year}, key=("text", "roster").index)
    return {
        f"active_{stem}": int(any(_in_force(h, year, rule) for h in own)),
        f"exposed_{stem}": int(first is not None and year >= first.start.year),
        f"first_year_{stem}": first.start.year if first else 0,
        f"cohort_{stem}": first.cohort if first else "",
        f"sub_designated_{stem}": len({c for c, h in sub if _in_force(h, year, rule)}),
        f"parent_designated_{stem}": int(any(_in_force(h, year, rule) for h in parent)),
        f"evidence_{stem}": "+".join(grades),
    }


@cache
def _zeros(stem: str) -> dict[str, object]:
    """The values of a unit-year no designation bears on (shared: rows copy them in)."""
    return {f"active_{stem}": 0, f"exposed_{stem}": 0, f"first_year_{stem}": 0, f"cohort_{stem}": "",
            f"sub_designated_{stem}": 0, f"parent_designated_{stem}": 0, f"evidence_{stem}": ""}


def make_panel(held: Sequence[Held], options: Options = Options()) -> Panel:
    """The panel of ``held`` designations.

    :raises BadOption: an option out of its range
    """
    opts = options.checked(held)
    stems = _stems(held)
    vintage = None if opts.vintage == "designated" else int(opts.vintage)
    cols = columns(opts.level, stems, opts.active, vintage=vintage is not None)
    rows: list[dict[str, object]] = []
    unplaced: dict[str, Held] = {}
    by_stem = {s: [h for h in held if pair_stem(*h.pair) == s] for s in stems}
    for year in range(opts.years[0], opts.years[1] + 1):
        t_year = vintage or year
        units = {u.code: u for u in panel_units(t_year, opts.level, opts.municipalities)}
        sources = _vintage_sources(year, vintage, opts.level, opts.municipalities) if vintage else {}
        placed_by_stem = {}
        for stem in stems:
            placed, lost = _place(by_stem[stem], t_year, units)
            placed_by_stem[stem] = placed
            unplaced |= {h.designation: h for h in lost}
        for code, unit in units.items():
            row: dict[str, object] = {
                "code": code, "name": unit.name, "name_en": _name_en(unit), "unit_type": unit.unit_type,
                "unit_type_en": UNIT_TYPES[unit.unit_type], "province_code": unit.province, "parent_code": unit.parent,
                "year": year,
            }
            if vintage:
                codes, split = sources[code]
                row |= {"vintage_sources": ";".join(codes), "vintage_merged": int(len(codes) > 1), "vintage_split": int(split)}
            up = ancestors(t_year, code)
            for stem in stems:
                row |= _pair_values(stem, code, up, year, placed_by_stem[stem], opts.active)
            rows.append(row)
    rows.sort(key=lambda r: (r["code"], r["year"]))
    return Panel(opts, cols, rows, stems, sorted(unplaced.values(), key=lambda h: h.designation))
