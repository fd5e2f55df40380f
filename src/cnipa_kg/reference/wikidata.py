"""Links from divisions to Wikidata and their coordinates: ``data/reference/division-wikidata.csv``.

One row per division: its code, its Chinese name, the Wikidata QID and a representative point
(latitude, longitude as the table writes them: the text is kept, never reformatted). A row is
used only where its name equals the division's name in the ministry's code table; a division
without a usable row has no link (never guessed). Empty coordinates mean "no point known" (the
table's header says which rows are so and why).

>>> link("110000").qid, link("110000").wkt
('Q956', 'POINT(116.407526 39.90403)')
>>> link("340500") is None, link("340124").qid, link("340124").wkt
(True, 'Q1334871', None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .csvfiles import rows
from .divisions import code_table

TABLE = "division-wikidata.csv"
#: the Wikidata snapshot the table was converted from (retrieved 2026-10-03; the table's header says more)
SNAPSHOT = "https://github.com/celebrateyang/newlook/blob/01798f7/shared/regions/centers.json"
DESCRIPTION = ("Division code -> Wikidata QID and representative point (Wikidata P442 and P625), from a CC0 snapshot "
               "of Wikidata retrieved 2026-10-03; shipped as data/reference/division-wikidata.csv, whose header gives "
               "its coverage and known faults.")
_QID = re.compile(r"Q[1-9][0-9]*")
_DEGREES = re.compile(r"-?[0-9]{1,3}(\.[0-9]+)?")


@dataclass(frozen=True)
class WikidataLink:
    adcode: str
    name_zh: str
    qid: str  #: e.g. Q956
    latitude: str | None  #: decimal degrees as written in the table; None: no point known
    longitude: str | None

    @property
    def wkt(self) -> str | None:
        """The point as WKT in CRS84 order (longitude first), digits as in the table."""
        if self.latitude is None or self.longitude is None:
            return None
        return f"POINT({self.longitude} {self.latitude})"


@dataclass(frozen=True)
class WikidataTable:
    links: dict[str, WikidataLink]  #: adcode -> link, rows whose name agrees with the code table
    name_mismatches: tuple[str, ...]  #: codes of rows not used: their name differs from the code table's
    not_in_code_table: tuple[str, ...]  #: codes of rows for divisions the code table does not have


def _row(row: dict[str, str]) -> WikidataLink:
    code, qid, lat, lon = row["adcode"], row["wikidata"], row["latitude"], row["longitude"]
    if not re.fullmatch(r"[0-9]{6}", code) or not _QID.fullmatch(qid):
        raise ValueError(f"{TABLE}: malformed row {row}")
    if (lat == "") != (lon == "") or any(v and not _DEGREES.fullmatch(v) for v in (lat, lon)):
        raise ValueError(f"{TABLE}: malformed coordinates in row {row}")
    return WikidataLink(code, row["name_zh"], qid, lat or None, lon or None)


@cache
def wikidata_table() -> WikidataTable:
    table = code_table().by_code
    links: dict[str, WikidataLink] = {}
    mismatches, unknown, seen = [], [], set()
    for raw in rows(TABLE):
        row = _row(raw)
        if row.adcode in seen or row.qid in seen:  # owl:sameAs would make two divisions one individual
            raise ValueError(f"{TABLE}: code {row.adcode} or QID {row.qid} appears twice")
        seen.update((row.adcode, row.qid))
        division = table.get(row.adcode)
        if division is None:
            unknown.append(row.adcode)
        elif division.name != row.name_zh:
            mismatches.append(row.adcode)
        else:
            links[row.adcode] = row
    return WikidataTable(links, tuple(mismatches), tuple(unknown))


def link(adcode: str) -> WikidataLink | None:
    """The Wikidata link of the division ``adcode``, or None when the table has no usable row."""
    return wikidata_table().links.get(adcode)
