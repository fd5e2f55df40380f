"""The known designation batches of CNIPA's place programmes, 2008-2026 (``data/reference/programme-batches.csv``,
its ``#`` header says where each count was read): what a complete dataset would hold.

Each row: the programme (the table's own code: ``strong-city``, ``ip-park`` …), the tier as the table words
it (``demonstration (proposed, 公示)``), the batch (``2013-07``), the document's 文号 where known, when it was
signed or announced (a day, a month or a year), the term, the declared count, what of its list the table says
can be had (``text``, ``roster``, ``partial``, ``none``, or blank: not stated), and the page the count was
read from.

>>> b = next(b for b in batches() if b.batch == "2013-09")
>>> b.programme, b.tier, b.proposed, b.declared, b.signed
('ip-demonstration-city', 'demonstration', False, 18, '2013-09-17')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..core import terms
from .csvfiles import rows

TABLE = "programme-batches.csv"
#: the table's programme codes that are programmes of the model (core.records.PROGRAMMES)
MODELLED = tuple(t.key for t in terms.PROGRAMMES)
_TIERS = tuple(t.key for t in terms.TIERS)


@dataclass(frozen=True)
class Batch:
    programme: str  #: as the table codes it
    tier_text: str  #: as the table words it
    batch: str
    document_number: str
    signed: str  #: YYYY-MM-DD, YYYY-MM or YYYY, or ""
    period_start: str
    period_end: str
    declared: int | None
    holding: str  #: text | roster | partial | none | "" (not stated)
    count_source: str
    row: int  #: 1-based position among the table's rows

    @property
    def tier(self) -> str | None:
        """The tier (core.records.TIERS) the wording starts with, or None (``trial``: not a tier of the model)."""
        word = re.match(r"[a-z-]+", self.tier_text)
        tier = word.group(0) if word else ""
        return tier if tier in _TIERS else None

    @property
    def proposed(self) -> bool:
        return "proposed" in self.tier_text or "公示" in self.tier_text

    @property
    def slug(self) -> str:
        """``{programme}/{batch}/{tier words}``: the batch's IRI path."""
        words = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", self.tier_text.lower())
        return f"{self.programme}/{self.batch}/{'-'.join(words)}"


@cache
def batches() -> tuple[Batch, ...]:
    """The table's rows, checked: each slug once, counts non-negative integers."""
    out = []
    for i, row in enumerate(rows(TABLE), 1):
        declared = row["declared"].strip()
        if declared and not declared.isdigit():
            raise ValueError(f"{TABLE} row {i}: declared {declared!r} is not a count")
        out.append(Batch(row["programme"].strip(), row["tier"].strip(), row["batch"].strip(), row["document_number"].strip(),
                         row["signed"].strip(), row["period_start"].strip(), row["period_end"].strip(),
                         int(declared) if declared else None, row["held"].strip(), row["count_source"].strip(), i))
    slugs = [b.slug for b in out]
    if len(set(slugs)) != len(slugs):
        raise ValueError(f"{TABLE}: two rows for one batch and tier: {sorted(s for s in slugs if slugs.count(s) > 1)}")
    return tuple(out)
