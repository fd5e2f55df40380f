"""Extraction: notice text → :class:`~cnipa_kg.records.Notice`.

Reads a CNIPA designation notice of the 国知发运字〔2022〕33号 template in any of the
layouts seen in practice:

* PDF-extracted text: blank lines between lines, a province cell that spans rows on
  its own line, page breaks that repeat the table header ``序号 省份 城市（城区）``,
  a letterhead (``国家知识产权局文件``) in the middle of the body, spaces inside
  numbers (``2022年 8月 4日``), full-width punctuation and digits;
* plain text where each table row is one line ``序号<TAB or spaces>省份<…>城市``.

The result is checked (serials 1..N without gaps or repeats, N equal to the count
the body declares, known provinces, every row named, no table cut off); any failure
is an :class:`~cnipa_kg.errors.InputError` ``FILE:LINE: message``.
This module knows nothing of RDF.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import provinces
from .decode import read_text, sha256
from .errors import InputError
from .records import Annex, AnnexRow, CitedDocument, DocNumber, Notice, Source

# -- normalisation ---------------------------------------------------------------------------

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_SPACES = re.compile(r"[\s\u3000\u00a0\ufeff]+")


@dataclass(frozen=True)
class Line:
    number: int  #: 1-based
    text: str  #: stripped, spaces collapsed, digits ASCII
    compact: str  #: ``text`` without any whitespace (Chinese running text has none)


def _lines(text: str) -> list[Line]:
    out = []
    for i, raw in enumerate(text.split("\n"), start=1):
        t = _SPACES.sub(" ", raw.translate(_FULLWIDTH_DIGITS)).strip()
        out.append(Line(i, t, t.replace(" ", "")))
    return out


# -- patterns (applied to whitespace-free text) ------------------------------------------------

_DOCNO = r"(?P<series>[\u4e00-\u9fff]{2,12}?)[〔\[［【(（](?P<year>\d{4})[〕\]］】)）](?P<num>\d{1,5})号"
DOCNO_RE = re.compile(_DOCNO)
_TITLE_END = re.compile(r"(通知|决定|公告|通报|意见|函)$")
_DATE = r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日"
_DATE_LINE = re.compile(rf"^(?P<who>\D*?){_DATE}$")
_PRINTED = re.compile(rf"^(?P<who>\D+?){_DATE}印发$")
_COPY_TO = re.compile(r"^抄送[：:](?P<who>.+?)[。.]?$")
_ANNEX_HEADING = re.compile(r"^附件(?P<n>\d+)$")
_ANNEX_LIST = re.compile(r"^(?:附件[：:])?(?P<n>\d+)[.．、](?P<title>.+)$")
_STATUS = re.compile(r"^[（(](?P<s>此件[^）)]+)[）)]$")
_LETTERHEAD = re.compile(r"^[\u4e00-\u9fff]{2,24}文件$")
_CLOSING = re.compile(r"(特此通知|特此公告|特此通报)[。.]?$")
_DECLARED = re.compile(
    r"(?:确定)?(?P<first>[^，。；：、]{0,30}?)等(?P<count>\d+)个(?P<what>[^为]{1,10}?)为(?P<label>[^，。；（(]+?)"
    r"[（(]名单见附件(?P<annex>\d+)[）)]"
)
_PERIOD = re.compile(r"自(?P<y1>\d{4})年(?P<m1>\d{1,2})月(?:起)?至(?P<y2>\d{4})年(?P<m2>\d{1,2})月")
_SELECTION = re.compile(r"经(?P<steps>[^，。]+?)等程序")
_WORK_PLAN = re.compile(r"自批复之日起(?P<months>\d+)个月内由(?P<issuer>[^，。]+?)印发[，,]?并报(?P<with>[^，。]+?)备案")
_CITATION = re.compile(r"(?:(?P<issuer>[^，。；：《》“”]*?)(?:印发|发布|制定)的)?《(?P<title>[^《》]+)》(?:[（(](?P<num>[^（）()]*?号)[）)])?")
_LEADING_VERBS = re.compile(r"^(按照|根据|依据|依照|贯彻|落实|和|及|与|以及)+")
_ORG_PREFIX = re.compile(r"^(?P<org>[\u4e00-\u9fff]{2,30}?(局|办公室|部|委员会|院|厅|中心|司|委|署|会))关于")
_HEADER = re.compile(r"^序号")
_SERIAL = re.compile(r"^(\d{1,6})[.．、]?$")
_NAME_SUFFIXES = ("市", "区", "县", "州", "盟", "旗", "地区")


def parse_docno(text: str) -> DocNumber | None:
    """Parse a 文号 (whitespace ignored).

    >>> parse_docno("国知办函运字〔2021〕 1197号")
    DocNumber(text='国知办函运字〔2021〕1197号', series='国知办函运字', year=2021, number=1197)
    >>> parse_docno("第33号") is None
    True
    """
    m = DOCNO_RE.fullmatch(_SPACES.sub("", text.translate(_FULLWIDTH_DIGITS)))
    if not m:
        return None
    return DocNumber(m.group(0), m.group("series"), int(m.group("year")), int(m.group("num")))


def _level_of(label: str) -> str | None:
    if label.endswith("示范城市") or label.endswith("示范区") or label.endswith("示范"):
        return "demonstration"
    if label.endswith("试点城市") or label.endswith("试点"):
        return "pilot"
    return None


class _Text:
    """Running text of several lines joined without whitespace, with offsets mapped to lines."""

    def __init__(self, lines: list[Line]) -> None:
        self.text = ""
        self._starts: list[tuple[int, int]] = []
        for ln in lines:
            if ln.compact:
                self._starts.append((len(self.text), ln.number))
                self.text += ln.compact

    def line_at(self, offset: int) -> int:
        number = self._starts[0][1] if self._starts else 1
        for start, n in self._starts:
            if start > offset:
                break
            number = n
        return number


class _Reader:
    def __init__(self, path: str, lines: list[Line]) -> None:
        self.path = path
        self.lines = lines

    def error(self, line: int | None, message: str) -> InputError:
        return InputError(self.path, line, message)

    def date(self, m: re.Match, line: int) -> date:
        try:
            return date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        except ValueError:
            raise self.error(line, f"invalid date {m.group(0)!r}") from None


# -- the notice ------------------------------------------------------------------------------


def extract(path: str | Path) -> Notice:
    """Read and check one notice file.

    :param path: a notice text file (UTF-8 or GB18030), as the user gave it
    :raises InputError: ``FILE:LINE: message`` for anything unreadable or inconsistent
    """
    text, data = read_text(path)
    return extract_text(text, path=str(path), digest=sha256(data))


def extract_text(text: str, *, path: str = "<string>", digest: str = "") -> Notice:
    """Extract a notice from its decoded text; ``path`` names it in messages."""
    lines = _lines(text)
    r = _Reader(path, lines)
    nonempty = [ln for ln in lines if ln.compact]
    if not nonempty:
        raise r.error(None, "empty file")

    # 文号: the first line that is nothing but a document number
    docno_line = next((ln for ln in nonempty[:20] if DOCNO_RE.fullmatch(ln.compact)), None)
    if docno_line is None:
        raise r.error(nonempty[0].number, "no document number (文号) such as 国知发运字〔2022〕33号 in the first lines")
    number = parse_docno(docno_line.compact)
    assert number is not None
    pos = lines.index(docno_line) + 1

    # title: the following lines up to one ending in 通知 (or 决定 …)
    title, pos, title_line = _take_until(r, lines, pos, _TITLE_END, what="title ending in 通知", limit=6)

    # addressees: up to a line ending in a colon
    addressees: tuple[str, ...] = ()
    probe = _peek_nonempty(lines, pos, 4)
    if any(ln.compact.endswith(("：", ":")) for ln in probe):
        joined, pos, _ = _take_until(r, lines, pos, re.compile(r"[：:]$"), what="addressees", limit=6)
        addressees = tuple(a for a in re.split(r"[，,]", joined.rstrip("：:")) if a)

    # body: up to 特此通知 (or the 附件： list or the signature date)
    body_lines: list[Line] = []
    end = pos
    while end < len(lines):
        ln = lines[end]
        if _CLOSING.search(ln.compact) or ln.compact.startswith(("附件：", "附件:")) or _DATE_LINE.match(ln.compact) or _ANNEX_HEADING.match(ln.compact):
            break
        if not _LETTERHEAD.match(ln.compact):
            body_lines.append(ln)
        end += 1
    if _CLOSING.search(lines[end].compact if end < len(lines) else ""):
        body_lines.append(lines[end])
        end += 1
    if not any(ln.compact for ln in body_lines):
        raise r.error(title_line, "no body text after the title")
    body = _Text(body_lines)

    declared = _declared_annexes(r, body)
    period_start, period_end = _period(r, body)
    cited = _citations(r, body)
    steps = ()
    if m := _SELECTION.search(body.text):
        steps = tuple(s for s in m.group("steps").split("、") if s)
    months, wp_issuer, wp_with = None, None, ()
    if m := _WORK_PLAN.search(body.text):
        months, wp_issuer = int(m.group("months")), m.group("issuer")
        wp_with = tuple(s for s in re.split(r"(?<!共)和|、(?=国家)", m.group("with")) if s)

    # after the body: 附件：list, signature, date, publication status, then the annexes
    annex_titles: dict[int, str] = {}
    issuer, signed, status = None, None, None
    pos = end
    annex_start = len(lines)
    previous: Line | None = None
    while pos < len(lines):
        ln = lines[pos]
        c = ln.compact
        pos += 1
        if not c:
            continue
        if _ANNEX_HEADING.match(c):
            annex_start = pos - 1
            break
        if (m := _ANNEX_LIST.match(c)) and (c.startswith("附件") or annex_titles):
            annex_titles[int(m.group("n"))] = m.group("title")
        elif m := _STATUS.match(c):
            status = m.group("s")
        elif signed is None and (m := _DATE_LINE.match(c)):
            signed = r.date(m, ln.number)
            issuer = m.group("who") or (previous.compact if previous else None)
        elif _LETTERHEAD.match(c):
            pass
        previous = ln
    if signed is None or not issuer:
        raise r.error(lines[end].number if end < len(lines) else len(lines), "no signature and date (e.g. 国家知识产权局 / 2022年8月4日) after the body")

    # closing lines: 印发 and 抄送 (after the annexes)
    printed_by, print_date, copy_to, closing_at = None, None, (), len(lines)
    for ln in lines[annex_start:]:
        if m := _PRINTED.match(ln.compact):
            printed_by, print_date = m.group("who"), r.date(m, ln.number)
            closing_at = min(closing_at, ln.number - 1)
        elif m := _COPY_TO.match(ln.compact):
            copy_to = tuple(s for s in re.split(r"[，,]", m.group("who")) if s)
            closing_at = min(closing_at, ln.number - 1)

    annexes = _annexes(r, lines[annex_start:closing_at], declared, annex_titles, truncated=closing_at == len(lines))
    return Notice(
        source=Source(path=path, name=Path(path).name, sha256=digest, line_count=len(lines)),
        number=number,
        title=title,
        addressees=addressees,
        cited=cited,
        period_start=period_start,
        period_end=period_end,
        selection_steps=steps,
        work_plan_months=months,
        work_plan_issuer=wp_issuer,
        work_plan_filed_with=wp_with,
        issuer=issuer,
        date=signed,
        printed_by=printed_by,
        print_date=print_date,
        copy_to=copy_to,
        publication_status=status,
        annexes=annexes,
    )


def _peek_nonempty(lines: list[Line], pos: int, n: int) -> list[Line]:
    return [ln for ln in lines[pos:] if ln.compact][:n]


def _take_until(r: _Reader, lines: list[Line], pos: int, end: re.Pattern, *, what: str, limit: int) -> tuple[str, int, int]:
    """Join non-empty lines from ``pos`` until one whose joined text matches ``end``."""
    parts: list[str] = []
    first = None
    while pos < len(lines) and len(parts) < limit:
        ln = lines[pos]
        pos += 1
        if not ln.compact:
            continue
        first = first or ln.number
        parts.append(ln.compact)
        if end.search(ln.compact):
            return "".join(parts), pos, first
    raise r.error(first or (lines[pos - 1].number if lines else None), f"no {what}")


def _declared_annexes(r: _Reader, body: _Text) -> dict[int, tuple[int, str, str, int]]:
    """annex number -> (declared count, level, level label, line)."""
    declared = {}
    for m in _DECLARED.finditer(body.text):
        line = body.line_at(m.start("count"))
        label = m.group("label")
        level = _level_of(label)
        if level is None:
            raise r.error(line, f"cannot tell the designation level of {label!r} (expected …示范城市 or …试点城市)")
        n = int(m.group("annex"))
        if n in declared:
            raise r.error(line, f"annex {n} is declared twice in the body")
        declared[n] = (int(m.group("count")), level, label, line)
    if not declared:
        raise r.error(body.line_at(0), "the body declares no annex list (expected e.g. 确定…等 38个城市（城区）为…示范城市（名单见附件 1）)")
    return declared


def _period(r: _Reader, body: _Text) -> tuple[date, date]:
    m = _PERIOD.search(body.text)
    if not m:
        raise r.error(body.line_at(0), "no period (expected e.g. 时限自 2022年 7月至 2025年 6月)")
    line = body.line_at(m.start())
    y1, m1, y2, m2 = (int(m.group(k)) for k in ("y1", "m1", "y2", "m2"))
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
        raise r.error(line, f"invalid month in period {m.group(0)!r}")
    start, end = date(y1, m1, 1), date(y2, m2, calendar.monthrange(y2, m2)[1])
    if end < start:
        raise r.error(line, f"period ends before it starts: {m.group(0)!r}")
    return start, end


def _citations(r: _Reader, body: _Text) -> tuple[CitedDocument, ...]:
    cited = []
    seen = set()
    for m in _CITATION.finditer(body.text):
        title = m.group("title")
        if title in seen:
            continue
        seen.add(title)
        line = body.line_at(m.start("title"))
        number = None
        if m.group("num"):
            number = parse_docno(m.group("num"))
            if number is None:
                raise r.error(line, f"cannot read the document number {m.group('num')!r} of 《{title}》")
        issuer_text = _LEADING_VERBS.sub("", m.group("issuer") or "")
        if not issuer_text and (om := _ORG_PREFIX.match(title)):
            issuer_text = om.group("org")
        issuers = tuple(s for s in issuer_text.split("、") if s)
        cited.append(CitedDocument(title=title, number=number, issuers=issuers, line=line))
    return tuple(cited)


# -- the annex tables ------------------------------------------------------------------------


@dataclass
class _Row:
    serial: int
    line: int
    province: tuple[str, int] | None = None
    names: list[tuple[str, int]] | None = None
    cells: list[str] | None = None


def _annexes(r: _Reader, lines: list[Line], declared: dict, titles: dict[int, str], *, truncated: bool) -> tuple[Annex, ...]:
    # split into sections at the 附件 N headings
    sections: list[tuple[int, Line, list[Line]]] = []
    for ln in lines:
        if m := _ANNEX_HEADING.match(ln.compact):
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


def _annex(r: _Reader, n: int, heading: Line, body: list[Line], count: int, level: str, label: str,
           decl_line: int, listed_title: str | None, *, truncated: bool) -> Annex:
    # title: non-empty lines before the first table header
    title_parts: list[str] = []
    table: list[Line] = []
    seen_header = False
    for ln in body:
        if not ln.compact:
            continue
        if _HEADER.match(ln.compact):
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
    return any(_SERIAL.match(tok) for ln in body for tok in ln.text.split(" "))


def _rows(r: _Reader, annex: int, table: list[Line], *, truncated: bool = False) -> list[AnnexRow]:
    """Group the table's cells into rows: a serial opens a row; provinces carry down."""
    rows: list[_Row] = []
    pending: list[tuple[str, int]] = []  # cells before the first serial
    for ln in table:
        for tok in ln.text.split(" "):
            if m := _SERIAL.match(tok):
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
            if not first.endswith(_NAME_SUFFIXES):
                raise r.error(line, f"annex {annex}, row {row.serial}: unknown province {first!r} (expected one of the 31 provinces or 新疆生产建设兵团)")
            shown = " ".join(t for t, _ in names[:4]) + (" …" if len(names) > 4 else "")
            raise r.error(names[1][1], f"annex {annex}, row {row.serial}: more than one name: {shown}")
        if not names:
            cut = "table cut off: " if truncated and row is rows[-1] else ""
            raise r.error(row.line, f"{cut}annex {annex}, row {row.serial} has no name")
        name, name_line = names[0]
        if not name.endswith(_NAME_SUFFIXES):
            raise r.error(name_line, f"annex {annex}, row {row.serial}: {name!r} is neither a known province nor a division name (names end in 市, 区, 县, 州, 盟 or 旗)")
        if current is None:
            raise r.error(row.line, f"annex {annex}, row {row.serial} ({name}) has no province")
        lines = tuple(sorted({row.line, name_line} | ({province[1]} if province else set())))
        out.append(AnnexRow(annex=annex, serial=row.serial, province=current[0], name=name, lines=lines, text=" ".join(row.cells)))
        if after is not None:
            current = after
    return out
