"""What the body of a designation document says: the lists it declares (with their counts,
programme and tier), a list of places written inline, the period, the 公示 period, the
documents it cites.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from ..core.records import AnnexRow, CitedDocument
from .text import (
    DECLARED, LEADING_VERBS, NAME_SUFFIXES, ORG_PREFIX, PERIOD, Line, Reader, Text, citations, parse_docno, programme_tier,
)

#: 2025—2027年 (a period of whole years)
YEARS = re.compile(r"(?P<y1>\d{4})(?:年)?[—－\-~至到](?P<y2>\d{4})年")
#: 公示时间：2023年12月1日至12月7日 (the second year and month may be left out)
#: and the other ways the copies put it: 公示时间为5个工作日,从2023年2月17日至2023年2月23日;
#: 公示期为5个工作日(2024年1月4日至2024年1月10日); 公示期：自…起至…止 (a few words may stand between)
PUBLIC_NOTICE = re.compile(
    r"公示(?:时间|期|期间)(?:为|是)?[：:]?(?:[^年。；]{0,16}?[，,（(：:从自]|[从自])?(?P<y1>\d{4})年(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日"
    r"(?:[（(][^）)]{0,8}[）)])?(?:起)?(?:[—－\-~至到])(?:(?P<y2>\d{4})年)?(?:(?P<m2>\d{1,2})月)?(?P<d2>\d{1,2})日")
#: 现确定A、B、…和C为第二批…建设城市（地区）: the list is searched only from 确定 (a literal), so linear
INLINE = re.compile(r"确定(?P<list>[^。；：:]{2,4000}?)为(?P<label>[^，。；]{2,80}?)(?=[，。；]|$)")
_ITEM_SPLIT = re.compile(r"、|，|(?:以及|和|及)(?=[^、，]{2,30}$)")

Declared = dict[int, tuple[int, tuple[str, str, str], str, int]]  #: annex -> (count, (programme, tier, kind), label, line)


#: 拟确定福建省厦门市等18个城市为第二批国家知识产权示范城市。现将名单(见附件)予以公示: the one annex, unnumbered
DECLARED_ONE = re.compile(r"等(?P<count>\d{1,5})个(?P<what>[^为]{1,10}?)为(?P<label>[^，。；（(]{1,60}?)(?=[，。；]|$)")
ONE_ANNEX = re.compile(r"[（(](?:名单)?见附件[）)]")
#: a list of one place a line, announced by a line ending in a colon: 现将名单(按行政区划)公示如下：
LIST_INTRO = re.compile(r"名单[^。]{0,24}[：:]$")
LIST_ITEM = re.compile(r"^(?:(?P<serial>\d{1,3})[.．、](?!\d))?(?P<name>[\u4e00-\u9fff]{2,30}(?:[（(][\u4e00-\u9fff]{1,12}[）)])?)$")
#: what the list is, named before it: 遴选出第一批国家知识产权保护示范区建设城市(地区)名单
LIST_LABEL = re.compile(r"(?P<label>第[一二三四五六七八九十\d]{1,3}批[^，。；：:]{2,60}?)名单")


def declared_lists(r: Reader, body: Text, *, single_annex: bool = False) -> Declared:
    """The annex lists the body declares: 确定X等N个…为…（名单见附件k）; with ``single_annex`` (one heading 附件,
    unnumbered), also 确定X等N个…为…。…名单(见附件)… as annex 1."""
    declared: Declared = {}
    if single_annex and not DECLARED.search(body.text) and ONE_ANNEX.search(body.text):
        if m := DECLARED_ONE.search(body.text):
            line = body.line_at(m.start("count"))
            kind = programme_tier(m.group("label"))
            if kind is None:
                raise r.error(line, f"cannot tell the programme and tier of {m.group('label')!r}")
            return {1: (int(m.group("count")), kind, m.group("label"), line)}
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


def line_list(r: Reader, lines: list[Line], title: str | None) -> tuple[str, tuple[str, str, str], tuple[AnnexRow, ...], int] | None:
    """A list of one place a line after a line announcing it (…名单…：), as (label, (programme, tier,
    kind), rows, line): serials, where printed (1.北京市海淀区), must run 1..N. What the list is comes from
    the text before it (第二批…名单), else the title. None when no line announces a list."""
    text = [ln for ln in lines if ln.compact]
    for i, intro in enumerate(text):
        # the announcing sentence may be wrapped (a PDF): read it with the lines before
        if not intro.compact.endswith(("：", ":")) or not LIST_INTRO.search("".join(ln.compact for ln in text[max(0, i - 3):i + 1])):
            continue
        rows: list[AnnexRow] = []
        for ln in text[i + 1:]:
            m = LIST_ITEM.match(ln.compact)
            if m is None or not m.group("name").endswith(NAME_SUFFIXES):
                break
            serial = int(m.group("serial")) if m.group("serial") else None
            if (serial is None) != (not rows or rows[0].text == rows[0].name) and rows:
                raise r.error(ln.number, "a list with serials on some lines only")
            if serial is not None and serial != len(rows) + 1:
                raise r.error(ln.number, f"serial {serial} where {len(rows) + 1} was expected (serials must run 1..N)")
            rows.append(AnnexRow(annex=0, serial=len(rows) + 1, province="", name=m.group("name"), lines=(ln.number,),
                                 text=ln.compact))
        before = "".join(ln.compact for ln in text[: i + 1])
        labels = [m.group("label") for m in LIST_LABEL.finditer(before)]
        label = next((lb for lb in reversed(labels) if programme_tier(lb)), None) or title or ""
        kind = programme_tier(label) or (programme_tier(title) if title else None)
        if not rows:
            raise r.error(intro.number, "the list announced here (名单…：) has no places after it: is the copy cut off?")
        if kind is None:
            raise r.error(intro.number, f"cannot tell the programme and tier of the list {label!r}")
        return label, kind, tuple(rows), intro.number
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
