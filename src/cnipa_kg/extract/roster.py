"""A roster of facts: designations known from a compiled table (who, when, for which term, by which
notice, on which official page), not from a text of the issuer's that is held here.

``data/reference/demonstration-cities-2012-2016.csv`` (its ``#`` header says where it was compiled and how
it was checked) has one row per named unit: ``cohort,serial,name_as_printed,province,document_number,
signed,period_start,period_end,evidence,evidence_url``. Each cohort becomes one
:class:`~cnipa_kg.core.records.Notice` with ``evidence="roster"``: a notice known by citation (its 文号
where the roster gives one, its signing date, day or month, its term, the official page), with no text,
no title, no annex; its rows keep their CSV line and text, so every designation cites its row.

Dates are as precise as the roster: ``signed`` a day (2013-09-17) or a month (2012-04); a term's start is
a month (its first day), its end a month (its last day) or a year (2014: its last day, the convention of
terms stated by month, 2012年4月至2014年). Bad rows are ``FILE:LINE: message``.
"""

from __future__ import annotations

import calendar
import csv
import re
from datetime import date
from pathlib import Path

from ..core.decode import sha256
from ..core.errors import InputError
from ..core.records import ROSTER, Annex, AnnexRow, Notice, Source
from .text import parse_docno

COLUMNS = ("cohort", "serial", "name_as_printed", "province", "document_number", "signed", "period_start",
           "period_end", "evidence", "evidence_url")
PROGRAMME, TIER, LABEL = "ip-demonstration-city", "demonstration", "国家知识产权示范城市"
ISSUER = "国家知识产权局"
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


def is_roster(path: str | Path) -> bool:
    """A CSV whose header (after its ``#`` lines) is the roster's."""
    path = Path(path)
    if path.suffix.lower() != ".csv":
        return False
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            header = next((line for line in f if not line.startswith("#")), "")
    except (OSError, UnicodeDecodeError):
        return False
    return tuple(c.strip() for c in header.strip().split(",")) == COLUMNS


def _day(text: str, first: bool, where) -> tuple[date, str]:
    """(a day, its precision) of ``text``: a day as is; a month's or a year's first or last day."""
    if m := _DAY.match(text):
        try:
            return date(int(m[1]), int(m[2]), int(m[3])), "day"
        except ValueError:
            raise where(f"invalid date {text!r}") from None
    if m := _MONTH.match(text):
        y, mo = int(m[1]), int(m[2])
        if not 1 <= mo <= 12:
            raise where(f"invalid month {text!r}")
        return date(y, mo, 1 if first else calendar.monthrange(y, mo)[1]), "month"
    if m := _YEAR.match(text):
        return date(int(m[1]), 1, 1) if first else date(int(m[1]), 12, 31), "year"
    raise where(f"expected a date YYYY-MM-DD, a month YYYY-MM or a year YYYY, not {text!r}")


def read_roster(path: str | Path) -> list[Notice]:
    """The cohorts of a roster, one notice each, in the roster's order.

    :raises InputError: ``FILE:LINE: message`` for a malformed row (a missing name, a bad date, serials not
        running 1..N within a cohort, rows of one cohort that disagree on its notice)
    """
    path = Path(path)
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except OSError as exc:
        raise InputError(path, None, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(path, None, "a roster must be UTF-8 text") from None
    lines = text.split("\n")
    body = [(i, line) for i, line in enumerate(lines, 1) if line.strip() and not line.startswith("#")]
    if not body:
        raise InputError(path, None, "empty roster")
    header_line = body[0][0]
    records = list(csv.reader([line for _, line in body]))
    if tuple(c.strip() for c in records[0]) != COLUMNS:
        raise InputError(path, header_line, f"the header must be {','.join(COLUMNS)}")
    source = Source(path=str(path), name=path.name, sha256=sha256(data), line_count=len(lines))
    cohorts: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for (number, line), cells in zip(body[1:], records[1:]):
        if len(cells) != len(COLUMNS):
            raise InputError(path, number, f"{len(cells)} cells where the header has {len(COLUMNS)}")
        row = dict(zip(COLUMNS, (c.strip() for c in cells)))
        for key in ("cohort", "serial", "name_as_printed", "province", "signed", "evidence_url"):
            if not row[key]:
                raise InputError(path, number, f"no {key}")
        cohorts.setdefault(row["cohort"], []).append((number, row | {"_text": line.strip()}))
    return [_cohort(path, source, cohort, rows) for cohort, rows in cohorts.items()]


def _cohort(path: Path, source: Source, cohort: str, rows: list[tuple[int, dict[str, str]]]) -> Notice:
    first_line, first = rows[0]
    for number, row in rows:
        for key in ("document_number", "signed", "period_start", "period_end"):
            if row[key] != first[key]:
                raise InputError(path, number, f"cohort {cohort}: {key} {row[key]!r} differs from {first[key]!r} "
                                               f"(line {first_line}): the rows of a cohort share its notice")

    def error_at(line: int):
        return lambda message: InputError(path, line, f"cohort {cohort}: {message}")

    signed, precision = _day(first["signed"], True, error_at(first_line))
    if precision == "year":
        raise error_at(first_line)(f"signed {first['signed']!r}: a year is too vague for a notice's date")
    start = _day(first["period_start"], True, error_at(first_line))[0] if first["period_start"] else None
    end = _day(first["period_end"], False, error_at(first_line))[0] if first["period_end"] else None
    if (start is None) != (end is None) or (start and end and end < start):
        raise error_at(first_line)(f"the term {first['period_start']}..{first['period_end']} is not a period")
    number = parse_docno(first["document_number"]) if first["document_number"] else None
    if first["document_number"] and number is None:
        raise error_at(first_line)(f"cannot read the document number {first['document_number']!r}")
    out = []
    for expected, (line, row) in enumerate(rows, 1):
        if not row["serial"].isdigit() or int(row["serial"]) != expected:
            raise InputError(path, line, f"cohort {cohort}: serial {row['serial']!r} where {expected} was expected")
        out.append(AnnexRow(annex=ROSTER, serial=expected, province=row["province"], name=row["name_as_printed"],
                            lines=(line,), text=row["_text"], evidence=row["evidence"], evidence_url=row["evidence_url"]))
    annex = Annex(number=ROSTER, title=LABEL, level=TIER, level_label=LABEL, declared_count=None, rows=tuple(out),
                  line=first_line, programme=PROGRAMME)
    return Notice(source=source, number=number, title=None, addressees=(), cited=(), period_start=start, period_end=end,
                  selection_steps=(), work_plan_months=None, work_plan_issuer=None, work_plan_filed_with=(),
                  issuer=ISSUER, date=signed, printed_by=None, print_date=None, copy_to=(), publication_status=None,
                  annexes=(annex,), dated_by="roster", evidence="roster", date_precision=precision, cohort=cohort)
