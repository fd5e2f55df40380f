"""The annex tables of a notice: sections at the 附件 N headings, rows grouped from cells (a
serial opens a row, province cells carry down), checked against the counts the body declares.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.records import Annex, AnnexRow
from ..reference import provinces
from .text import ANNEX_HEADING, HEADER, NAME_SUFFIXES, SERIAL, Line, Reader


@dataclass
class _Row:
    serial: int
    line: int
    province: tuple[str, int] | None = None
    names: list[tuple[str, int]] | None = None
    cells: list[str] | None = None


def annexes_of(r: Reader, lines: list[Line], declared: dict, titles: dict[int, str], *, truncated: bool) -> tuple[Annex, ...]:
    # split into sections at the 附件 N headings
    sections: list[tuple[int, Line, list[Line]]] = []
    for ln in lines:
        if m := ANNEX_HEADING.match(ln.compact):
            sections.append((int(m.group("n")), ln, []))
        elif sections:
            sections[-1][2].append(ln)
    found = {n for n, _, _ in sections}
    for n, (count, _level, _label, line) in sorted(declared.items()):
        if n not in found:
            where = lines[-1].number if lines else line
            cause = "table cut off: " if truncated else ""
            raise r.error(where, f"{cause}annex {n} (declared at line {line} with {count} rows) not found")
    annexes = []
    for i, (n, heading, body) in enumerate(sections):
        if n not in declared:
            raise r.error(heading.number, f"annex {n} is not declared in the body (declared: {sorted(declared)})")
        if any(a.number == n for a in annexes):
            raise r.error(heading.number, f"annex {n} appears twice")
        count, level, label, decl_line = declared[n]
        last = i == len(sections) - 1
        annexes.append(_annex(r, n, heading, body, count, level, label, decl_line, titles.get(n), truncated=truncated and last))
    return tuple(sorted(annexes, key=lambda a: a.number))


def _annex(r: Reader, n: int, heading: Line, body: list[Line], count: int, level: str, label: str,
           decl_line: int, listed_title: str | None, *, truncated: bool) -> Annex:
    # title: non-empty lines before the first table header
    title_parts: list[str] = []
    table: list[Line] = []
    seen_header = False
    for ln in body:
        if not ln.compact:
            continue
        if HEADER.match(ln.compact):
            seen_header = True
            continue  # the header, repeated at each page break
        if seen_header:
            table.append(ln)
        else:
            title_parts.append(ln.compact)
    if not seen_header:
        if truncated and not body_has_rows(body):
            raise r.error(heading.number, f"table cut off: annex {n} has no table (expected a header 序号 省份 城市)")
        raise r.error(heading.number, f"annex {n} has no table header (expected a line starting with 序号)")
    title = "".join(title_parts) or listed_title or label + "名单"

    rows = _rows(r, n, table, truncated=truncated)
    last_line = table[-1].number if table else heading.number
    if not rows:
        prefix = "table cut off: " if truncated else ""
        raise r.error(last_line, f"{prefix}annex {n} has no rows, the body (line {decl_line}) declares {count}")
    for expected, row in enumerate(rows, start=1):
        if row.serial != expected:
            what = "repeats" if row.serial < expected else "skips to"
            raise r.error(row.lines[0], f"annex {n}: serial {row.serial} {what} where {expected} was expected (serials must run 1..N without gaps or repeats)")
    if len(rows) != count:
        if truncated and len(rows) < count:
            raise r.error(last_line, f"table cut off: annex {n} ends after row {len(rows)} of the {count} the body (line {decl_line}) declares")
        raise r.error(last_line, f"annex {n} lists {len(rows)} rows but the body (line {decl_line}) declares {count}")
    return Annex(number=n, title=title, level=level, level_label=label, declared_count=count, rows=tuple(rows), line=heading.number)


def body_has_rows(body: list[Line]) -> bool:
    return any(SERIAL.match(tok) for ln in body for tok in ln.text.split(" "))


def _rows(r: Reader, annex: int, table: list[Line], *, truncated: bool = False) -> list[AnnexRow]:
    """Group the table's cells into rows: a serial opens a row; provinces carry down."""
    rows: list[_Row] = []
    pending: list[tuple[str, int]] = []  # cells before the first serial
    for ln in table:
        for tok in ln.text.split(" "):
            if m := SERIAL.match(tok):
                rows.append(_Row(int(m.group(1)), ln.number, names=[], cells=[m.group(1)]))
            elif rows:
                rows[-1].names.append((tok, ln.number))
                rows[-1].cells.append(tok)
            else:
                pending.append((tok, ln.number))

    current: tuple[str, int] | None = None
    for tok, line in pending:
        if provinces.lookup(tok) is None:
            raise r.error(line, f"annex {annex}: unexpected {tok!r} before the first row (expected a province or a serial number)")
        current = (tok, line)

    out = []
    for row in rows:
        cells = row.names
        names: list[tuple[str, int]] = []
        province = None
        after: tuple[str, int] | None = None
        for tok, line in cells:
            if provinces.lookup(tok) and not names and province is None:
                province = (tok, line)
            elif provinces.lookup(tok) and names:
                after = (tok, line)  # a merged cell printed below its first row's name: covers the rows below
            elif provinces.lookup(tok):
                raise r.error(line, f"annex {annex}, row {row.serial}: a second province cell {tok!r} after {province[0]!r}, before the row's name")
            else:
                names.append((tok, line))
        if province is not None:
            current = province
        if len(names) > 1:
            first, line = names[0]
            if not first.endswith(NAME_SUFFIXES):
                raise r.error(line, f"annex {annex}, row {row.serial}: unknown province {first!r} (expected one of the 31 provinces or 新疆生产建设兵团)")
            shown = " ".join(t for t, _ in names[:4]) + (" …" if len(names) > 4 else "")
            raise r.error(names[1][1], f"annex {annex}, row {row.serial}: more than one name: {shown}")
        if not names:
            cut = "table cut off: " if truncated and row is rows[-1] else ""
            raise r.error(row.line, f"{cut}annex {annex}, row {row.serial} has no name")
        name, name_line = names[0]
        if not name.endswith(NAME_SUFFIXES):
            raise r.error(name_line, f"annex {annex}, row {row.serial}: {name!r} is neither a known province nor a division name (names end in 市, 区, 县, 州, 盟 or 旗)")
        if current is None:
            raise r.error(row.line, f"annex {annex}, row {row.serial} ({name}) has no province")
        lines = tuple(sorted({row.line, name_line} | ({province[1]} if province else set())))
        out.append(AnnexRow(annex=annex, serial=row.serial, province=current[0], name=name, lines=lines, text=" ".join(row.cells)))
        if after is not None:
            current = after
    return out
