"""The frame of a designation document around its body: the title and 文号 above it (:func:`front`), the
signature and date below it (:func:`signature`), a web copy's own date (:func:`page_date`), and what the
document is, a notice or a 公示 (:func:`is_proposal`). A fact the copy does not print may come from its
sidecar (:mod:`.sidecar`); one that contradicts the text is an error.
"""

from __future__ import annotations

import re

from ..core.errors import InputError
from .sidecar import Sidecar, sidecar_path
from .text import CLOSING, DATE_LINE, DOCNO_RE, LETTERHEAD, PAGE_DATE, SITE_LINE, TITLE_END, Line, Reader, Text, parse_docno

_ORGANISATION = re.compile(r"^[\u4e00-\u9fff]{2,30}(?:局|部|委员会|委|办公室|院|厅|署|中心|政府)$")


def signer(body_lines: list[Line]) -> str | None:
    """The signature above the date when the body runs into it (no 特此通知 between): the body's last line,
    if it is an organisation's name."""
    last = next((ln for ln in reversed(body_lines) if ln.compact), None)
    return last.compact if last is not None and _ORGANISATION.match(last.compact) else None


def page_date(r: Reader, lines: list[Line]):
    """The date a web copy's own line gives the document (发布日期:2013-07-24), or None."""
    for ln in lines[:80]:
        if SITE_LINE.match(ln.compact) and (m := PAGE_DATE.match(ln.compact)):
            return r.date(m, ln.number)
    return None


def is_proposal(r: Reader, number, title: str | None, body: Text, title_line: int, sidecar: Sidecar | None) -> bool:
    """A 公示: no 文号 and a title ending in 公示; with no title, a body that puts a list up for 公示 (公示期,
    予以公示) and no 特此通知; or what the sidecar states (which must agree with the title)."""
    stated = sidecar.get("kind") if sidecar else None
    if title is not None:
        found = number is None and title.endswith("公示")
    elif number is None and re.search(r"公示(?:时间|期)|予以公示|公示如下", body.text) and "特此通知" not in body.text:
        found = True
    elif CLOSING.search(body.text) or number is not None:
        found = False
    elif stated is None:
        cut = "" if any(DATE_LINE.match(ln.compact) for ln in r.lines[-8:]) else "; the copy ends without a signature: is it cut off?"
        raise r.error(title_line, "no title, and the body does not say whether this is a notice (特此通知) or a 公示 "
                                  f"(公示期): state kind in {sidecar_path(r.path).name}{cut}")
    else:
        found = stated == "public-notice"
    if stated is not None and (stated == "public-notice") != found:
        raise r.error(title_line, f"{sidecar.name} states kind {stated!r}, the text reads as a "
                                  f"{'公示' if found else 'notice'}")
    return found


def signature(r: Reader, lines: list[Line], end: int, signed, issuer: str | None, page_date, proposal: bool,
               sidecar: Sidecar | None):
    """(date, issuer, how the date is known): the signature's; else a 公示's web page date (发布日期) and the
    sidecar's issuer; else the sidecar's. A sidecar that contradicts the text is an error."""
    at = lines[end].number if end < len(lines) else len(lines)
    stated_date, stated_issuer = (sidecar.get("date"), sidecar.get("issuer")) if sidecar else (None, None)
    for what, read, stated in (("date", signed, stated_date), ("issuer", issuer, stated_issuer)):
        if read and stated and read != stated:
            raise r.error(at, f"{sidecar.name} states the {what} {stated}, the text prints {read}")
    if signed is not None and issuer:
        return signed, issuer, "signature"
    if proposal and signed is None and page_date is not None:
        signed, dated_by = page_date, "page"
    elif signed is None and stated_date is not None:
        signed, dated_by = stated_date, "sidecar"
    else:
        dated_by = "signature"
    issuer = issuer or stated_issuer
    if signed is None or not issuer:
        missing = "issuer" if signed is not None else "date" if issuer else "issuer and date"
        hint = (f"; the copy gives the date ({signed.isoformat()}) but not who signed: state the issuer, with its "
                f"evidence, in {sidecar_path(r.path).name} beside it" if signed is not None else
                f"; a copy that lacks it can state it, with its evidence, in {sidecar_path(r.path).name} beside it")
        if end >= len(lines):
            hint = f"; the copy ends at line {len(lines)}, inside its body: is it cut off?"
        raise r.error(at, f"no signature and date (e.g. 国家知识产权局 / 2022年8月4日) after the body (no {missing}){hint}")
    return signed, issuer, dated_by


