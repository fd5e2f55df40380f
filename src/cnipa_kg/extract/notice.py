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
  (确定X等N个…为…（名单见附件k）), one unnumbered 附件 (拟确定X等18个城市为…。现将名单(见附件)予以公示), a list
  written inline in one sentence of the body (现确定A、B和C为…建设城市（地区）), or one place a line after a line
  announcing it (现将名单(按行政区划)公示如下：, the lines numbered 1. 2. … or not);
* a 公示 with no 文号 and its 公示时间 / 公示期 in the ways copies put it (公示时间：2013年7月24日至8月6日,
  公示时间为5个工作日,从…至…, 公示期为5个工作日(…至…)); dated by its signature, else by the web page's
  发布日期 (a mirror that dropped the signature);
* reposts and mirrors: ASCII punctuation where the issuer prints full-width (read as full-width, so every
  copy reads alike), the title printed twice around the page's date line, no title line at all, no 文号,
  no signature — what the copy lacks comes from its sidecar (:mod:`.sidecar`) or stays unknown, never
  guessed (:mod:`.frame`).

The result is checked (serials 1..N without gaps or repeats, N equal to the count the body
declares, every row named, no table cut off); any failure is an
:class:`~cnipa_kg.core.errors.InputError` ``FILE:LINE: message``. :mod:`.body` reads what the
body says, :mod:`.annex` the tables, :mod:`.sources` the file formats. Nothing here knows RDF.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..core.records import Annex, Notice, Source
from .annex import annexes_of
from .body import cited_documents, declared_lists, inline_list, line_list, period, public_notice_period
from .frame import front, is_proposal, page_date, peek_nonempty, signature, signer, take_until
from .sidecar import Sidecar, read_sidecar
from .sources import read_source
from .text import (
    ANNEX_HEADING, ANNEX_LIST, CLOSING, COPY_TO, DATE_LINE, LETTERHEAD, PRINTED, SELECTION, SITE_LINE,
    STATUS, WORK_PLAN, Line, Reader, Text, lines_of,
)

def extract(path: str | Path) -> Notice:
    """Read and check one notice file.

    :param path: a text (UTF-8 or GB18030), PDF or saved HTML file, as the user gave it
    :raises InputError: ``FILE:LINE: message`` for anything unreadable or inconsistent
    """
    source = read_source(path)
    sidecar = read_sidecar(path)
    return extract_text(source.text, path=str(path), digest=source.sha256, pages=source.pages, sidecar=sidecar)


def extract_text(text: str, *, path: str = "<string>", digest: str = "", pages: tuple[int, ...] | None = None,
                 sidecar: Sidecar | None = None) -> Notice:
    """Extract a notice from its decoded text; ``path`` names it in messages; ``pages`` (a PDF's) gives
    the page of each line, for provenance; ``sidecar`` (:mod:`.sidecar`) the facts the copy does not print."""
    lines = lines_of(text)
    r = Reader(path, lines)
    nonempty = [ln for ln in lines if ln.compact]
    if not nonempty:
        raise r.error(None, "empty file")

    dated = page_date(r, lines)
    lines = [Line(ln.number, "", "") if SITE_LINE.match(ln.compact) else ln for ln in lines]  # a web page's own lines
    number, title, pos, title_line = front(r, lines, sidecar)
    # a web copy may print its title twice (above and below the page's date line)
    lines = [Line(ln.number, "", "") if title and ln.compact == title and ln.number > title_line else ln for ln in lines]
    # addressees: up to a line ending in a colon (a salutation: no sentence, no citation)
    addressees: tuple[str, ...] = ()
    probe = peek_nonempty(lines, pos, 4)
    if any(ln.compact.endswith(("：", ":")) for ln in probe):
        joined, after, _ = take_until(r, lines, pos, re.compile(r"[：:]$"), what="addressees", limit=6)
        if len(joined) <= 120 and not any(c in joined for c in "。《；"):
            addressees, pos = tuple(a for a in re.split(r"[，,]", joined.rstrip("：:")) if a), after

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

    proposal = is_proposal(r, number, title, body, title_line, sidecar)
    headings = [ln for ln in lines if ANNEX_HEADING.match(ln.compact)]
    declared = declared_lists(r, body, single_annex=len(headings) == 1 and headings[0].compact == "附件")
    listed = None if declared or headings else line_list(r, body_lines, title)
    inline = None if declared or headings or listed else inline_list(r, body)
    inline = inline or listed
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
            issuer = m.group("who") or (previous.compact if previous else signer(body_lines))
        elif LETTERHEAD.match(c):
            pass
        previous = ln
    signed, issuer, dated_by = signature(r, lines, end, signed, issuer, dated, proposal, sidecar)

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
    elif not declared and (not proposal or not headings):
        raise r.error(body.line_at(0), "the body declares no list (expected e.g. 确定…等 38个城市（城区）为…示范城市"
                                       "（名单见附件 1）, 确定A、B和C为…, or 名单公示如下： and one place a line): "
                                       "is the copy cut off before its list?")
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
        dated_by=dated_by,
        sidecar=sidecar,
    )
