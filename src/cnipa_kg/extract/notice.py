"""Extraction: a designation document's text → :class:`~cnipa_kg.core.records.Notice`.

Reads the issuer's notices (通知) and public notices of proposals (公示) in the forms users have:

* PDF-extracted text: blank lines between lines, a province cell that spans rows on
  its own line, page breaks that repeat the table header ``序号 省份 城市（城区）``,
  a letterhead (``国家知识产权局文件``) in the middle of the body, spaces inside
  numbers (``2022年 8月 4日``), full-width punctuation and digits;
* plain text where each table row is one line ``序号<TAB or spaces>省份<…>城市``;
* a copy of the web page: the title above the 文号, site lines (当前位置、发布时间、浏览人数、分享到)
  before and after, no letterhead;
* any number of annexes, each declared in the body with its count, programme and tier
  (确定X等N个…为…（名单见附件k）), or a list written inline in one sentence of the body
  (现确定A、B和C为…建设城市（地区）); a 公示 with no 文号 and a 公示时间.

The result is checked (serials 1..N without gaps or repeats, N equal to the count the body
declares, every row named, no table cut off); any failure is an
:class:`~cnipa_kg.core.errors.InputError` ``FILE:LINE: message``. :mod:`.body` reads what the
body says, :mod:`.annex` the tables, :mod:`.sources` the file formats. Nothing here knows RDF.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..core.errors import InputError
from ..core.records import Annex, Notice, Source
from .annex import annexes_of
from .body import cited_documents, declared_lists, inline_list, period, public_notice_period
from .sources import read_source
from .text import (
    ANNEX_HEADING, ANNEX_LIST, CLOSING, COPY_TO, DATE_LINE, DOCNO_RE, LETTERHEAD, PRINTED, SELECTION, SITE_LINE, STATUS,
    TITLE_END, WORK_PLAN, Line, Reader, Text, lines_of, parse_docno,
)

def extract(path: str | Path) -> Notice:
    """Read and check one notice file.

    :param path: a text (UTF-8 or GB18030), PDF or saved HTML file, as the user gave it
    :raises InputError: ``FILE:LINE: message`` for anything unreadable or inconsistent
    """
    source = read_source(path)
    return extract_text(source.text, path=str(path), digest=source.sha256, pages=source.pages)


def extract_text(text: str, *, path: str = "<string>", digest: str = "", pages: tuple[int, ...] | None = None) -> Notice:
    """Extract a notice from its decoded text; ``path`` names it in messages; ``pages`` (a PDF's) gives
    the page of each line, for provenance."""
    lines = lines_of(text)
    r = Reader(path, lines)
    nonempty = [ln for ln in lines if ln.compact]
    if not nonempty:
        raise r.error(None, "empty file")

    lines = [Line(ln.number, "", "") if SITE_LINE.match(ln.compact) else ln for ln in lines]  # a web page's own lines
    number, title, pos, title_line = _front(r, lines)
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

    proposal = number is None
    declared = declared_lists(r, body)
    has_annexes = any(ANNEX_HEADING.match(ln.compact) for ln in lines)
    inline = None if declared or has_annexes else inline_list(r, body)
    period_start, period_end = period(r, body)
    notice_period = public_notice_period(r, body) if proposal else None
    if proposal and notice_period is None:
        raise r.error(title_line, "a public notice (公示) with no 公示时间 (expected e.g. 公示时间：2023年12月1日至12月7日)")
    cited = cited_documents(r, body)
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

    if inline is not None:
        label, (programme, tier, kind), rows, line = inline
        annexes: tuple[Annex, ...] = (Annex(number=0, title=label, level=tier, level_label=label, declared_count=None,
                                            rows=rows, line=line, programme=programme, designee_kind=kind),)
    elif not declared and not proposal:
        raise r.error(body.line_at(0), "the body declares no list (expected e.g. 确定…等 38个城市（城区）为…示范城市"
                                       "（名单见附件 1）, or 确定A、B和C为…) ")
    else:
        annexes = annexes_of(r, lines[annex_start:closing_at], declared, annex_titles, truncated=closing_at == len(lines),
                             fallback_label=title if proposal else None)
    return Notice(
        source=Source(path=path, name=Path(path).name, sha256=digest, line_count=len(lines), pages=pages),
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
        kind="public-notice" if proposal else "notice",
        public_notice_start=notice_period[0] if notice_period else None,
        public_notice_end=notice_period[1] if notice_period else None,
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


def _front(r: Reader, lines: list[Line]) -> tuple:
    """(文号 or None, title, position after both, line of the title): the title may stand above or
    below the 文号 (a web copy puts it above); a document without a 文号 must be a 公示."""
    nonempty = [ln for ln in lines if ln.compact][:60]
    if not nonempty:
        raise r.error(None, "empty file")
    docno_line = next((ln for ln in nonempty[:40] if DOCNO_RE.fullmatch(ln.compact)), None)
    others = [ln for ln in nonempty[:40] if not LETTERHEAD.match(ln.compact) and ln is not docno_line]
    # a title starts at its 关于 (国家知识产权局关于…的通知, 关于…的公示); else below the 文号 (the printed layout)
    starts = [ln for ln in others if "关于" in ln.compact[:40]]
    if docno_line is not None:
        starts += [ln for ln in others if ln.number > docno_line.number][:1]
    for first in starts[:8]:
        try:
            title, pos, title_line = _take_until(r, lines, lines.index(first), TITLE_END, what="title", limit=6)
        except InputError:  # not a title here: try the next start
            continue
        if DOCNO_RE.search(title) or DATE_LINE.match(title):
            continue
        break
    else:
        raise r.error(nonempty[0].number, "no title ending in 通知, 公示, 决定, 公告 … in the first lines")
    if docno_line is None and not title.endswith("公示"):
        raise r.error(nonempty[0].number, "no document number (文号) such as 国知发运字〔2022〕33号 in the first lines "
                                          "(only a 公示 has none)")
    number = parse_docno(docno_line.compact) if docno_line is not None else None
    if docno_line is not None and docno_line.number > title_line:
        pos = max(pos, lines.index(docno_line) + 1)
    return number, title, pos, title_line
