"""Enrichment: the division hierarchy, names in three scripts, labels of designations, provenance.

* every province-level and prefecture-level unit of the code table enters the graph as a
  ``ckg:AdministrativeDivision`` (so "provinces with no designation" can be asked), with
  ``ckg:adcode``, ``ckg:divisionLevel``, ``skos:broader`` its parent and ``ckg:province``;
* every division with a row in ``data/reference/division-wikidata.csv`` gets ``owl:sameAs`` its
  Wikidata entity and, when the row has coordinates, ``geo:hasGeometry`` a point
  (``{division}#point``, a ``geo:Geometry`` with one ``geo:asWKT`` ``POINT(lon lat)``);
* every division gets ``skos:prefLabel`` in ``zh`` (as printed, or as in the table),
  ``en`` and ``zh-latn-pinyin`` (BCP 47 tags are case-insensitive; RDF 1.1 gives their value
  space in lower case, which is how pyoxigraph and so the release write them);
* every designation gets an English label;
* every designation links (``prov:wasDerivedFrom``) to its source row: file name, SHA-256,
  line numbers and the row's text; the build is a ``prov:Activity`` that used every source.
"""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from ..core import iris
from ..core.labels import label
from ..core.records import Notice
from ..core.version import __version__
from ..core.vocab import CKG, DEFAULT_BASE, DIVISION_LEVEL_CONCEPT, GEO, PINYIN, WD
from ..reference import divisions, history, names, wikidata

_NOUN_EN = {"strong-city": "city", "strong-county": "county", "park": "park", "protection-zone": "city (area)",
            "ip-demonstration-city": "city"}
_TIER_EN = {"demonstration": "demonstration", "pilot": "pilot", "demonstration-building": "demonstration-building",
            "building": "IP protection demonstration zone"}  # a designee's English noun phrase, not the tier's label


def designation_en(programme: str, tier: str) -> str:
    """What a designation makes its designee, in English (``demonstration city``, ``pilot county`` …)."""
    return f"{_TIER_EN[tier]} {_NOUN_EN[programme]}"



def shared_codes() -> set[str]:
    """Every province- and prefecture-level code of the mainland: in the graph whatever the notices."""
    table = divisions.code_table()
    return {c for c, d in table.by_code.items() if d.level in ("province", "prefecture") and c[:2] not in ("71", "81", "82")}


def enrich(graph: Graph, notices: Sequence[Notice], *, base: str = DEFAULT_BASE, names: dict[str, str] | None = None,
           shared: bool = True) -> Graph:
    """Add hierarchy, labels and provenance to a minted graph (in place; also returned).

    :param names: adcode -> zh label of divisions printed in the notices (``mint.printed_names``);
        default: the labels already in ``graph``
    :param shared: also add every province and prefecture (:func:`shared_codes`); a build made
        part by part adds them once, in a part of their own
    """
    if names is None:
        names = {str(graph.value(s, CKG.adcode)): str(o) for s, o in graph.subject_objects(SKOS.prefLabel)
                 if getattr(o, "language", None) == "zh" and (s, CKG.adcode, None) in graph}
    designees = {str(o) for o in graph.objects(None, CKG.adcode)}
    codes = shared_codes() if shared else set()
    for code in sorted(_with_successors(designees)):
        codes.update(d.code for d in _lineage(code))
    for code in sorted(codes):
        _division(graph, base, _known(code), names)
        _history(graph, base, code)
    _designation_labels(graph, notices, base)
    _provenance(graph, notices, base)
    return graph


def _division(graph: Graph, base: str, division: divisions.Division, printed: dict[str, str]) -> None:
    node = iris.division_iri(base, division.code)
    graph.add((node, RDF.type, CKG.AdministrativeDivision))
    graph.add((node, CKG.adcode, Literal(division.code)))
    graph.add((node, CKG.divisionLevel, DIVISION_LEVEL_CONCEPT[division.level]))
    zh = printed.get(division.code, division.name)
    graph.add((node, SKOS.prefLabel, Literal(zh, lang="zh")))
    graph.add((node, SKOS.prefLabel, Literal(names.english_name(zh, level=division.level, adcode=division.code), lang="en")))
    graph.add((node, SKOS.prefLabel, Literal(names.pinyin_name(zh), lang=PINYIN)))
    if division.parent:
        graph.add((node, SKOS.broader, iris.division_iri(base, division.parent)))
    if division.level != "province":
        graph.add((node, CKG.province, iris.division_iri(base, division.province_code)))
    _wikidata(graph, node, division.code)


