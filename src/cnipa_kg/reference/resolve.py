"""Printed place names → the one division they mean, at prefecture or county level (issue 15).

Designation documents print places in many forms: the table's own name (宜兴市), the name after
its province and/or prefecture (江苏省宜兴市, 江苏苏州昆山市, 浙江省杭州市滨江区), short forms
(宜兴, 昌吉州, 湘西州, 新疆自治区), XPCC prefixes (兵团石河子市). A printed name is read as a chain of
*segments*, each a form of a division that lies under the one before it; the province cell
(``province=``) confines the chain to that province. The forms come from the table itself:

* every division's table name, and every province's short name (江苏, 新疆) — exact forms;
* informal forms: the name without its suffix (宜兴 for 宜兴市, 阿克苏 for 阿克苏地区, 浦东 for
  浦东新区; only where at least two characters remain), an autonomous unit's proper part with the
  bare or 自治- suffix (昌吉州, 昌吉自治州, 峨边县, 鄂温克旗), an autonomous region's short name +
  自治区 (新疆自治区), and the XPCC's names (兵团, 新疆生产建设兵团) for Xinjiang.

Exact forms win over informal ones: among the readings that end at a wanted level, those with
the fewest informal segments count. One division left → it; several → :class:`AmbiguousName`;
none → :class:`NameNotFound` with the close names (``difflib``) under the deepest unit read.
Whitespace (full-width included) and a trailing （…） note are ignored.

``on=`` (a date) resolves against the divisions of that day (:func:`.history.code_tables_on`: the
state after the changes of the years before it, then after those of its year); without it, today's
table. A name unknown that day is reported with that day's close names and its units at other times.

>>> import datetime
>>> [resolve_name(name, province=prov, on=datetime.date(2016, 5, 5)).code
...  for name, prov in [("即墨", "山东"), ("海门", "江苏"), ("莱芜", "山东")]]
['370282', '320684', '371200']
>>> resolve_name("即墨区", province="山东", on=datetime.date(2016, 5, 5))
Traceback (most recent call last):
...
cnipa_kg.reference.resolve.NameNotFound: 即墨区 (山东) on 2016-05-05: no division of that name in 山东省 on that day; did you mean 即墨市 (370282, until 2017)?; at other times: 即墨区 (370215) exists from 2017
>>> resolve_name("宜兴市", province="江苏").code, resolve_name("浙江省杭州市滨江区").code
('320282', '330108')
>>> resolve_name("新疆自治区昌吉州").name, resolve_name("湘西州", province="湖南省").code
('昌吉回族自治州', '433100')
>>> resolve_name("朝阳区")
Traceback (most recent call last):
...
cnipa_kg.reference.resolve.AmbiguousName: 朝阳区: 2 divisions of that name: 110105 朝阳区 (北京市), 220104 朝阳区 (长春市); print the province or prefecture
>>> resolve_name("江宁县", province="江苏")
Traceback (most recent call last):
...
cnipa_kg.reference.resolve.NameNotFound: 江宁县 (江苏): no division of that name in 江苏省 as of 2025-12-31; did you mean 江宁区 (320115), 阜宁县 (320923), 睢宁县 (320324)?
"""

from __future__ import annotations

import contextlib
import datetime
import difflib
import re
from collections import defaultdict

from . import history
from .divisions import CodeTable, Division, code_table
from .printed import forms, normalize
from .provinces import Province, lookup

LEVELS = ("province", "prefecture", "district")
# a segment that names no division of the table and is skipped: an XPCC division (第八师石河子市)
_FILLER = re.compile(r"第[一二三四五六七八九十]+师")


class _Unresolved(ValueError):
    def __init__(self, printed: str, candidates: list[Division], message: str):
        super().__init__(message)
        self.printed = printed
        self.candidates = candidates


class NameNotFound(_Unresolved):
    """No division of the table is called that (renamed, merged, misprinted or in another province).

    ``candidates``: the divisions with the closest names, closest first (possibly none); with ``on=``,
    then the units of that name at other times.
    """


class AmbiguousName(_Unresolved):
    """Several divisions fit the printed name; ``candidates`` lists every one, by code."""


