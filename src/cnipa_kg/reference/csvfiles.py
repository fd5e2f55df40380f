"""The one reader of the reference tables ``data/reference/*.csv``: UTF-8, ``#`` comment lines
(their sources and conventions) above a header row.

>>> rows("policy-documents.csv")[0]["slug"]
'ip-power-outline-2021-2035'
>>> pairs("division-names-en.csv")["110000"]
'Beijing'
"""

from __future__ import annotations

import csv
from functools import cache

from ..core.resources import reference_path


@cache
def _read(filename: str) -> tuple[dict[str, str], ...]:
    with reference_path(filename).open(encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(line for line in f if not line.startswith("#")))


def rows(filename: str) -> list[dict[str, str]]:
    """The table's rows as dicts keyed by the header."""
    return [dict(row) for row in _read(filename)]


def pairs(filename: str) -> dict[str, str]:
    """First column -> second column."""
    table = _read(filename)
    if not table:
        return {}
    key, value = list(table[0])[:2]
    return {row[key]: row[value] for row in table}
