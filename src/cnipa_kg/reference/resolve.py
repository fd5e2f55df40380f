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

import difflib
import re
import unicodedata
from collections import defaultdict
from functools import cache

from .divisions import Division, code_table, lineage
from .names import split_name
from .provinces import XPCC_NAMES, Province, lookup, short_name

LEVELS = ("province", "prefecture", "district")
EXACT, INFORMAL = 0, 1  # the cost of a segment read from a table name / from an informal form
# a segment that names no division of the table and is skipped: an XPCC division (第八师石河子市)
_FILLER = re.compile(r"第[一二三四五六七八九十]+师")
_NOTE = re.compile(r"\([^()]*\)$")  # after NFKC, （…） is (…)


class NameNotFound(ValueError):
    """No division of the table is called that (renamed, merged, misprinted or in another province).

    ``candidates``: the divisions with the closest names, closest first (possibly none).
    """

    def __init__(self, printed: str, candidates: list[Division], message: str):
        super().__init__(message)
        self.printed = printed
        self.candidates = candidates


class AmbiguousName(ValueError):
    """Several divisions fit the printed name; ``candidates`` lists every one, by code."""

    def __init__(self, printed: str, candidates: list[Division], message: str):
        super().__init__(message)
        self.printed = printed
        self.candidates = candidates


def normalize(printed: str) -> str:
    """The printed name without whitespace and trailing notes.

    >>> normalize(" 江苏省\u3000宜兴 市（原宜兴县）")
    '江苏省宜兴市'
    """
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", printed))
    while (stripped := _NOTE.sub("", text)) != text and stripped:
        text = stripped
    return text


def forms(division: Division) -> list[tuple[str, int]]:
    """The ways a division's name is printed, each with its cost (0 for exact forms).

    >>> forms(code_table().by_code["652300"])
    [('昌吉回族自治州', 0), ('昌吉州', 1), ('昌吉自治州', 1), ('昌吉', 1)]
    >>> forms(code_table().by_code["150000"])
    [('内蒙古自治区', 0), ('内蒙古', 0)]
    """
    name = division.name
    out = [(name, EXACT)]
    if division.level == "province":
        short = short_name(name)
        out.append((short, EXACT))
        if name.endswith("自治区") and short + "自治区" != name:
            out.append((short + "自治区", INFORMAL))
        if division.code == "650000":
            out += [(alias, EXACT) for alias in XPCC_NAMES]
        return out
    core, _, suffix = split_name(name)
    if suffix.startswith("自治"):
        bare = suffix[-1]  # 州, 县 or 旗
        proper = core[:-1] if core.endswith("族") and len(core) > 2 else core  # 鄂温克族自治旗
        if len(proper) >= 2:
            out += [(proper + bare, INFORMAL), (proper + suffix, INFORMAL), (proper, INFORMAL)]
    elif suffix and len(core) >= 2:
        out.append((core, INFORMAL))
    return list(dict.fromkeys(f for f in out if f[0]))


@cache
def _index() -> dict[str, tuple[tuple[Division, int], ...]]:
    """Every printed form → the divisions it may mean, with the cost of reading it so."""
    index: dict[str, list[tuple[Division, int]]] = defaultdict(list)
    for division in code_table().by_code.values():
        for form, cost in forms(division):
            index[form].append((division, cost))
    return {form: tuple(found) for form, found in index.items()}


@cache
def _ancestors(code: str) -> frozenset[str]:
    return frozenset(d.code for d in lineage(code)[1:])


def _province(cell: str) -> Province | None:
    text = normalize(cell)
    if found := lookup(text):
        return found
    for division, _ in _index().get(text, ()):
        if division.level == "province":
            return lookup(division.name)
    return None


def _readings(text: str, prefix: str | None) -> tuple[dict[str, int], tuple[int, Division | None]]:
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
            for division, extra in _index().get(text[start:end], ()):
                if prefix and division.code[:2] != prefix:
                    continue
                if scope is None or scope.code in _ancestors(division.code):
                    walk(end, division, cost + extra)

    walk(0, None, 0)
    return found, deepest[0]


