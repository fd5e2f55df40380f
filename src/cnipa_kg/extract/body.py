"""What the body of a designation document says: the lists it declares (with their counts,
programme and tier), a list of places written inline, the period, the 公示 period, the
documents it cites.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from ..core.records import AnnexRow, CitedDocument
from .text import DECLARED, LEADING_VERBS, ORG_PREFIX, PERIOD, Reader, Text, citations, parse_docno, programme_tier

#: 2025—2027年 (a period of whole years)
YEARS = re.compile(r"(?P<y1>\d{4})(?:年)?[—－\-~至到](?P<y2>\d{4})年")
#: 公示时间：2023年12月1日至12月7日 (the second year and month may be left out)
PUBLIC_NOTICE = re.compile(
    r"公示(?:时间|期|期间)(?:为|是)?[：:]?(?:自)?(?P<y1>\d{4})年(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日"
    r"(?:[（(][^）)]{0,8}[）)])?(?:[—－\-~至到])(?:(?P<y2>\d{4})年)?(?:(?P<m2>\d{1,2})月)?(?P<d2>\d{1,2})日")
#: 现确定A、B、…和C为第二批…建设城市（地区）: the list is searched only from 确定 (a literal), so linear
INLINE = re.compile(r"确定(?P<list>[^。；：:]{2,4000}?)为(?P<label>[^，。；]{2,80}?)(?=[，。；]|$)")
_ITEM_SPLIT = re.compile(r"、|，|(?:以及|和|及)(?=[^、，]{2,30}$)")

Declared = dict[int, tuple[int, tuple[str, str, str], str, int]]  #: annex -> (count, (programme, tier, kind), label, line)


def declared_lists(r: Reader, body: Text) -> Declared:
    """The annex lists the body declares: 确定X等N个…为…（名单见附件k）."""
    declared: Declared = {}
    for m in DECLARED.finditer(body.text):
        line = body.line_at(m.start("count"))
        label = m.group("label")
        kind = programme_tier(label)
        if kind is None:
            raise r.error(line, f"cannot tell the programme and tier of {label!r} (expected e.g. …强市建设示范城市, "
                                "…强县建设试点县, …试点示范园区, …保护示范区建设城市（地区）)")
        n = int(m.group("annex"))
        if n in declared:
            raise r.error(line, f"annex {n} is declared twice in the body")
        declared[n] = (int(m.group("count")), kind, label, line)
    return declared


def inline_list(r: Reader, body: Text) -> tuple[str, tuple[str, str, str], tuple[AnnexRow, ...], int] | None:
    """A list of places written in one sentence of the body: (label, (programme, tier, kind), rows, line)."""
    for m in INLINE.finditer(body.text):
        kind = programme_tier(m.group("label"))
        items = [i for i in _ITEM_SPLIT.split(m.group("list")) if i]
        if kind is None or len(items) < 2 and "等" not in m.group("list"):
            continue
        line = body.line_at(m.start())
        rows, at = [], m.start("list")
        for serial, item in enumerate(items, 1):
            at = body.text.find(item, at)
            rows.append(AnnexRow(annex=0, serial=serial, province="", name=item, lines=(body.line_at(at),), text=item))
        return m.group("label"), kind, tuple(rows), line
    return None


def period(r: Reader, body: Text) -> tuple[date | None, date | None]:
    """The period of the designations (first day of the first month, last day of the last), or (None, None)."""
    m = PERIOD.search(body.text)
    if m:
        y1, m1, y2, m2 = (int(m.group(k)) for k in ("y1", "m1", "y2", "m2"))
    elif m := YEARS.search(body.text):
        y1, m1, y2, m2 = int(m.group("y1")), 1, int(m.group("y2")), 12
    else:
        return None, None
    line = body.line_at(m.start())
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
        raise r.error(line, f"invalid month in period {m.group(0)!r}")
    start, end = date(y1, m1, 1), date(y2, m2, calendar.monthrange(y2, m2)[1])
    if end < start:
        raise r.error(line, f"period ends before it starts: {m.group(0)!r}")
    return start, end


def public_notice_period(r: Reader, body: Text) -> tuple[date, date] | None:
    """公示时间 (first and last day), or None."""
    m = PUBLIC_NOTICE.search(body.text)
    if not m:
        return None
    line = body.line_at(m.start())
    y1, m1, d1 = int(m.group("y1")), int(m.group("m1")), int(m.group("d1"))
    y2 = int(m.group("y2") or y1)
    m2 = int(m.group("m2") or m1)
    try:
        start, end = date(y1, m1, d1), date(y2, m2, int(m.group("d2")))
    except ValueError:
        raise r.error(line, f"invalid date in the public notice period {m.group(0)!r}") from None
    if end < start:
        raise r.error(line, f"public notice period ends before it starts: {m.group(0)!r}")
    return start, end


def cited_documents(r: Reader, body: Text) -> tuple[CitedDocument, ...]:
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
