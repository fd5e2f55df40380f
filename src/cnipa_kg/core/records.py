"""Plain records produced by extraction: no RDF, no text layout.

These are what :func:`cnipa_kg.extract.extract` returns and what
:func:`cnipa_kg.graph.mint.mint` consumes. Every record keeps the source line(s) it
came from, so later stages can report errors and provenance by ``FILE:LINE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
    text: str  #: the row's cells joined by single spaces, e.g. "1 北京 海淀区"


@dataclass(frozen=True)
class Annex:
    number: int
    title: str  #: e.g. 国家知识产权强市建设示范城市名单
    level: str  #: "demonstration" or "pilot"
    level_label: str  #: as printed in the body, e.g. 国家知识产权强市建设示范城市
    declared_count: int  #: the count stated in the body text
    rows: tuple[AnnexRow, ...]
    line: int  #: line of the 附件 N heading


@dataclass(frozen=True)
class Source:
    path: str  #: as given by the user (for messages)
    name: str  #: file name only (for provenance; stable across machines)
    sha256: str
    line_count: int


@dataclass(frozen=True)
class Notice:
    """Everything the extraction reads from one notice."""

    source: Source
    number: DocNumber
    title: str
    addressees: tuple[str, ...]
    cited: tuple[CitedDocument, ...]
    period_start: date  #: first day of the first month
    period_end: date  #: last day of the last month
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

    @property
    def rows(self) -> tuple[AnnexRow, ...]:
        return tuple(row for annex in self.annexes for row in annex.rows)