def _known(code: str) -> divisions.Division:
    """The division ``code``: today's, else the last unit the history gives that code."""
    today = divisions.code_table().by_code.get(code)
    if today is not None:
        return today
    span = history.division(code)
    if span is None:
        raise KeyError(f"{code}: in neither the code table nor the division history (a bug: it was resolved)")
    return divisions.Division(span.code, span.name, span.level, span.parent)


def _lineage(code: str) -> list[divisions.Division]:
    """The division and its ancestors up to its province, through the history where it is gone."""
    out, seen = [], set()
    while code and code not in seen:
        seen.add(code)
        division = _known(code)
        out.append(division)
        code = division.parent or ""
    return out


def _with_successors(codes: set[str]) -> set[str]:
    """``codes`` and the divisions that replaced them, transitively (a page says "until 2017, then 即墨区")."""
    out, todo = set(), sorted(codes)
    while todo:
        code = todo.pop()
        if code in out:
            continue
        out.add(code)
        span = history.division(code) if code not in divisions.code_table().by_code else None
        todo.extend(c.code for c in (span.successors if span else ()))
    return out


def _history(graph: Graph, base: str, code: str) -> None:
    """When the division existed (as far as the history knows: years) and what replaced it, with the change:
    ``ckg:existedFrom`` / ``ckg:existedUntil`` (xsd:gYear), ``dcterms:isReplacedBy`` each successor, and one
    ``ckg:DivisionChange`` per successor (year, type, approval) that the old unit ``prov:wasInvalidatedBy``."""
    span = history.division(code)
    if span is None:
        return
    node = iris.division_iri(base, code)
    if span.appeared is not None:
        graph.add((node, CKG.existedFrom, Literal(str(span.appeared), datatype=XSD.gYear)))
    if span.ended is None:
        return
    graph.add((node, CKG.existedUntil, Literal(str(span.ended), datatype=XSD.gYear)))
    for change in span.successors:
        after = iris.division_iri(base, change.code)
        graph.add((node, DCTERMS.isReplacedBy, after))
        event = iris.division_change_iri(node, change.year, change.code)
        graph.add((event, RDF.type, CKG.DivisionChange))
        graph.add((event, SKOS.prefLabel, Literal(f"{span.name} → {change.name}（{change.year}年"
                                                  f"{'，' + change.type if change.type else ''}）", lang="zh")))
        graph.add((event, CKG.changeYear, Literal(str(change.year), datatype=XSD.gYear)))
        if change.type:
            graph.add((event, CKG.changeType, Literal(change.type, lang="zh")))
        if change.doc_no:
            graph.add((event, CKG.approval, Literal(change.doc_no)))
        graph.add((event, CKG.changedFrom, node))
        graph.add((event, CKG.changedTo, after))
        graph.add((node, PROV.wasInvalidatedBy, event))


def _wikidata(graph: Graph, node, code: str) -> None:
    """``owl:sameAs`` the division's Wikidata entity and its point, when the reference table has them."""
    link = wikidata.link(code)
    if link is None:
        return
    graph.add((node, OWL.sameAs, WD[link.qid]))
    if (wkt := link.wkt) is not None:
        point = iris.geometry_iri(node)
        graph.add((node, GEO.hasGeometry, point))
        graph.add((point, RDF.type, GEO.Geometry))
        graph.add((point, GEO.asWKT, Literal(wkt, datatype=GEO.wktLiteral)))