def _parent_name(division: Division) -> str:
    parent = code_table().by_code.get(division.parent or "")
    return parent.name if parent else "-"


def _close(rest: str, scope: Division | None, prefix: str | None, levels: tuple[str, ...]) -> list[Division]:
    """The divisions under ``scope`` (in the province) whose forms are closest to ``rest``."""
    pool: dict[str, list[Division]] = defaultdict(list)
    for form, found in _index().items():
        for division, _ in found:
            if division.level not in levels or (prefix and division.code[:2] != prefix):
                continue
            if scope is None or scope.code in _ancestors(division.code):
                pool[form].append(division)
    out: dict[str, Division] = {}
    for form in difflib.get_close_matches(rest, list(pool), n=8, cutoff=0.5):
        for division in pool[form]:
            out.setdefault(division.code, division)
    return list(out.values())[:5]


def resolve_name(printed: str, *, province: str | None = None,
                 levels: tuple[str, ...] = ("prefecture", "district")) -> Division:
    """The one division at one of ``levels`` that ``printed`` names (in ``province``, if given).

    ``province`` is the printed province cell, full or short name (江苏, 江苏省, 兵团); a province
    (and prefecture) printed before the name is read too.

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
    table = code_table()
    cell = f" ({province})" if province else ""
    prov = _province(province) if province else None
    if province and prov is None:
        raise NameNotFound(printed, [], f"{printed}{cell}: no province called {province!r}")
    prefix = prov.prefix if prov else None
    text = normalize(printed)
    found, (end, scope) = _readings(text, prefix)
    wanted = {code: cost for code, cost in found.items() if table.by_code[code].level in levels}
    if wanted:
        cheapest = min(wanted.values())
        fits = sorted(code for code, cost in wanted.items() if cost == cheapest)
        if len(fits) == 1:
            return table.by_code[fits[0]]
        candidates = [table.by_code[code] for code in fits]
        listed = ", ".join(f"{d.code} {d.name} ({_parent_name(d)})" for d in candidates)
        raise AmbiguousName(printed, candidates, f"{printed}{cell}: {len(candidates)} divisions of that name: "
                                                 f"{listed}; print the province or prefecture")
    if found:  # it names a unit, but at another level (a province, say)
        other = ", ".join(f"{table.by_code[c].level} {c}" for c in sorted(found))
        raise NameNotFound(printed, [], f"{printed}{cell}: names a {other}, not a {' or '.join(levels)}")
    raise _not_found(printed, cell, text, end, scope, prov, levels)


def _not_found(printed: str, cell: str, text: str, end: int, scope: Division | None,
               prov: Province | None, levels: tuple[str, ...]) -> NameNotFound:
    """The error for a name no division has: close names under the deepest unit read, else in the province."""
    table = code_table()
    prefix = prov.prefix if prov else (scope.code[:2] if scope else None)
    candidates = _close(text[end:], scope, prefix, levels) if scope else []
    if candidates and scope is not None and scope.level != "province":
        where = f" in {scope.name} ({_parent_name(scope)})"
    else:
        candidates = candidates or _close(text, None, prefix, levels)
        home = table.by_code.get(f"{prefix}0000") if prefix else None
        where = f" in {home.name}" if home else ""
    guess = "; did you mean " + ", ".join(f"{d.name} ({d.code})" for d in candidates) + "?" if candidates else ""
    if prefix:  # the name of a division in another province?
        rest = text[end:] if scope else text
        elsewhere = [table.by_code[c] for c in sorted(_readings(rest, None)[0]) if table.by_code[c].level in levels]
        if elsewhere:
            guess += " (elsewhere: " + ", ".join(
                f"{d.name} {d.code} in {table.by_code[d.province_code].name}" for d in elsewhere) + ")"
    return NameNotFound(printed, candidates, f"{printed}{cell}: no division of that name{where} as of {table.as_of}{guess}")
