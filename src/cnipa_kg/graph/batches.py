"""Completeness, stated: every known batch of the programmes (:mod:`cnipa_kg.reference.batches`) as a
``ckg:Batch``, with what the release holds of it.

A batch is matched to the documents built: by its 文号 where the table gives one, else by its programme,
whether it is a 公示, and the day (or month) it was signed. ``ckg:heldCount`` counts the designations (or
proposed designations) of the matched documents at the batch's programme and tier; a batch of a programme
the model has no concept for (``ip-park``, ``service-cluster`` …) holds nothing. The declared count, what the
table says can be had of the list (``ckg:holding``) and the page the count was read from (``dcterms:source``)
are the table's, cited by its row.
"""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from ..core import iris
from ..core.records import Notice
from ..core.vocab import CKG, ELI, PROGRAMME_CONCEPT, TIER_CONCEPT
from ..reference.batches import TABLE, Batch, batches

_PRECISION = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}


def _when(text: str) -> Literal | None:
    return Literal(text, datatype=_PRECISION[len(text)]) if len(text) in _PRECISION else None


def matches(batch: Batch, n: Notice) -> bool:
    """Whether ``n`` is the document of ``batch``."""
    if batch.programme not in PROGRAMME_CONCEPT or n.proposal != batch.proposed:
        return False
    if not any(a.programme == batch.programme for a in n.annexes):
        return False
    if batch.document_number:
        return n.number is not None and n.number.text == batch.document_number
    return bool(batch.signed) and n.signed == batch.signed


def held(batch: Batch, notices: Sequence[Notice]) -> tuple[list[Notice], int]:
    """The documents of ``batch`` among ``notices`` and how many places they list at its programme and tier."""
    docs = [n for n in notices if matches(batch, n)]
    count = sum(len(a.rows) for n in docs for a in n.annexes
                if a.programme == batch.programme and (batch.tier is None or a.tier == batch.tier))
    return docs, count


def batch_graph(notices: Sequence[Notice], *, base: str) -> Graph:
    """One ``ckg:Batch`` per row of the table, with its held count among ``notices``."""
    graph = Graph()
    add = graph.add
    table = iris.reference_table_iri(base, TABLE)
    holdings = iris.holdings_iri(base)
    add((holdings, RDF.type, CKG.Holdings))
    add((holdings, SKOS.prefLabel, Literal("本数据集持有什么、缺少什么", lang="zh")))
    add((holdings, SKOS.prefLabel, Literal("What this dataset holds and what it lacks", lang="en")))
    add((holdings, DCTERMS.source, table))
    declared_total = held_total = 0
    for b in batches():
        node = iris.batch_iri(base, b.slug)
        docs, count = held(b, notices)
        add((holdings, CKG.batch, node))
        declared_total += b.declared or 0
        held_total += count
        add((node, RDF.type, CKG.Batch))
        add((node, SKOS.prefLabel, Literal(f"{b.batch} 批次：{b.programme}，{b.tier_text}", lang="zh")))
        add((node, SKOS.prefLabel, Literal(f"Batch {b.batch}: {b.programme}, {b.tier_text}", lang="en")))
        add((node, CKG.programmeCode, Literal(b.programme)))
        if b.programme in PROGRAMME_CONCEPT:
            add((node, CKG.programme, PROGRAMME_CONCEPT[b.programme]))
        add((node, CKG.tierText, Literal(b.tier_text)))
        if b.tier is not None:
            add((node, CKG.tier, TIER_CONCEPT[b.tier]))
        add((node, CKG.proposed, Literal(b.proposed)))
        if b.document_number:
            add((node, ELI.id_local, Literal(b.document_number)))
        for prop, text in ((DCTERMS.date, b.signed), (CKG.termStart, b.period_start), (CKG.termEnd, b.period_end)):
            if (value := _when(text)) is not None:
                add((node, prop, value))
        if b.declared is not None:
            add((node, CKG.declaredCount, Literal(b.declared)))
        add((node, CKG.heldCount, Literal(count)))
        if b.holding:
            add((node, CKG.holding, Literal(b.holding)))
        for n in docs:
            add((node, CKG.batchDocument, iris.document_iri(base, n)))
        if b.count_source.startswith(("http://", "https://")):
            add((node, DCTERMS.source, URIRef(b.count_source)))
        add((node, CKG.tableRow, Literal(b.row)))
        add((node, DCTERMS.isPartOf, table))
        add((node, RDFS.comment, Literal(_statement(b, count), lang="en")))
    add((holdings, CKG.declaredCount, Literal(declared_total)))
    add((holdings, CKG.heldCount, Literal(held_total)))
    add((holdings, RDFS.comment, Literal(
        f"The known batches of CNIPA's place programmes, 2008-2026, declare {declared_total:,} places (or proposals) "
        f"in all; this release holds {held_total:,} of them. A batch not held, or held in part, is a gap of this "
        "dataset, not of the programme: each batch says what can be had of its list and where its count was read.",
        lang="en")))
    return graph


def _statement(b: Batch, count: int) -> str:
    declared = "an unstated number of" if b.declared is None else f"{b.declared}"
    if count == 0:
        return f"Declares {declared} places; this release holds none of its list."
    if b.declared is not None and count >= b.declared:
        return f"Declares {declared} places; this release holds all {count}."
    return f"Declares {declared} places; this release holds {count}."