class _Reader:
    """One table's printed forms (form → the divisions it may mean, with the cost of reading it so)
    and its units' ancestors; built once per table (:func:`_reader`)."""

    def __init__(self, table: CodeTable):
        self.table = table
        index: dict[str, list[tuple[Division, int]]] = defaultdict(list)
        for division in table.by_code.values():
            for form, cost in forms(division):
                index[form].append((division, cost))
        self.index = {form: tuple(found) for form, found in index.items()}
        self._ancestors: dict[str, frozenset[str]] = {}

    def ancestors(self, code: str) -> frozenset[str]:
        if (found := self._ancestors.get(code)) is None:
            chain, unit = [], self.table.by_code[code]
            while unit.parent in self.table.by_code and unit.parent not in chain and unit.parent != code:
                chain.append(unit.parent)
                unit = self.table.by_code[unit.parent]
            found = self._ancestors[code] = frozenset(chain)
        return found

    def parent_name(self, division: Division) -> str:
        return getattr(self.table.by_code.get(division.parent or ""), "name", "-")

    def province(self, cell: str) -> Province | None:
        text = normalize(cell)
        if found := lookup(text):
            return found
        for division, _ in self.index.get(text, ()):
            if division.level == "province":
                return lookup(division.name)
        return None

    def readings(self, text: str, prefix: str | None) -> tuple[dict[str, int], tuple[int, Division | None]]:
        """Every division ``text`` may name (→ its cheapest cost) and the deepest chain read (end, unit)."""
        found: dict[str, int] = {}
        deepest: list[tuple[int, Division | None]] = [(0, None)]

        def walk(start: int, scope: Division | None, cost: int) -> None:
            if start == len(text):
                if scope is not None and cost < found.get(scope.code, cost + 1):
                    found[scope.code] = cost
                return
            if start > deepest[0][0] and scope is not None and scope.level != "district" and len(text) - start > 1:
                deepest[0] = (start, scope)  # a unit that may hold the rest: the place to look for close names
            if filler := _FILLER.match(text, start):
                walk(filler.end(), scope, cost)
            for end in range(start + 1, len(text) + 1):
                for division, extra in self.index.get(text[start:end], ()):
                    if prefix and division.code[:2] != prefix:
                        continue
                    if scope is None or scope.code in self.ancestors(division.code):
                        walk(end, division, cost + extra)

        walk(0, None, 0)
        return found, deepest[0]

    def close(self, rest: str, scope: Division | None, prefix: str | None, levels: tuple[str, ...]) -> list[Division]:
        """The divisions under ``scope`` (in the province) whose forms are closest to ``rest``."""
        pool: dict[str, list[Division]] = defaultdict(list)
        for form, found in self.index.items():
            for division, _ in found:
                if division.level not in levels or (prefix and division.code[:2] != prefix):
                    continue
                if scope is None or scope.code in self.ancestors(division.code):
                    pool[form].append(division)
        out: dict[str, Division] = {}
        for form in difflib.get_close_matches(rest, list(pool), n=8, cutoff=0.5):
            for division in pool[form]:
                out.setdefault(division.code, division)
        return list(out.values())[:5]


_READERS: dict[int, _Reader] = {}  # id(table) → its reader; the reader keeps the table alive


def _reader(table: CodeTable) -> _Reader:
    if (reader := _READERS.get(id(table))) is None or reader.table is not table:
        reader = _READERS[id(table)] = _Reader(table)
    return reader


def resolve_name(printed: str, *, province: str | None = None,
                 levels: tuple[str, ...] = ("prefecture", "district"), on: datetime.date | None = None) -> Division:
    """The one division at one of ``levels`` that ``printed`` names (in ``province``, if given), on day ``on``.

    ``province`` is the printed province cell, full or short name (江苏, 江苏省, 兵团); a province
    (and prefecture) printed before the name is read too. ``on``: see the module's docstring.

    >>> resolve_name("吉林市", province="吉林").code, resolve_name("无锡市宜兴市").code
    ('220200', '320282')
    >>> resolve_name("兵团石河子市").code, resolve_name("宜兴", province="江苏").name
    ('659001', '宜兴市')
    >>> resolve_name("城区", province="山西")
    Traceback (most recent call last):
    ...
    cnipa_kg.reference.resolve.AmbiguousName: 城区 (山西): 2 divisions of that name: 140302 城区 (阳泉市), 140502 城区 (晋城市); print the province or prefecture
    """
    if not set(levels) <= set(LEVELS):
        raise ValueError(f"levels must be among {LEVELS}, not {levels!r}")
    if on is None:
        return _resolve(printed, province, levels, code_table(), None)
    tables = history.code_tables_on(on)
    try:
        return _resolve(printed, province, levels, tables[0], on)
    except NameNotFound as missing:
        for later in tables[1:]:  # a unit made during the year of ``on``
            with contextlib.suppress(NameNotFound):
                return _resolve(printed, province, levels, later, None)
        raise missing from None