def _designation_labels(graph: Graph, notices: Sequence[Notice], base: str) -> None:
    for n in notices:
        notice = iris.document_iri(base, n)
        for annex in n.annexes:
            for row in annex.rows:
                d = iris.designation_iri(notice, annex.number, row.serial)
                designee = graph.value(d, CKG.designee)
                division = graph.value(designee, CKG.locatedIn) or designee
                province = graph.value(division, CKG.province) or division
                name_en = label(graph, division, "en")
                where = name_en if province == division else f"{name_en}, {label(graph, province, 'en')}"
                if designee != division:  # a park
                    where = f"{label(graph, designee, 'zh')} ({where})"
                what = designation_en(annex.programme, annex.tier)
                doc = (f"notice {n.number.text}" if n.number is not None else f"public notice of {n.signed}" if n.proposal
                       else f"notice of {n.signed}")
                at = (f"annex {annex.number}, no. {row.serial}" if annex.number > 0 else f"roster row {row.serial}"
                      if annex.roster else f"item {row.serial}")
                graph.add((d, SKOS.prefLabel, Literal(
                    f"{where}: {'proposed ' if n.proposal else ''}{what} ({doc}, {at})", lang="en")))


def _provenance(graph: Graph, notices: Sequence[Notice], base: str) -> None:
    activity = iris.build_iri(base)
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add((activity, SKOS.prefLabel, Literal("cnipa-kg 构建", lang="zh")))
    graph.add((activity, SKOS.prefLabel, Literal("cnipa-kg build", lang="en")))
    graph.add((activity, RDFS.comment, Literal(f"cnipa-kg {__version__}; division codes: {divisions.code_table().source}, as of {divisions.code_table().as_of}")))
    for n in notices:
        notice = iris.document_iri(base, n)
        source = iris.notice_source_iri(notice)
        graph.add((source, RDF.type, PROV.Entity))
        roster = n.evidence == "roster"
        graph.add((source, SKOS.prefLabel, Literal(f"{n.key} {'名册' if roster else '原文'}（{n.source.name}）", lang="zh")))
        graph.add((source, SKOS.prefLabel, Literal(f"{'Roster rows' if roster else 'Source text'} of {n.key} ({n.source.name})", lang="en")))
        if n.sidecar is not None:
            graph.add((source, CKG.copyOf, URIRef(n.sidecar.url)))
            if n.sidecar.description:
                graph.add((source, RDFS.comment, Literal(n.sidecar.description, lang="en")))
            for key, fact in sorted(n.sidecar.facts.items()):
                graph.add((source, RDFS.comment, Literal(f"{key} {fact.value} stated in {n.sidecar.name}: {fact.evidence}", lang="en")))
        graph.add((source, DCTERMS.title, Literal(n.source.name)))
        graph.add((source, CKG.sha256, Literal(n.source.sha256)))
        graph.add((activity, PROV.used, source))
        graph.add((notice, PROV.wasDerivedFrom, source))
        for annex in n.annexes:
            for row in annex.rows:
                d = iris.designation_iri(notice, annex.number, row.serial)
                src = iris.source_row_iri(notice, annex.number, row.serial)
                graph.add((src, RDF.type, PROV.Entity))
                graph.add((src, SKOS.prefLabel, Literal(f"{n.source.name} 第{'、'.join(map(str, row.lines))}行", lang="zh")))
                graph.add((src, SKOS.prefLabel, Literal(f"{n.source.name} line {', '.join(map(str, row.lines))}", lang="en")))
                graph.add((src, PROV.wasDerivedFrom, source))
                graph.add((src, CKG.rowText, Literal(row.text, lang="zh")))
                if row.evidence_url:  # a roster's row: the official page its facts were read on
                    graph.add((src, DCTERMS.source, URIRef(row.evidence_url)))
                    graph.add((src, RDFS.comment, Literal(row.evidence, lang="en")))
                for line in row.lines:
                    graph.add((src, CKG.sourceLine, Literal(line, datatype=XSD.integer)))
                    if n.source.pages and 0 < line <= len(n.source.pages):
                        graph.add((src, CKG.sourcePage, Literal(n.source.pages[line - 1], datatype=XSD.integer)))
                graph.add((d, PROV.wasDerivedFrom, src))
