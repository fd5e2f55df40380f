"""Extraction: notice text → :class:`~cnipa_kg.core.records.Notice`.

Reads a CNIPA designation notice of the 国知发运字〔2022〕33号 template in any of the
layouts seen in practice:

* PDF-extracted text: blank lines between lines, a province cell that spans rows on
  its own line, page breaks that repeat the table header ``序号 省份 城市（城区）``,
  a letterhead (``国家知识产权局文件``) in the middle of the body, spaces inside
  numbers (``2022年 8月 4日``), full-width punctuation and digits;
* plain text where each table row is one line ``序号<TAB or spaces>省份<…>城市``.

The result is checked (serials 1..N without gaps or repeats, N equal to the count
the body declares, known provinces, every row named, no table cut off); any failure
is an :class:`~cnipa_kg.core.errors.InputError` ``FILE:LINE: message``.
This module reads the front matter and body; :mod:`.annex` reads the tables. Nothing here knows RDF.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from pathlib import Path

from ..core.decode import read_text, sha256
from ..core.records import CitedDocument, Notice, Source
from .annex import annexes_of
from .text import (
    ANNEX_LIST, CLOSING, COPY_TO, DATE_LINE, DECLARED, LEADING_VERBS, LETTERHEAD, ORG_PREFIX,
    PERIOD, PRINTED, SELECTION, STATUS, TITLE_END, WORK_PLAN, ANNEX_HEADING, DOCNO_RE, Line, Reader, Text,
    citations, level_of, lines_of, parse_docno,
)

def extract(path: str | Path) -> Notice:
    """Read and check one notice file.

    :param path: a notice text file (UTF-8 or GB18030), as the user gave it
    :raises InputError: ``FILE:LINE: message`` for anything unreadable or inconsistent
    """
    text, data = read_text(path)
    return extract_text(text, path=str(path), digest=sha256(data))


def extract_text(text: str, *, path: str = "<string>", digest: str = "") -> Notice:
    """Extract a notice from its decoded text; ``path`` names it in messages."""
    lines = lines_of(text)
    r = Reader(path, lines)
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
    title, pos, title_line = _take_until(r, lines, pos, TITLE_END, what="title ending in 通知", limit=6)

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
        if CLOSING.search(ln.compact) or ln.compact.startswith(("附件：", "附件:")) or DATE_LINE.match(ln.compact) or ANNEX_HEADING.match(ln.compact):
            break
        if not LETTERHEAD.match(ln.compact):
            body_lines.append(ln)
        end += 1
    if CLOSING.search(lines[end].compact if end < len(lines) else ""):
        body_lines.append(lines[end])
        end += 1
    if not any(ln.compact for ln in body_lines):
        raise r.error(title_line, "no body text after the title")
    body = Text(body_lines)

    declared = _declared_annexes(r, body)
    period_start, period_end = _period(r, body)
    cited = _citations(r, body)
    steps = ()
    if m := SELECTION.search(body.text):
        steps = tuple(s for s in m.group("steps").split("、") if s)
    months, wp_issuer, wp_with = None, None, ()
    if m := WORK_PLAN.search(body.text):
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
        if ANNEX_HEADING.match(c):
            annex_start = pos - 1
            break
        if (m := ANNEX_LIST.match(c)) and (c.startswith("附件") or annex_titles):
            annex_titles[int(m.group("n"))] = m.group("title")
        elif m := STATUS.match(c):
            status = m.group("s")
        elif signed is None and (m := DATE_LINE.match(c)):
            signed = r.date(m, ln.number)
            issuer = m.group("who") or (previous.compact if previous else None)
        elif LETTERHEAD.match(c):
            pass
        previous = ln
    if signed is None or not issuer:
        raise r.error(lines[end].number if end < len(lines) else len(lines), "no signature and date (e.g. 国家知识产权局 / 2022年8月4日) after the body")

    # closing lines: 印发 and 抄送 (after the annexes)
    printed_by, print_date, copy_to, closing_at = None, None, (), len(lines)
    for ln in lines[annex_start:]:
        if m := PRINTED.match(ln.compact):
            printed_by, print_date = m.group("who"), r.date(m, ln.number)
            closing_at = min(closing_at, ln.number - 1)
        elif m := COPY_TO.match(ln.compact):
            copy_to = tuple(s for s in re.split(r"[，,]", m.group("who")) if s)
            closing_at = min(closing_at, ln.number - 1)

    annexes = annexes_of(r, lines[annex_start:closing_at], declared, annex_titles, truncated=closing_at == len(lines))
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


def _take_until(r: Reader, lines: list[Line], pos: int, end: re.Pattern, *, what: str, limit: int) -> tuple[str, int, int]:
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


def _declared_annexes(r: Reader, body: Text) -> dict[int, tuple[int, str, str, int]]:
    """annex number -> (declared count, level, level label, line)."""
    declared = {}
    for m in DECLARED.finditer(body.text):
        line = body.line_at(m.start("count"))
        label = m.group("label")
        level = level_of(label)
        if level is None:
            raise r.error(line, f"cannot tell the designation level of {label!r} (expected …示范城市 or …试点城市)")
        n = int(m.group("annex"))
        if n in declared:
            raise r.error(line, f"annex {n} is declared twice in the body")
        declared[n] = (int(m.group("count")), level, label, line)
    if not declared:
        raise r.error(body.line_at(0), "the body declares no annex list (expected e.g. 确定…等 38个城市（城区）为…示范城市（名单见附件 1）)")
    return declared


def _period(r: Reader, body: Text) -> tuple[date, date]:
    m = PERIOD.search(body.text)
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


def _citations(r: Reader, body: Text) -> tuple[CitedDocument, ...]:
    cited = []
    seen = set()
    for m, issuer in citations(body.text):
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
        issuer_text = LEADING_VERBS.sub("", issuer or "")
        if not issuer_text and (om := ORG_PREFIX.match(title)):
            issuer_text = om.group("org")
        issuers = tuple(s for s in issuer_text.split("、") if s)
        cited.append(CitedDocument(title=title, number=number, issuers=issuers, line=line))
    return tuple(cited)
