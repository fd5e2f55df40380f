"""The annex tables of a notice: sections at the 附件 N headings, rows grouped from cells (a
serial opens a row, province and category cells carry down), checked against the counts the body
declares. Columns: 序号/省份/城市（城区）, 序号/省份/县（市、区）, 类别/序号/名称, 序号/名称 (names
written with their province), for divisions or parks.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.records import Annex, AnnexRow
from ..reference import provinces
from .text import ANNEX_HEADING, HEADER, NAME_SUFFIXES, SERIAL, Line, Reader, programme_tier

#: category cells of older tables (类别): what kind of city a row is, not its name
CATEGORIES = frozenset(("副省级城市", "地级市", "县级市", "省会城市", "计划单列市", "直辖市", "地级及以上城市", "设区市",
                        "城区", "县", "市辖区", "地市级", "县区级", "直辖市区", "直辖市辖区"))


@dataclass
class _Row:
    serial: int
    line: int
    province: tuple[str, int] | None = None
    names: list[tuple[str, int]] | None = None
    cells: list[str] | None = None


def annexes_of(r: Reader, lines: list[Line], declared: dict, titles: dict[int, str], *, truncated: bool,
               fallback_label: str | None = None) -> tuple[Annex, ...]:
    """The annexes, each as its declaration says; with ``fallback_label`` (a 公示, whose body declares
    nothing), annexes need no declaration: their programme and tier come from their own title, else
    from ``fallback_label``, and their count is not checked."""
    # split into sections at the 附件 N headings
    sections: list[tuple[int, Line, list[Line]]] = []
    for ln in lines:
        if m := ANNEX_HEADING.match(ln.compact):
            sections.append((int(m.group("n") or 1), ln, []))
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
        if n not in declared and fallback_label is None:
            raise r.error(heading.number, f"annex {n} is not declared in the body (declared: {sorted(declared)})")
        if any(a.number == n for a in annexes):
            raise r.error(heading.number, f"annex {n} appears twice")
        if n in declared:
            count, level, label, decl_line = declared[n]
        else:
            label = titles.get(n) or _title_of(body) or fallback_label
            level = programme_tier(label.removesuffix("名单")) or programme_tier(fallback_label)
            if level is None:
                raise r.error(heading.number, f"annex {n}: cannot tell the programme and tier of {label!r}")
            count, decl_line = None, heading.number
        last = i == len(sections) - 1
        annexes.append(_annex(r, n, heading, body, count, level, label, decl_line, titles.get(n), truncated=truncated and last))
    return tuple(sorted(annexes, key=lambda a: a.number))


def _title_of(body: list[Line]) -> str:
    """The lines of an annex before its table header."""
    out = []
    for ln in body:
        if HEADER.match(ln.compact):
            break
        out.append(ln.compact)
    return "".join(out)


def _annex(r: Reader, n: int, heading: Line, body: list[Line], count: int | None, level: tuple[str, str, str], label: str,
           decl_line: int, listed_title: str | None, *, truncated: bool) -> Annex:
    programme, tier, kind = level
    header = ""
    # title: non-empty lines before the first table header
    title_parts: list[str] = []
    table: list[Line] = []
    seen_header = False
    for ln in body:
        if not ln.compact:
            continue
        if HEADER.match(ln.compact):
            seen_header = True
            header = header or ln.compact
            continue  # the header, repeated at each page break
        if seen_header:
            table.append(ln)
        else:
            title_parts.append(ln.compact)
    if not seen_header:
        if truncated and not body_has_rows(body):
            declares = f" ({count} declared at line {decl_line})" if count is not None else ""
            raise r.error(heading.number, f"table cut off: annex {n}{declares} has no table (expected a header 序号 省份 城市)")
        raise r.error(heading.number, f"annex {n} has no table header (expected a line starting with 序号)")
    title = "".join(title_parts) or listed_title or label + "名单"

    rows = _rows(r, n, table, truncated=truncated, province_column="省" in header, category_column=header.startswith("类别"),
                 parks=kind == "park")
    last_line = table[-1].number if table else heading.number
    if not rows:
        prefix = "table cut off: " if truncated else ""
        declares = f"the body (line {decl_line}) declares {count}" if count is not None else "a list needs at least one"
        raise r.error(last_line, f"{prefix}annex {n} has no rows, {declares}")
    for expected, row in enumerate(rows, start=1):
        if row.serial != expected:
            what = "repeats" if row.serial < expected else "skips to"
            raise r.error(row.lines[0], f"annex {n}: serial {row.serial} {what} where {expected} was expected (serials must run 1..N without gaps or repeats)")
    if count is not None and len(rows) != count:
        if truncated and len(rows) < count:
            raise r.error(last_line, f"table cut off: annex {n} ends after row {len(rows)} of the {count} the body (line {decl_line}) declares")
        raise r.error(last_line, f"annex {n} lists {len(rows)} rows but the body (line {decl_line}) declares {count}")
    return Annex(number=n, title=title, level=tier, level_label=label, declared_count=count, rows=tuple(rows),
                 line=heading.number, programme=programme, designee_kind=kind)


def body_has_rows(body: list[Line]) -> bool:
    return any(SERIAL.match(tok) for ln in body for tok in ln.text.split(" "))


def _tokens(text: str) -> list[str]:
    """The cells of a line; a category cell broken by a space (副省级 城市) is one.

    >>> _tokens("副省级 城市 1 福建省厦门市")
    ['副省级城市', '1', '福建省厦门市']
    """
    cells, out, i = text.split(" "), [], 0
    while i < len(cells):
        if i + 1 < len(cells) and cells[i] + cells[i + 1] in CATEGORIES:
            out.append(cells[i] + cells[i + 1])
            i += 2
        else:
            out.append(cells[i])
            i += 1
    return out


def _rows(r: Reader, annex: int, table: list[Line], *, truncated: bool = False, province_column: bool = True,
          category_column: bool = False, parks: bool = False) -> list[AnnexRow]:
    """Group the table's cells into rows: a serial opens a row; provinces (and categories) carry down.
    Without a province column, a row's name carries its province (福建省厦门市) or none."""
    rows: list[_Row] = []
    pending: list[tuple[str, int]] = []  # cells before the first serial
    for ln in table:
        for tok in _tokens(ln.text):
            if m := SERIAL.match(tok):
                rows.append(_Row(int(m.group(1)), ln.number, names=[], cells=[m.group(1)]))
            elif rows:
                rows[-1].names.append((tok, ln.number))
                rows[-1].cells.append(tok)
            else:
                pending.append((tok, ln.number))

    current: tuple[str, int] | None = None
    category = ""
    for tok, line in pending:
        if category_column and tok in CATEGORIES:
            category = tok
            continue
        if provinces.lookup(tok) is None:
            raise r.error(line, f"annex {annex}: unexpected {tok!r} before the first row (expected a province or a serial number)")
        current = (tok, line)

    out = []
    for row in rows:
        cells = row.names
        names: list[tuple[str, int]] = []
        province = None
        after: tuple[str, int] | None = None
        next_category = None
        for tok, line in cells:
            if category_column and tok in CATEGORIES:
                if names:
                    next_category = tok  # printed below its first row's name: covers the rows below
                else:
                    category = tok
            elif provinces.lookup(tok) and not names and province is None:
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
        if not parks and not name.endswith(NAME_SUFFIXES):
            raise r.error(name_line, f"annex {annex}, row {row.serial}: {name!r} is neither a known province nor a division name (names end in 市, 区, 县, 州, 盟 or 旗)")
        if current is None and province_column:
            raise r.error(row.line, f"annex {annex}, row {row.serial} ({name}) has no province")
        lines = tuple(sorted({row.line, name_line} | ({province[1]} if province else set())))
        out.append(AnnexRow(annex=annex, serial=row.serial, province=current[0] if current else "", name=name, lines=lines,
                            text=" ".join(row.cells), category=category))
        if after is not None:
            current = after
        if next_category is not None:
            category = next_category
    return out