def peek_nonempty(lines: list[Line], pos: int, n: int) -> list[Line]:
    return [ln for ln in lines[pos:] if ln.compact][:n]


def take_until(r: Reader, lines: list[Line], pos: int, end: re.Pattern, *, what: str, limit: int) -> tuple[str, int, int]:
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


def front(r: Reader, lines: list[Line], sidecar: Sidecar | None = None) -> tuple:
    """(文号 or None, title or None, position after both, line of the title): the title may stand above or
    below the 文号 (a web copy puts it above); a document without a 文号 must be a 公示, unless its sidecar
    explains the copy. A copy without a title line (a repost that starts at the salutation) has title None:
    with a sidecar, or when what follows reads as a document (its list and signature are checked later)."""
    nonempty = [ln for ln in lines if ln.compact][:60]
    if not nonempty:
        raise r.error(None, "empty file")
    docno_line = next((ln for ln in nonempty[:40] if DOCNO_RE.fullmatch(ln.compact)), None)
    others = [ln for ln in nonempty[:40] if not LETTERHEAD.match(ln.compact) and ln is not docno_line]
    # a title starts at its 关于 (国家知识产权局关于…的通知, 关于…的公示); else below the 文号 (the printed layout)
    starts = [ln for ln in others if "关于" in ln.compact[:40]]
    if docno_line is not None:
        starts += [ln for ln in others if ln.number > docno_line.number][:1]
    title = None
    for first in starts[:8]:
        try:
            title, pos, title_line = take_until(r, lines, lines.index(first), TITLE_END, what="title", limit=6)
        except InputError:  # not a title here: try the next start
            continue
        if DOCNO_RE.search(title) or DATE_LINE.match(title) or len(title) > 120 or "。" in title:
            title = None
            continue
        break
    stated = sidecar.get("title") if sidecar else None
    if title is not None and stated is not None and stated != title:
        raise r.error(title_line, f"{sidecar.name} states the title {stated}, the text prints {title}")
    if title is None:
        if sidecar is None and not _reads_as_document(nonempty):
            raise r.error(nonempty[0].number, "no title ending in 通知, 公示, 决定, 公告 … in the first lines (a copy "
                                              f"without one needs a sidecar {sidecar_path(r.path).name} saying where it comes from)")
        title = stated
        first_text = next(ln for ln in nonempty if not LETTERHEAD.match(ln.compact) and ln is not docno_line)
        pos, title_line = lines.index(first_text), first_text.number
        if docno_line is not None and docno_line.number > first_text.number:
            pos = lines.index(docno_line) + 1
    printed = parse_docno(docno_line.compact) if docno_line is not None else None
    stated_number = sidecar.get("number") if sidecar else None
    if printed is not None and stated_number is not None and printed.text != parse_docno(stated_number).text:
        raise r.error(docno_line.number, f"{sidecar.name} states the 文号 {stated_number}, the text prints {printed.text}")
    number = printed or (parse_docno(stated_number) if stated_number else None)
    if stated_number and number is None:
        raise r.error(title_line, f"{sidecar.name}: cannot read the 文号 {stated_number!r}")
    if number is None and title is not None and not title.endswith("公示") and sidecar is None:
        raise r.error(nonempty[0].number, "no document number (文号) such as 国知发运字〔2022〕33号 in the first lines "
                                          f"(only a 公示 has none; a copy that lacks it needs a sidecar {sidecar_path(r.path).name})")
    if docno_line is not None and docno_line.number > title_line:
        pos = max(pos, lines.index(docno_line) + 1)
    return number, title, pos, title_line


def _reads_as_document(nonempty: list[Line]) -> bool:
    """A copy without a title that still reads as a designation document: it ends with a signature's date
    within its last lines and puts a list up for 公示 or ends with 特此通知 (a mirror that dropped the title)."""
    tail = [ln.compact for ln in nonempty[-12:]]
    text = "".join(ln.compact for ln in nonempty)
    return any(DATE_LINE.match(c) for c in tail) and bool(re.search(r"公示(?:时间|期)|特此通知", text))
