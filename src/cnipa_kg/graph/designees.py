"""Who a row designates: an administrative division at any level (resolved by its printed name
within its printed province, :func:`cnipa_kg.reference.resolve.resolve_name`) or a park (a place
that lies in a division, found from the start of its name).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..core.errors import InputError
from ..core.records import Annex, AnnexRow, Notice
from ..reference.divisions import Division, code_table
from ..reference.resolve import AmbiguousName, NameNotFound, resolve_name

PARK_KINDS = ("高新技术产业开发区", "经济技术开发区", "高新区", "经开区", "工业园区", "产业园区", "科技园区", "科技园",
              "开发区", "新区", "园区", "基地", "园")


@dataclass(frozen=True)
class Designee:
    division: Division  #: the division designated, or the one the park lies in
    park: str | None = None  #: the park's name as printed (a park designee)

    @property
    def kind(self) -> str | None:
        """The park's kind, from the end of its name (高新区, 经济技术开发区 …)."""
        return next((k for k in PARK_KINDS if self.park and self.park.endswith(k)), None)


_resolve = lru_cache(maxsize=1 << 16)(resolve_name)  # the same names recur in every part of a build


#: programmes that designate cities (城市, 城区): a short form in their lists names the city
CITY_PROGRAMMES = frozenset(("strong-city", "ip-demonstration-city"))


def _division(n: Notice, row: AnnexRow, name: str, programme: str = "") -> Division:
    """The division ``name`` meant on the document's date (divisions as they were: 即墨 in 2016 is 即墨市).
    In a list of cities, a short form shared by a city and a county or district of its name under it (长沙:
    长沙市, 长沙县; 东营: 东营市, 东营区) is the city."""
    try:
        return _resolve(name, province=row.province or None, on=n.date)
    except NameNotFound as exc:
        raise InputError(n.source.path, row.lines[-1], str(exc)) from None
    except AmbiguousName as exc:
        parents = [d for d in exc.candidates if all(o.parent == d.code for o in exc.candidates if o is not d)]
        if programme in CITY_PROGRAMMES and len(parents) == 1:
            return parents[0]
        raise InputError(n.source.path, row.lines[-1], f"ambiguous name: {exc}") from None


def designee_of(n: Notice, annex: Annex, row: AnnexRow) -> Designee:
    """The designee of ``row``.

    :raises InputError: a name that means no division or several (with the candidates)
    """
    if annex.designee_kind != "park":
        return Designee(_division(n, row, row.name, annex.programme))
    # a park lies in the longest division named at the start of its name, else in its province
    for end in range(len(row.name) - 1, 1, -1):
        try:
            return Designee(_resolve(row.name[:end], province=row.province or None, on=n.date), park=row.name)
        except (NameNotFound, AmbiguousName):
            continue
    try:
        province = resolve_name(row.province, levels=("province",)) if row.province else None
    except (NameNotFound, AmbiguousName):
        province = None
    if province is None:
        raise InputError(n.source.path, row.lines[-1], f"{row.name}: cannot tell which division the park lies in "
                                                       "(print its province, or its city at the start of its name)")
    return Designee(code_table().by_code[province.code], park=row.name)
