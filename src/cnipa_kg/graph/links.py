"""Links across documents, worked out from the records of all documents before any graph is made
(so that a part of the build links exactly as the whole would):

* history: a designee's designations in one programme, earlier → later (``ckg:previousDesignation``),
  ordered by period start, then the notice's date;
* confirmation: a designation confirms the latest proposed designation (公示) of the same designee,
  programme and tier published no later than its notice (``ckg:confirms``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core import iris
from ..core.records import Notice
from .designees import designee_of


@dataclass(frozen=True)
class Links:
    previous: dict[str, str] = field(default_factory=dict)  #: designation IRI -> the previous one's IRI
    confirms: dict[str, str] = field(default_factory=dict)  #: designation IRI -> the proposed designation's IRI


def _key(designee) -> tuple[str, str]:
    return designee.division.code, designee.park or ""


def links_of(notices: Sequence[Notice], *, base: str) -> Links:
    """The history and confirmation links of ``notices`` (IRIs under ``base``)."""
    chains: dict[tuple, list[tuple]] = defaultdict(list)
    proposals: dict[tuple, list[tuple]] = defaultdict(list)
    for n in notices:
        doc = iris.document_iri(base, n)
        for annex in n.annexes:
            for row in annex.rows:
                who = _key(designee_of(n, annex, row))
                node = str(iris.designation_iri(doc, annex.number, row.serial))
                if n.proposal:
                    proposals[(who, annex.programme, annex.tier)].append((n.date, node))
                else:
                    chains[(who, annex.programme)].append((n.period_start or n.date, n.date, n.key, node))
    previous = {}
    for chain in chains.values():
        chain.sort()
        for earlier, later in zip(chain, chain[1:]):
            previous[later[3]] = earlier[3]
    confirms = {}
    for n in notices:
        if n.proposal:
            continue
        doc = iris.document_iri(base, n)
        for annex in n.annexes:
            for row in annex.rows:
                before = [p for p in proposals.get((_key(designee_of(n, annex, row)), annex.programme, annex.tier), ())
                          if p[0] <= n.date]
                if before:
                    confirms[str(iris.designation_iri(doc, annex.number, row.serial))] = max(before)[1]
    return Links(previous, confirms)
