"""How a division's name is printed: the forms a division goes by (:func:`forms`, each with the cost of
reading it so) and a printed name made comparable (:func:`normalize`). :mod:`.resolve` reads names with them.
"""

from __future__ import annotations

import re
import unicodedata

from .divisions import Division
from .names import split_name
from .provinces import XPCC_NAMES, short_name

EXACT, INFORMAL = 0, 1  # the cost of a segment read from a table name / from an informal form
_NOTE = re.compile(r"\([^()]*\)$")  # after NFKC, （…） is (…)


#: variant characters that conversions to simplified leave in place names (OpenCC's t2s keeps 陜, a variant of 陝)
_VARIANTS = str.maketrans({"陜": "陕"})


def normalize(printed: str) -> str:
    """The printed name without whitespace and trailing notes.

    >>> normalize(" 江苏省\u3000宜兴 市（原宜兴县）")
    '江苏省宜兴市'
    """
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", printed)).translate(_VARIANTS)
    while (stripped := _NOTE.sub("", text)) != text and stripped:
        text = stripped
    return text


def forms(division: Division) -> list[tuple[str, int]]:
    """The ways a division's name is printed, each with its cost (0 for exact forms).

    >>> from cnipa_kg.reference.divisions import code_table
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