def _resolve(printed: str, province: str | None, levels: tuple[str, ...], table: CodeTable,
             on: datetime.date | None) -> Division:
    reader = _reader(table)
    cell = f" ({province})" if province else ""
    prov = reader.province(province) if province else None
    if province and prov is None:
        raise NameNotFound(printed, [], f"{printed}{cell}: no province called {province!r}")
    prefix = prov.prefix if prov else None
    text = normalize(printed)
    found, (end, scope) = reader.readings(text, prefix)
    wanted = {code: cost for code, cost in found.items() if table.by_code[code].level in levels}
    if wanted:
        cheapest = min(wanted.values())
        fits = sorted(code for code, cost in wanted.items() if cost == cheapest)
        if len(fits) == 1:
            return table.by_code[fits[0]]
        candidates = [table.by_code[code] for code in fits]
        listed = ", ".join(f"{d.code} {d.name} ({reader.parent_name(d)})" for d in candidates)
        raise AmbiguousName(printed, candidates, f"{printed}{cell}: {len(candidates)} divisions of that name: "
                                                 f"{listed}; print the province or prefecture")
    if found:  # it names a unit, but at another level (a province, say)
        other = ", ".join(f"{table.by_code[c].level} {c}" for c in sorted(found))
        raise NameNotFound(printed, [], f"{printed}{cell}: names a {other}, not a {' or '.join(levels)}")
    raise _not_found(reader, printed, cell, text, (end, scope), prov, levels, on)


def _not_found(reader: _Reader, printed: str, cell: str, text: str, deepest: tuple[int, Division | None],
               prov: Province | None, levels: tuple[str, ...], on: datetime.date | None) -> NameNotFound:
    """The error for a name no division has: close names under the deepest unit read, else in the province;
    with ``on``, the close names' years and the units of that name at other times."""
    table, (end, scope) = reader.table, deepest
    prefix = prov.prefix if prov else (scope.code[:2] if scope else None)
    candidates = reader.close(text[end:], scope, prefix, levels) if scope else []
    if candidates and scope is not None and scope.level != "province":
        where = f" in {scope.name} ({reader.parent_name(scope)})"
    else:
        candidates = candidates or reader.close(text, None, prefix, levels)
        home = table.by_code.get(f"{prefix}0000") if prefix else None
        where = f" in {home.name}" if home else ""
    year = int(table.as_of[:4])

    def label(d: Division) -> str:  # 即墨市 (370282, until 2017) for a unit that ended later
        span = next((s for s in history.spans_of(d.code, d.name) if s.exists_after(year)), None) if on else None
        return f"{d.name} ({d.code}{f', until {span.ended}' if span and span.ended else ''})"

    guess = "; did you mean " + ", ".join(map(label, candidates)) + "?" if candidates else ""
    if prefix:  # the name of a division in another province?
        rest = text[end:] if scope else text
        elsewhere = [table.by_code[c] for c in sorted(reader.readings(rest, None)[0]) if table.by_code[c].level in levels]
        if elsewhere:
            guess += " (elsewhere: " + ", ".join(f"{d.name} {d.code} in "
                                                 f"{getattr(table.by_code.get(d.province_code), 'name', '-')}"
                                                 for d in elsewhere) + ")"
    if on is None:
        return NameNotFound(printed, candidates, f"{printed}{cell}: no division of that name{where} as of {table.as_of}{guess}")
    if others := history.absent_on(text, on, forms, prefix, levels):
        guess += "; at other times: " + ", ".join(
            f"{s.name} ({s.code}) " + (f"exists from {s.appeared}" if s.ended is None else f"existed {s.years}")
            for s in others)
        candidates = candidates + [Division(s.code, s.name, s.level, s.parent) for s in others]
    return NameNotFound(printed, candidates, f"{printed}{cell} on {on}: no division of that name{where} on that day{guess}")
