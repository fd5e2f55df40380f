"""Minting: :class:`~cnipa_kg.core.records.Notice` records → an rdflib Graph with stable IRIs.

Knows nothing of text layout. Resolves each designee to its official 6-digit code
(within its printed province) because the division IRI is built from it; a name that
resolves to no code or to several is an :class:`~cnipa_kg.core.errors.InputError` naming the
source line. Labels in English and pinyin, the division hierarchy and provenance are
added by :mod:`cnipa_kg.graph.enrich`.
"""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from ..core import iris
from ..core.errors import InputError
from ..core.records import CitedDocument, DocNumber, Notice
from ..core.vocab import (
    CKG, DEFAULT_BASE, ELI, EVIDENCE_CONCEPT, LEVEL_CONCEPT, ORG, PROGRAMME_CONCEPT, TIER_CONCEPT, bind_prefixes,
)
from ..reference.documents import document_type, organisations, policy_slugs, translations
from .designees import designee_of
from .links import Links, links_of

def printed_names(notices: Sequence[Notice]) -> dict[str, str]:
    """adcode -> its official name on the date of the first document (in notice, annex, row order) that
    names it: its ``zh`` label (a roster's 山东即墨, a 公示's 新疆自治区昌吉州 are not names of the division).

    Computed over all notices before any graph is made, so that a graph minted from a part of
    them labels each division exactly as the graph of all of them does.

    :raises InputError: a row that designates no division or an ambiguous one
    """
    first: dict[str, str] = {}
    for n in notices:
        for annex in n.annexes:
            for row in annex.rows:
                designee = designee_of(n, annex, row)
                if designee.park is None:
                    first.setdefault(designee.division.code, designee.division.name)
    return first


def check_unique(notices: Sequence[Notice]) -> None:
    """:raises InputError: two notices with the same 文号"""
    seen: dict[str, Notice] = {}
    for n in notices:
        if n.key in seen:
            what = f"document number {n.key}" if n.number is not None else f"public notice {n.key}"
            raise InputError(n.source.path, None, f"same {what} as {seen[n.key].source.path}")
        seen[n.key] = n


