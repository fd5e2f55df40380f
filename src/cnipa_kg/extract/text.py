"""The text of a notice as numbered lines, normalised (full-width digits, spaces), the patterns
that recognise its parts, and the reader that turns a failure into a ``FILE:LINE:`` error.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from ..core.errors import InputError
from ..core.records import DocNumber

# -- normalisation ---------------------------------------------------------------------------

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_SPACES = re.compile(r"[\s\u3000\u00a0\ufeff]+")


@dataclass(frozen=True)
class Line:
    number: int  #: 1-based
    text: str  #: stripped, spaces collapsed, digits ASCII
    compact: str  #: ``text`` without any whitespace (Chinese running text has none)


#: ASCII punctuation that copies put where the issuer prints full-width (a colon of a time or a URL, a comma
#: between digits stay as they are)
_ASCII_PUNCTUATION = re.compile(r"[();,:]")
_FULL = {"(": "（", ")": "）", ",": "，", ":": "：", ";": "；"}


def _full(m: re.Match) -> str:
    text, at, c = m.string, m.start(), m.group(0)
    between_digits = 0 < at < len(text) - 1 and text[at - 1].isdigit() and text[at + 1].isdigit()
    if (c in ",:" and between_digits) or (c == ":" and text.startswith("//", at + 1)):
        return c
    return _FULL[c]


def typeset(text: str) -> str:
    """Full-width punctuation where a copy has ASCII, as the issuer prints it, so that every copy of a
    document reads alike.

    >>> typeset("第一批国家知识产权保护示范区建设城市(地区),公示时间:2023年2月17日 10:00 http://e.org/a")
    '第一批国家知识产权保护示范区建设城市（地区），公示时间：2023年2月17日 10:00 http://e.org/a'
    """
    return _ASCII_PUNCTUATION.sub(_full, text)


def lines_of(text: str) -> list[Line]:
    out = []
    for i, raw in enumerate(text.split("\n"), start=1):
        t = typeset(_SPACES.sub(" ", raw.translate(_FULLWIDTH_DIGITS)).strip())
        out.append(Line(i, t, t.replace(" ", "")))
    return out


# -- patterns (applied to whitespace-free text) ------------------------------------------------
#
# Every run a pattern may scan is bounded (or stops at a character that starts the next attempt), so
# that searching a body is linear in its length: a body of 200,000 characters without punctuation
# is read in well under a second (an unbounded lazy run tried from every position was quadratic).
# Numbers are at most a few digits: int() refuses more than 4,300.

_DOCNO = r"(?P<series>[\u4e00-\u9fff]{2,12}?)[〔\[［【(（](?P<year>\d{4})[〕\]］】)）](?P<num>\d{1,5})号"
DOCNO_RE = re.compile(_DOCNO)
TITLE_END = re.compile(r"(通知|决定|公告|通报|意见|函|公示)$")
_DATE = r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日"
DATE_LINE = re.compile(rf"^(?P<who>\D*?){_DATE}$")
PRINTED = re.compile(rf"^(?P<who>\D+?){_DATE}印发$")
COPY_TO = re.compile(r"^抄送[：:](?P<who>.+?)[。.]?$")
ANNEX_HEADING = re.compile(r"^附件(?P<n>\d{1,4})?$")  #: 附件 alone: the one annex of a document
ANNEX_LIST = re.compile(r"^(?:附件[：:])?(?P<n>\d{1,4})[.．、](?P<title>.+)$")
STATUS = re.compile(r"^[（(](?P<s>此件[^）)]+)[）)]$")
LETTERHEAD = re.compile(r"^[\u4e00-\u9fff]{2,24}文件$")
CLOSING = re.compile(r"(特此通知|特此公告|特此通报|特此公示)[。.]?$")
#: 等 38个城市（城区）为…示范城市（名单见附件 1）; starts at 等 (what comes before it is not used)
DECLARED = re.compile(
    r"等(?P<count>\d{1,5})个(?P<what>[^为]{1,10}?)为(?P<label>[^，。；（(]{1,60})[（(](?:名单)?见附件(?P<annex>\d{1,4})[）)]"
)
PERIOD = re.compile(r"自(?P<y1>\d{4})年(?P<m1>\d{1,2})月(?:起)?至(?P<y2>\d{4})年(?P<m2>\d{1,2})月")
SELECTION = re.compile(r"经(?P<steps>[^，。]{1,80}?)等程序")
WORK_PLAN = re.compile(
    r"自批复之日起(?P<months>\d{1,3})个月内由(?P<issuer>[^，。]{1,60}?)印发[，,]?并报(?P<with>[^，。]{1,120}?)备案"
)
#: 《title》 and its 文号 in brackets; the issuer before it is found by :func:`citations`
CITATION = re.compile(r"《(?P<title>[^《》]+)》(?:[（(](?P<num>[^（）()]{0,60}?号)[）)])?")
_CLAUSE_BREAKS = "，。；：《》“”"  # an issuer (中共中央、国务院印发的《…》) runs back to one of these
_ISSUED = ("印发的", "发布的", "制定的")
LEADING_VERBS = re.compile(r"^(按照|根据|依据|依照|贯彻|落实|和|及|与|以及)+")
ORG_PREFIX = re.compile(r"^(?P<org>[\u4e00-\u9fff]{2,30}?(局|办公室|部|委员会|院|厅|中心|司|委|署|会))关于")
HEADER = re.compile(r"^(?:类别)?序号")
SERIAL = re.compile(r"^(\d{1,6})[.．、]?$")
NAME_SUFFIXES = ("市", "区", "县", "州", "盟", "旗", "地区", "）")


def citations(text: str) -> Iterator[tuple[re.Match, str | None]]:
    """The cited documents of ``text``: each 《title》 match with the issuer written before it
    (``…印发的《title》``, back to the previous clause break or citation), or None.

    >>> [(m.group("title"), issuer) for m, issuer in citations("按照中共中央、国务院印发的《纲要》和《规划》")]
    [('纲要', '按照中共中央、国务院'), ('规划', None)]
    """
    previous_end = 0
    for m in CITATION.finditer(text):
        start, issuer = m.start(), None
        verb_at = start - len(_ISSUED[0])
        if verb_at >= previous_end and text.startswith(_ISSUED, verb_at, start):
            # each rfind scans only the text since the previous citation: linear in all
            clause = max(text.rfind(c, previous_end, verb_at) for c in _CLAUSE_BREAKS) + 1
            issuer = text[max(clause, previous_end):verb_at]
        yield m, issuer
        previous_end = m.end()


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


#: the date a web page gives the document (发布日期:2013-07-24, 2023-02-17浏览次数:, 发布时间：2023年2月17日 10:00)
PAGE_DATE = re.compile(r"^(?:发布日期|发布时间|发文日期|日期|时间)?[：:]?(?P<y>\d{4})(?:-|/|\.|年)(?P<m>\d{1,2})(?:-|/|\.|月)"
                       r"(?P<d>\d{1,2})日?(?:\d{1,2}:\d{2}(?::\d{2})?)?(?=$|浏览|阅读|访问|来源|作者|点击|字号|分享)")
#: lines of a web page around the document (a saved copy of the issuer's site), not part of it
SITE_LINE = re.compile(
    r"^\d{4}-\d{1,2}-\d{1,2}(?:\d{1,2}:\d{2}(?::\d{2})?)?(?:浏览|阅读|访问|点击)|^(当前位置|您的位置|位置|发布时间|发布日期|发文日期|成文日期|来源|信息来源|浏览|浏览人数|浏览次数|阅读|访问量|分享到|分享|"
    r"打印|关闭|打印本页|关闭窗口|字号|【|索引号|主题分类|发文机关|发文字号|标题|首页|返回顶部|扫一扫|相关链接|附件下载|版权所有|主办单位|承办单位|网站标识码|联系我们|网站地图|免责声明)"
    r"|^[大中小]{3}$|^[\[【(（]?[大中小][\]】)）]?[\[【(（]?[大中小][\]】)）]?[\[【(（]?[大中小][\]】)）]?$")
_TIER_END = re.compile(r"(示范创建|示范|试点)(城市|县|园区|区|地区)?(（[^）]{0,8}）)?(名单)?$")


def programme_tier(label: str) -> tuple[str, str, str] | None:
    """(programme, tier, designee kind) of a list's label as printed, or None.

    >>> programme_tier("国家知识产权强市建设试点城市"), programme_tier("国家知识产权强县建设示范县")
    (('strong-city', 'pilot', 'division'), ('strong-county', 'demonstration', 'division'))
    >>> programme_tier("国家知识产权强国建设试点示范园区")[0], programme_tier("第二批国家知识产权保护示范区建设城市（地区）")
    ('park', ('protection-zone', 'building', 'division'))
    """
    label = re.sub(r"拟(?:确定|认定|命名)|（公示）|\(公示\)", "", label)
    if "保护示范区" in label:
        return ("protection-zone", "building", "division") if "建设" in label else None
    programme = ("strong-city" if "强市" in label else "strong-county" if "强县" in label
                 else "park" if "园区" in label else "ip-demonstration-city" if "城市" in label else None)
    m = _TIER_END.search(label)
    if programme is None or m is None:
        return None
    tier = {"示范创建": "demonstration-building", "示范": "demonstration", "试点": "pilot"}[m.group(1)]
    if programme == "park" and "试点示范园区" in label:
        tier = "demonstration" if label.endswith("示范园区") and "试点园区" not in label and "试点示范" not in label else tier
    return programme, tier, "park" if programme == "park" else "division"


class Text:
    """Running text of several lines joined without whitespace, with offsets mapped to lines."""

    def __init__(self, lines: list[Line]) -> None:
        parts = [ln for ln in lines if ln.compact]
        self.text = "".join(ln.compact for ln in parts)
        self._offsets: list[int] = []
        self._numbers = [ln.number for ln in parts]
        at = 0
        for ln in parts:
            self._offsets.append(at)
            at += len(ln.compact)

    def line_at(self, offset: int) -> int:
        if not self._offsets:
            return 1
        return self._numbers[max(0, bisect_right(self._offsets, offset) - 1)]


class Reader:
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
