"""Plain records produced by extraction: no RDF, no text layout.

These are what :func:`cnipa_kg.extract.extract` returns and what
:func:`cnipa_kg.graph.mint.mint` consumes. Every record keeps the source line(s) it
came from, so later stages can report errors and provenance by ``FILE:LINE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from . import terms

#: programmes and tiers, as records spell them (:mod:`.terms` holds their other spellings and labels)
PROGRAMMES = tuple(t.key for t in terms.PROGRAMMES)
TIERS = tuple(t.key for t in terms.TIERS)

#: the annex number of a roster's list (:mod:`cnipa_kg.extract.roster`): not an annex, not a list in a body
ROSTER = -1
#: how a designation is known (ckg:EvidenceGrades)
EVIDENCE = tuple(t.key for t in terms.EVIDENCE_GRADES)


@dataclass(frozen=True)
class DocNumber:
    """A 文号 such as 国知发运字〔2022〕33号."""

    text: str  #: as printed
    series: str  #: 国知发运字
    year: int
    number: int


@dataclass(frozen=True)
class CitedDocument:
    """A document the notice cites: 《title》, with its 文号 when printed."""

    title: str
    number: DocNumber | None
    issuers: tuple[str, ...]  #: as printed, e.g. ("中共中央", "国务院")
    line: int


@dataclass(frozen=True)
class AnnexRow:
    """One row of an annex table."""

    annex: int
    serial: int
    province: str  #: as printed, short or full name (北京, 新疆 …)
    name: str  #: as printed (海淀区 …)
    lines: tuple[int, ...]  #: source lines the row's cells sit on
    text: str  #: the row's cells joined by single spaces, e.g. "1 北京 海淀区" (a roster's: its CSV line)
    category: str = ""  #: a category cell as printed (副省级城市, 县级市 …), where the table has one
    evidence: str = ""  #: a roster row's evidence (where its facts were read), as the roster gives it
    evidence_url: str = ""  #: a roster row's official page


@dataclass(frozen=True)
class Annex:
    """A list of designated (or proposed) places: an annex table, or (number 0) a list printed in the body."""

    number: int  #: the n of 附件 n; 0 for a list printed inline in the body
    title: str  #: e.g. 国家知识产权强市建设示范城市名单
    level: str  #: the tier: one of :data:`TIERS` ("demonstration", "pilot" …)
    level_label: str  #: as printed in the body, e.g. 国家知识产权强市建设示范城市
    declared_count: int | None  #: the count stated in the body text (None: not stated)
    rows: tuple[AnnexRow, ...]
    line: int  #: line of the 附件 N heading (of the sentence, for an inline list)
    programme: str = "strong-city"  #: one of :data:`PROGRAMMES`
    designee_kind: str = "division"  #: "division" or "park"

    @property
    def tier(self) -> str:
        return self.level

    @property
    def inline(self) -> bool:
        return self.number == 0

    @property
    def roster(self) -> bool:
        return self.number == ROSTER


@dataclass(frozen=True)
class Source:
    path: str  #: as given by the user (for messages)
    name: str  #: file name only (for provenance; stable across machines)
    sha256: str
    line_count: int
    pages: tuple[int, ...] | None = None  #: a PDF's page of each line (1-based); None for text and HTML


@dataclass(frozen=True)
class Notice:
    """Everything the extraction reads from one notice."""

    source: Source
    number: DocNumber | None  #: None for a public notice (公示), which has no 文号, or a copy that lacks it
    title: str | None  #: None: the copy prints no title (and no sidecar states it)
    addressees: tuple[str, ...]
    cited: tuple[CitedDocument, ...]
    period_start: date | None  #: first day of the first month (None: no period stated)
    period_end: date | None  #: last day of the last month
    selection_steps: tuple[str, ...]
    work_plan_months: int | None
    work_plan_issuer: str | None
    work_plan_filed_with: tuple[str, ...]
    issuer: str  #: the signature
    date: date  #: the date under the signature
    printed_by: str | None
    print_date: date | None
    copy_to: tuple[str, ...]
    publication_status: str | None
    annexes: tuple[Annex, ...]
    kind: str = "notice"  #: "notice", or "public-notice" (公示: proposed designations)
    public_notice_start: date | None = None  #: 公示时间, first day
    public_notice_end: date | None = None  #: 公示时间, last day
    dated_by: str = "signature"  #: where ``date`` is read: "signature", "page" (a web copy's 发布日期), "sidecar", "roster"
    evidence: str = "text"  #: one of :data:`EVIDENCE`: read from a copy of the issuer's text, or a roster's rows
    date_precision: str = "day"  #: "day", or "month" (a roster's notice signed in a month: ``date`` is its first day)
    cohort: str = ""  #: a roster's cohort (2012-04 …)
    sidecar: object | None = None  #: the :class:`cnipa_kg.extract.sidecar.Sidecar` beside the source, if any

    @property
    def rows(self) -> tuple[AnnexRow, ...]:
        return tuple(row for annex in self.annexes for row in annex.rows)

    @property
    def signed(self) -> str:
        """The signing date as precise as known: 2013-09-17, or (a month) 2012-04."""
        return self.date.isoformat()[:7] if self.date_precision == "month" else self.date.isoformat()

    @property
    def subject(self) -> str:
        """Its title, else (a copy without one) what its first list designates, as the text prints it."""
        return self.title or (self.annexes[0].level_label if self.annexes else "")

    @property
    def label(self) -> str:
        """What names the document: its title, else (a copy without one) its kind and what it designates."""
        if self.evidence == "roster":
            return self.title or f"{self.subject}认定通知（标题不详；据名册）"
        return self.title or f"{'公示' if self.proposal else '通知'}：{self.subject}（标题不详）"

    @property
    def key(self) -> str:
        """The document's identifier as printed: its 文号, or (a 公示, a copy without its 文号) its title and date."""
        return self.number.text if self.number is not None else f"{self.label}（{self.signed}）"

    @property
    def proposal(self) -> bool:
        return self.kind == "public-notice"