class _Minter:
    def __init__(self, graph: Graph, base: str, names: dict[str, str], links: Links) -> None:
        self.g = graph
        self.base = base
        self.names = names
        self.links = links

    def add(self, s, p, o) -> None:
        self.g.add((s, p, o))

    def labels(self, node: URIRef, zh: str, en: str | None = None) -> None:
        self.add(node, SKOS.prefLabel, Literal(zh, lang="zh"))
        if en:
            self.add(node, SKOS.prefLabel, Literal(en, lang="en"))

    def title(self, node: URIRef, zh: str) -> None:
        self.add(node, ELI.title, Literal(zh, lang="zh"))
        if en := translations().get(zh):
            self.add(node, ELI.title, Literal(en, lang="en"))

    # organisations ------------------------------------------------------------------------
    def org(self, name: str) -> URIRef:
        row = organisations().get(name)
        if row is None:
            parent = max((n for n in organisations() if name.startswith(n) and n != name), key=len, default=None)
            row = {"slug": iris.pinyin_slug(name), "zh": name, "en": "", "parent": organisations()[parent]["slug"] if parent else ""}
        node = iris.org_iri(self.base, row["slug"])
        if (node, RDF.type, ORG.Organization) not in self.g:
            self.add(node, RDF.type, ORG.Organization)
            self.labels(node, row["zh"], row["en"] or None)
            if row["parent"]:
                parent_row = next(r for r in organisations().values() if r["slug"] == row["parent"])
                self.add(node, ORG.subOrganizationOf, self.org(parent_row["zh"]))
        return node

    # documents ----------------------------------------------------------------------------
    def document_iri(self, title: str, number: DocNumber | None) -> URIRef:
        if number is not None:
            return iris.notice_iri(self.base, number)
        return iris.policy_iri(self.base, policy_slugs().get(title) or iris.pinyin_slug(title))

    def cited(self, doc: CitedDocument) -> URIRef:
        node = self.document_iri(doc.title, doc.number)
        self.add(node, RDF.type, CKG.PolicyDocument)
        self.title(node, doc.title)
        en = translations().get(doc.title)
        self.labels(node, f"《{doc.title}》", en)
        if doc.number is not None:
            self.add(node, ELI.id_local, Literal(doc.number.text))
        if (kind := document_type(doc.title)) is not None:
            self.add(node, ELI.type_document, kind)
        for issuer in doc.issuers:
            self.add(node, ELI.passed_by, self.org(issuer))
        return node

    # the notice ---------------------------------------------------------------------------
    def notice(self, n: Notice) -> URIRef:
        node = iris.document_iri(self.base, n)
        add = self.add
        add(node, RDF.type, CKG.PublicNotice if n.proposal else CKG.Notice)
        add(node, RDF.type, CKG.PolicyDocument)
        if n.evidence == "roster":
            add(node, RDF.type, CKG.NoticeKnownByCitation)
            for url in sorted({row.evidence_url for annex in n.annexes for row in annex.rows if row.evidence_url}):
                add(node, RDFS.seeAlso, URIRef(url))
        if n.number is not None:
            add(node, ELI.id_local, Literal(n.number.text))
        elif not n.proposal:
            add(node, CKG.numberNotKnown, Literal(True))
        if n.title:
            self.title(node, n.title)
        else:
            add(node, CKG.titleNotKnown, Literal(True))

        en = translations().get(n.title or "") or (
            f"Notice {iris.series_slug(n.number.series)} [{n.number.year}] No. {n.number.number}" if n.number is not None
            else f"Public notice of {n.signed}" if n.proposal else f"Notice of {n.signed} (title not known)")
        self.labels(node, n.label, en)
        if n.public_notice_start and n.public_notice_end:
            add(node, CKG.publicNoticeStart, Literal(n.public_notice_start.isoformat(), datatype=XSD.date))
            add(node, CKG.publicNoticeEnd, Literal(n.public_notice_end.isoformat(), datatype=XSD.date))
        if n.date_precision == "month":  # known to the month only: no day is guessed
            add(node, CKG.signedInMonth, Literal(n.signed, datatype=XSD.gYearMonth))
        else:
            add(node, ELI.date_document, Literal(n.date.isoformat(), datatype=XSD.date))
        add(node, ELI.passed_by, self.org(n.issuer))
        if (kind := document_type(n.title or ("公示" if n.proposal else "通知"))) is not None:
            add(node, ELI.type_document, kind)
        if n.period_start and n.period_end:
            add(node, CKG.periodStart, Literal(n.period_start.isoformat(), datatype=XSD.date))
            add(node, CKG.periodEnd, Literal(n.period_end.isoformat(), datatype=XSD.date))
        for name in n.addressees:
            add(node, CKG.addressee, self.org(name))
        for name in n.copy_to:
            add(node, CKG.copyTo, self.org(name))
        if n.printed_by:
            add(node, CKG.printedBy, self.org(n.printed_by))
        if n.print_date:
            add(node, CKG.printDate, Literal(n.print_date.isoformat(), datatype=XSD.date))
        if n.selection_steps:
            text = "、".join(n.selection_steps)
            add(node, CKG.selectionProcedure, Literal(text, lang="zh"))
            if en := translations().get(text):
                add(node, CKG.selectionProcedure, Literal(en, lang="en"))
        if n.work_plan_months is not None:
            add(node, CKG.workPlanDeadlineMonths, Literal(n.work_plan_months))
        if n.work_plan_issuer:
            add(node, CKG.workPlanIssuer, self.org(n.work_plan_issuer))
        for name in n.work_plan_filed_with:
            add(node, CKG.workPlanFiledWith, self.org(name))
        if n.publication_status:
            add(node, CKG.publicationStatus, Literal(n.publication_status, lang="zh"))
            if en := translations().get(n.publication_status):
                add(node, CKG.publicationStatus, Literal(en, lang="en"))
        for doc in n.cited:
            add(node, ELI.cites, self.cited(doc))
        for annex in n.annexes:
            self.annex(n, node, annex)
        return node

    def annex(self, n: Notice, notice: URIRef, annex) -> None:
        add = self.add
        programme, tier = PROGRAMME_CONCEPT[annex.programme], TIER_CONCEPT[annex.tier]
        node = None
        if annex.number > 0:
            node = iris.annex_iri(notice, annex.number)
            add(notice, ELI.has_part, node)
            add(node, RDF.type, CKG.Annex)
            add(node, ELI.is_part_of, notice)
            add(node, CKG.annexNumber, Literal(annex.number))
            self.title(node, annex.title)
            self.labels(node, f"附件{annex.number}：{annex.title}", f"Annex {annex.number}: {translations().get(annex.title, annex.title)}")
            add(node, CKG.programme, programme)
            add(node, CKG.tier, tier)
            if annex.tier in LEVEL_CONCEPT:
                add(node, CKG.designationLevel, LEVEL_CONCEPT[annex.tier])
            if annex.declared_count is not None:
                add(node, CKG.declaredCount, Literal(annex.declared_count))
        for row in annex.rows:
            designee = self.designee(n, annex, row)
            d = iris.designation_iri(notice, annex.number, row.serial)
            add(d, RDF.type, CKG.ProposedDesignation if n.proposal else CKG.Designation)
            add(d, CKG.designee, designee)
            add(d, CKG.programme, programme)
            add(d, CKG.tier, tier)
            if annex.tier in LEVEL_CONCEPT and not n.proposal:
                add(d, CKG.designationLevel, LEVEL_CONCEPT[annex.tier])
            if node is not None:
                add(d, CKG.inAnnex, node)
            if not annex.roster:  # a roster's order is not a serial the notice prints
                add(d, CKG.serialNumber, Literal(row.serial))
            add(d, CKG.evidenceGrade, EVIDENCE_CONCEPT[n.evidence])
            add(d, CKG.proposedBy if n.proposal else CKG.designatedBy, notice)
            if n.period_start and n.period_end and not n.proposal:
                add(d, CKG.periodStart, Literal(n.period_start.isoformat(), datatype=XSD.date))
                add(d, CKG.periodEnd, Literal(n.period_end.isoformat(), datatype=XSD.date))
            if previous := self.links.previous.get(str(d)):
                add(d, CKG.previousDesignation, URIRef(previous))
            if confirmed := self.links.confirms.get(str(d)):
                add(d, CKG.confirms, URIRef(confirmed))
            where = (f"附件{annex.number} 第{row.serial}号" if annex.number > 0 else f"名册第{row.serial}行" if annex.roster
                     else f"第{row.serial}项")
            self.labels(d, f"{row.province}{row.name}：{annex.level_label}（{n.key} {where}）")

    def designee(self, n: Notice, annex, row) -> URIRef:
        found = designee_of(n, annex, row)
        division = found.division
        node = iris.division_iri(self.base, division.code)
        if (node, RDF.type, CKG.AdministrativeDivision) not in self.g:
            self.add(node, RDF.type, CKG.AdministrativeDivision)
            self.add(node, CKG.adcode, Literal(division.code))
            self.add(node, SKOS.prefLabel, Literal(self.names.get(division.code, division.name), lang="zh"))
        if found.park is None:
            return node
        park = iris.park_iri(self.base, division.code, found.park)
        self.add(park, RDF.type, CKG.Park)
        self.add(park, SKOS.prefLabel, Literal(found.park, lang="zh"))
        self.add(park, CKG.locatedIn, node)
        if found.kind:
            self.add(park, CKG.parkKind, Literal(found.kind, lang="zh"))
        return park


def mint(notices: Sequence[Notice], *, base: str = DEFAULT_BASE, names: dict[str, str] | None = None,
         links: Links | None = None) -> Graph:
    """Build the graph of one or more notices (no ontology, no enrichment).

    :param notices: extracted notices; two with the same 文号 are an error
    :param base: base IRI of minted resources (``/``- or ``#``-terminated)
    :param names: adcode -> zh label (:func:`printed_names`); default: of ``notices``
    :param links: history and confirmation links (:func:`cnipa_kg.graph.links.links_of`); default: of ``notices``
    :raises InputError: a designee that resolves to no code or to several, a repeated 文号
    """
    iris.check_base(base)
    check_unique(notices)
    graph = bind_prefixes(Graph(), base=base)
    m = _Minter(graph, base, printed_names(notices) if names is None else names,
                links_of(notices, base=base) if links is None else links)
    for n in notices:
        m.notice(n)
    return graph
