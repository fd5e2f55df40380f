"""The units of a panel year by year, from the division history, and how a unit of one year is found
among the units of another (issue 23).

**The year's divisions** are those in force on 1 January of the year: the state after the changes of
the years before (:func:`table`, ``history.code_table_on``), as a designation's name is resolved on
its document's date. From 2026 on that is the ministry's table of 2025-12-31.

**Panel units.** ``prefecture``: the prefecture-level units (地级市, 地区, 自治州, 盟) and the four
municipalities, each one unit (``as-cities``) or their county-level units in their place
(``as-districts``). ``county``: the county-level units (市辖区, 县, 县级市, 旗 …; those a province
administers directly, 济源 or 仙桃, included) and the prefecture-level cities with no county-level
unit (东莞, 中山, 嘉峪关; 儋州 from 2015); the municipalities' districts (``as-districts``) or each
municipality as one unit (``as-cities``). Taiwan, Hong Kong and Macao are not in the panels.

>>> [u.code for u in panel_units(2016, "prefecture", "as-cities") if u.code in ("110000", "371200")]
['110000', '371200']
>>> [u.code for u in panel_units(2019, "prefecture", "as-cities") if u.code == "371200"]
[]
>>> counterparts("370282", "即墨市", 2025), counterparts("370215", "即墨区", 2010)
(('370215',), ('370282',))
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from ..core.errors import BadOption
from ..reference import history
from ..reference.divisions import CodeTable, Division

MUNICIPALITIES = ("110000", "120000", "310000", "500000")
OUTSIDE = ("71", "81", "82")  #: province prefixes of Taiwan, Hong Kong, Macao
LEVELS = ("prefecture", "county")
MUNICIPALITY_MODES = ("as-cities", "as-districts")
FIRST_YEAR = 1981  #: the history's code books start with 1980's; a year's table is the state after the year before
LAST_YEAR = 2026  #: 1 January 2026: the ministry's table of 2025-12-31; later years are not known

#: unit types (Chinese, as the divisions name themselves) and their English
UNIT_TYPES = {
    "直辖市": "municipality", "地级市": "prefecture-level city", "地区": "prefecture", "自治州": "autonomous prefecture",
    "盟": "league", "市辖区": "district", "县": "county", "县级市": "county-level city", "自治县": "autonomous county",
    "旗": "banner", "自治旗": "autonomous banner", "特区": "special district", "林区": "forestry district",
}
_COUNTY_SUFFIX = re.compile(r"(自治县|自治旗|特区|林区|区|县|市|旗)$")
_PREFECTURE_SUFFIX = re.compile(r"(自治州|地区|盟|市)$")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    unit_type: str  #: a key of :data:`UNIT_TYPES`
    parent: str  #: code of the unit it lies in: its prefecture or municipality, else its province ("" for a municipality)
    province: str  #: code of its province (the municipality itself for a municipality)


def unit_type(division: Division) -> str:
    """The kind of unit, from the name's ending (a municipality by its code).

    >>> [unit_type(Division(c, n, lv, None)) for c, n, lv in (("110000", "北京市", "province"),
    ...  ("320500", "苏州市", "prefecture"), ("320581", "常熟市", "district"), ("110108", "海淀区", "district"),
    ...  ("152900", "阿拉善盟", "prefecture"), ("429021", "神农架林区", "district"))]
    ['直辖市', '地级市', '县级市', '市辖区', '盟', '林区']
    """
    if division.code in MUNICIPALITIES:
        return "直辖市"
    if division.level == "prefecture":
        m = _PREFECTURE_SUFFIX.search(division.name)
        return {"市": "地级市"}.get(m.group(1), m.group(1)) if m else "地级市"
    m = _COUNTY_SUFFIX.search(division.name)
    return {"区": "市辖区", "市": "县级市"}.get(m.group(1), m.group(1)) if m else "县"


def table(year: int) -> CodeTable:
    """The divisions in force on 1 January of ``year``."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadOption(f"{year}: the division history covers {FIRST_YEAR}-{LAST_YEAR} (1 January of each year)")
    return history.code_table_on(datetime.date(year, 1, 1))


@cache
def _children(year: int) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = defaultdict(list)
    for d in table(year).by_code.values():
        if d.parent:
            out[d.parent].append(d.code)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def children(year: int, code: str) -> tuple[str, ...]:
    """The codes of the units that lie directly in ``code`` on 1 January of ``year``."""
    return _children(year).get(code, ())


@cache
def ancestors(year: int, code: str) -> tuple[str, ...]:
    """The codes of the units ``code`` lies in, nearest first."""
    found: list[str] = []
    by_code = table(year).by_code
    parent = by_code[code].parent if code in by_code else None
    while parent and parent not in found:
        found.append(parent)
        parent = by_code[parent].parent if parent in by_code else None
    return tuple(found)


def _unit(d: Division, parent: str) -> Unit:
    return Unit(d.code, d.name, unit_type(d), parent, d.code[:2] + "0000")


@cache
def _panel_units(year: int, level: str, municipalities: str) -> tuple[Unit, ...]:
    t = table(year)
    mainland = [d for d in t.by_code.values() if d.code[:2] not in OUTSIDE]
    whole = municipalities == "as-cities"
    out = [_unit(d, "") for d in mainland if d.code in MUNICIPALITIES and whole]
    if level == "prefecture":
        out += [_unit(d, d.parent or "") for d in mainland if d.level == "prefecture"]
        out += [_unit(d, d.parent or "") for d in mainland if not whole and d.level == "district" and d.parent in MUNICIPALITIES]
    else:
        out += [_unit(d, d.parent or "") for d in mainland if d.level == "district" and not (whole and d.parent in MUNICIPALITIES)]
        out += [_unit(d, d.parent or "") for d in mainland if d.level == "prefecture"
                and not any(t.by_code[c].level == "district" for c in children(year, d.code))]
    return tuple(sorted(out, key=lambda u: u.code))


def panel_units(year: int, level: str, municipalities: str) -> tuple[Unit, ...]:
    """The units of a ``level`` panel on 1 January of ``year``."""
    if level not in LEVELS or municipalities not in MUNICIPALITY_MODES:
        raise BadOption(f"level {level!r} / municipalities {municipalities!r}: expected one of {LEVELS} / {MUNICIPALITY_MODES}")
    return _panel_units(year, level, municipalities)


@cache
def counterparts(code: str, name: str, year: int) -> tuple[str, ...]:
    """The codes of the units of 1 January ``year`` that the unit (``code``, ``name``) is, or became, or
    came from: itself if it exists then, else its successors (the year is after it ended) or
    predecessors (before it was made), followed change by change. Empty when the history links none.
    """
    by_code, found, seen, todo = table(year).by_code, set(), set(), [(code, name)]
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        d = by_code.get(key[0])
        if d is not None and d.name == key[1]:
            found.add(key[0])
            continue
        spans = history.spans_of(*key) or (history.spans_of(key[0]) if key == (code, name) else [])
        for span in spans:
            if span.ended is not None and span.ended < year:
                todo += [(c.code, c.name) for c in span.successors]
            elif span.appeared is not None and span.appeared >= year:
                todo += [(c.code, c.name) for c in span.predecessors]
    if not found and code in by_code and not history.spans_of(code, name):
        found.add(code)  # a name the history does not know under this code: the code's unit then
    return tuple(sorted(found))
