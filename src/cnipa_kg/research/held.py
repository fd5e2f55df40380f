"""The designations a panel is made of, from the rows of ``designations.csv`` (as the build writes them,
or read back from a release folder): no store, no RDF library.

A designation's **term** is its stated period (``period_start`` .. ``period_end``); one without a
stated period runs from its document's date on, with no end (a month-precise date counts from the
month's first day).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..core import terms
from ..core.decode import read_bytes
from ..core.errors import InputError
from ..core.release_files import DESIGNATIONS_CSV

NEEDED = ("designation", "adcode", "name", "programme", "tier", "evidence_grade", "document_date", "period_start",
          "period_end", "park", "notice", "document")


@dataclass(frozen=True)
class Held:
    designation: str  #: IRI
    code: str  #: the division designated (or that the designated park lies in)
    name: str  #: its name as on the document's date
    programme: str  #: column stem (core.terms)
    tier: str  #: column stem
    evidence: str  #: "text" | "roster"
    signed: str  #: the document's date as precise as known (YYYY-MM-DD or YYYY-MM)
    start: datetime.date  #: the term's first day
    end: datetime.date | None  #: its last day; None: no end stated
    park: bool = False  #: the designee is a park in the division, not the division
    document: str = ""  #: the document's IRI

    @property
    def pair(self) -> tuple[str, str]:
        return self.programme, self.tier

    @property
    def cohort(self) -> str:
        """The document's month, YYYY-MM."""
        return self.signed[:7]

    def covers(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def _day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text if len(text) == 10 else f"{text[:7]}-01")


def held_of(rows: Iterable[Mapping[str, str]], *, where: str = DESIGNATIONS_CSV) -> list[Held]:
    """The designations of ``designations.csv`` rows (dicts by column name).

    :raises InputError: a row lacks a column, or has a value the panel cannot read (``where``:line)
    """
    out = []
    for line, row in enumerate(rows, 2):
        missing = [c for c in NEEDED if c not in row]
        if missing:
            raise InputError(where, line, f"no column {', '.join(missing)}: not a designations.csv of cnipa-kg")
        programme, tier, grade = terms.programme(row["programme"]), terms.tier(row["tier"]), terms.evidence_grade(
            row["evidence_grade"])
        try:
            if not (programme and tier and grade and len(row["adcode"]) == 6 and row["adcode"].isdigit()):
                raise ValueError("programme, tier, evidence_grade or adcode not known")
            signed = row["document_date"]
            start = _day(row["period_start"] or signed)
            end = datetime.date.fromisoformat(row["period_end"]) if row["period_end"] else None
        except ValueError as exc:
            raise InputError(where, line, f"cannot read the designation {row.get('designation', '')}: {exc}") from None
        out.append(Held(row["designation"], row["adcode"], row["name"], programme.column, tier.column, grade.column,
                        signed, start, end, bool(row["park"]), row["document"]))
    return out


def read_release(folder: str | Path) -> list[Held]:
    """The designations of a release folder's ``designations.csv``.

    :raises InputError: no such file, or not one of cnipa-kg's
    """
    path = Path(folder) / DESIGNATIONS_CSV
    if not Path(folder).is_dir():
        raise InputError(folder, None, "is not a folder: give a release folder (cnipa-kg build --out DIR)")
    if not path.is_file():
        raise InputError(path, None, "not found: is the folder a release of cnipa-kg build?")
    try:
        text = read_bytes(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, None, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    return held_of(csv.DictReader(io.StringIO(text, newline="")), where=str(path))
