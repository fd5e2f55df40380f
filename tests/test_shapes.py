"""The shapes and QC queries on the real release: it conforms, and each rule catches a one-fact change.

Each mutation test copies the release graph of 国知发运字〔2022〕33号, changes one fact (drops it,
duplicates it, contradicts it or breaks its literal), validates the copy and asserts that the rule
that guards the fact is reported, on the node that was changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SH, SKOS

from cnipa_kg.core.resources import ontology_path, qc_queries, shapes_path
from cnipa_kg.check.validate import validate
from cnipa_kg.core.vocab import CKG, ELI, GEO, ORG, WD

BASE = "https://w3id.org/cnipa-kg/"
NOTICE = URIRef(f"{BASE}eli/notice/gzfyz/2022/33")
ANNEX1 = URIRef(f"{NOTICE}/annex/1")  # 38 demonstration cities
ANNEX2 = URIRef(f"{NOTICE}/annex/2")  # 72 pilot cities
HAIDIAN = URIRef(f"{BASE}division/110108")  # designee of 附件1 第1号
NANJING = URIRef(f"{BASE}division/320100")  # a prefecture-level division
HAIDIAN_POINT = URIRef(f"{HAIDIAN}#point")
CNIPA = URIRef(f"{BASE}org/cnipa")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")  # not rdflib's XSD: pytest's doctest collector warns on it


def row(annex: URIRef, serial: int) -> URIRef:
    return URIRef(f"{annex}/{serial}")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(shapes_path(), format="turtle")


# --------------------------------------------------------------------------------------------
# the real release conforms
# --------------------------------------------------------------------------------------------

def test_real_release_conforms(graph):
    report = validate(graph)
    assert report.conforms, report.text
    assert report.results == (), report.text


def test_mutation_targets_are_in_the_release(graph):
    """The nodes the mutations change exist, so that a mutation cannot pass vacuously."""
    assert (NOTICE, RDF.type, CKG.Notice) in graph
    assert graph.value(ANNEX1, CKG.declaredCount) == Literal(38)
    assert graph.value(ANNEX2, CKG.declaredCount) == Literal(72)
    assert graph.value(row(ANNEX1, 1), CKG.designee) == HAIDIAN
    assert graph.value(row(ANNEX1, 1), CKG.programme) == CKG.strongCityProgramme
    assert graph.value(row(ANNEX1, 1), CKG.tier) == CKG.demonstration
    assert graph.value(ANNEX2, CKG.tier) == CKG.pilot
    assert graph.value(NANJING, CKG.divisionLevel) == CKG.prefectureLevel
    assert (CNIPA, RDF.type, ORG.Organization) in graph


# --------------------------------------------------------------------------------------------
# the shapes file itself
# --------------------------------------------------------------------------------------------

def _property_shapes(shapes: Graph):
    return sorted({p for ns in shapes.subjects(RDF.type, SH.NodeShape) for p in shapes.objects(ns, SH.property)})


def test_one_node_shape_per_class(shapes):
    targets = set(shapes.objects(None, SH.targetClass))
    assert targets == {CKG.Notice, CKG.Annex, CKG.Designation, CKG.AdministrativeDivision, ORG.Organization, CKG.PolicyDocument,
                       CKG.PublicNotice, CKG.ProposedDesignation, CKG.Park, CKG.Batch, CKG.DivisionChange}


def test_every_constraint_has_a_message_in_zh_and_en(shapes):
    props = _property_shapes(shapes)
    assert props
    for p in props:
        assert isinstance(p, URIRef) and str(p).startswith("https://w3id.org/cnipa-kg/shapes#"), p
        langs = sorted(m.language for m in shapes.objects(p, SH.message))
        assert langs == ["en", "zh"], f"{p}: sh:message languages {langs}"


@pytest.mark.parametrize(("shape", "scheme"), [
    ("designation-level", CKG.DesignationLevels),
    ("annex-level", CKG.DesignationLevels),
    ("designation-programme", CKG.Programmes),
    ("annex-programme", CKG.Programmes),
    ("proposed-programme", CKG.Programmes),
    ("designation-tier", CKG.Tiers),
    ("annex-tier", CKG.Tiers),
    ("proposed-tier", CKG.Tiers),
    ("division-level", CKG.DivisionLevels),
    ("policy-type", CKG.DocumentTypes),
])
def test_sh_in_lists_are_the_concepts_of_their_scheme(shapes, shape, scheme):
    from rdflib.collection import Collection

    ontology = Graph().parse(ontology_path(), format="turtle")
    concepts = set(ontology.subjects(SKOS.inScheme, scheme))
    node = URIRef(f"https://w3id.org/cnipa-kg/shapes#{shape}")
    listed = set(Collection(shapes, shapes.value(node, SH["in"])))
    assert concepts and listed == concepts


@pytest.mark.parametrize("name", sorted(qc_queries()))
def test_qc_query_header(name):
    text = qc_queries()[name].read_text(encoding="utf-8")
    assert re.search(r"^# title: \S", text, re.MULTILINE), name
    assert re.search(r"^# description: \S", text, re.MULTILINE), name
    assert re.search(r"SELECT\s+\?focus\b", text), name
    assert "PREFIX ckg:" in text, name


# --------------------------------------------------------------------------------------------
# mutations: one fact changed, the rule that guards it reported on the changed node
# --------------------------------------------------------------------------------------------

def _set(g: Graph, s, p, o) -> None:
    assert (s, p, None) in g, f"nothing to change: {s} {p}"
    g.set((s, p, o))


def _drop(g: Graph, s, p) -> None:
    assert (s, p, None) in g, f"nothing to drop: {s} {p}"
    g.remove((s, p, None))


def _drop_node(g: Graph, s) -> None:
    assert (s, None, None) in g
    g.remove((s, None, None))
    g.remove((None, None, s))


MUTATIONS: list[tuple[str, Callable[[Graph], None], str, URIRef]] = [
    # designation
    ("drop-designee", lambda g: _drop(g, row(ANNEX1, 1), CKG.designee), "designation-designee", row(ANNEX1, 1)),
    ("second-level", lambda g: g.add((row(ANNEX1, 2), CKG.designationLevel, CKG.pilot)), "designation-level", row(ANNEX1, 2)),
    ("literal-level", lambda g: _set(g, row(ANNEX1, 3), CKG.designationLevel, Literal("demonstration")), "designation-level", row(ANNEX1, 3)),
    ("drop-serial", lambda g: _drop(g, row(ANNEX2, 4), CKG.serialNumber), "designation-serial-violation", row(ANNEX2, 4)),
    ("annex-not-an-annex", lambda g: _set(g, row(ANNEX2, 5), CKG.inAnnex, NOTICE), "designation-annex", row(ANNEX2, 5)),
    ("drop-programme", lambda g: _drop(g, row(ANNEX1, 7), CKG.programme), "designation-programme", row(ANNEX1, 7)),
    ("tier-not-a-tier", lambda g: _set(g, row(ANNEX2, 6), CKG.tier, CKG.strongCityProgramme), "designation-tier", row(ANNEX2, 6)),
    ("drop-level", lambda g: _drop(g, row(ANNEX2, 7), CKG.designationLevel), "designation-level-tier-violation", row(ANNEX2, 7)),
    ("drop-end", lambda g: _drop(g, row(ANNEX2, 8), CKG.periodEnd), "period-pair-violation", row(ANNEX2, 8)),
    ("previous-of-another-division", lambda g: g.add((row(ANNEX2, 9), CKG.previousDesignation, row(ANNEX2, 11))),
     "designation-previous-violation", row(ANNEX2, 9)),
    ("confirms-a-designation", lambda g: g.add((row(ANNEX2, 12), CKG.confirms, row(ANNEX2, 13))),
     "designation-confirms-violation", row(ANNEX2, 12)),
    ("ill-formed-start", lambda g: _set(g, row(ANNEX1, 4), CKG.periodStart, Literal("2022-13-45", datatype=XSD_DATE)),
     "designation-period-start", row(ANNEX1, 4)),
    ("start-after-end", lambda g: _set(g, row(ANNEX1, 5), CKG.periodStart, Literal("2025-07-01", datatype=XSD_DATE)),
     "period-order-violation", row(ANNEX1, 5)),
    # annex lists
    ("duplicate-serial", lambda g: _set(g, row(ANNEX1, 2), CKG.serialNumber, Literal(1)), "annex-serials-violation", ANNEX1),
    ("gap-in-serials", lambda g: _drop_node(g, row(ANNEX2, 10)), "annex-serials-violation", ANNEX2),
    ("declared-count", lambda g: _set(g, ANNEX1, CKG.declaredCount, Literal(37)), "annex-count-violation", ANNEX1),
    ("annex-level-literal", lambda g: _set(g, ANNEX2, CKG.designationLevel, Literal("pilot")), "annex-level", ANNEX2),
    ("designated-twice", lambda g: _set(g, row(ANNEX2, 1), CKG.designee, HAIDIAN), "division-designated-twice-violation", HAIDIAN),
    ("tier-mismatch", lambda g: _set(g, row(ANNEX1, 6), CKG.tier, CKG.pilot), "designation-annex-level-violation", row(ANNEX1, 6)),
    ("level-mismatch", lambda g: _set(g, row(ANNEX1, 8), CKG.designationLevel, CKG.pilot), "designation-level-tier-violation", row(ANNEX1, 8)),
    ("programme-mismatch", lambda g: _set(g, ANNEX1, CKG.programme, CKG.strongCountyProgramme),
     "designation-annex-programme-violation", row(ANNEX1, 9)),
    ("annex-drop-tier", lambda g: _drop(g, ANNEX1, CKG.tier), "annex-tier", ANNEX1),
    # divisions
    ("adcode-five-digits", lambda g: _set(g, HAIDIAN, CKG.adcode, Literal("11018")), "division-adcode", HAIDIAN),
    ("adcode-other-province", lambda g: _set(g, HAIDIAN, CKG.adcode, Literal("130108")), "division-code-province-violation", HAIDIAN),
    ("adcode-not-at-level", lambda g: _set(g, NANJING, CKG.divisionLevel, CKG.districtLevel), "division-code-level-violation", NANJING),
    ("adcode-duplicate", lambda g: _set(g, HAIDIAN, CKG.adcode, Literal("110105")), "division-adcode-unique-violation", HAIDIAN),
    ("second-zh-label", lambda g: g.add((HAIDIAN, SKOS.prefLabel, Literal("北京市海淀区", lang="zh"))), "division-label", HAIDIAN),
    ("drop-province", lambda g: _drop(g, NANJING, CKG.province), "division-province-violation", NANJING),
    ("second-wikidata-link", lambda g: g.add((HAIDIAN, OWL.sameAs, WD.Q1)), "division-wikidata", HAIDIAN),
    ("wikidata-page-not-entity", lambda g: _set(g, HAIDIAN, OWL.sameAs, URIRef("https://www.wikidata.org/wiki/Q393454")),
     "division-wikidata", HAIDIAN),
    ("second-geometry", lambda g: g.add((HAIDIAN, GEO.hasGeometry, URIRef(f"{NANJING}#point"))), "division-geometry", HAIDIAN),
    ("point-lat-lon-swapped", lambda g: _set(g, HAIDIAN_POINT, GEO.asWKT, Literal("POINT(39.95812 116.29214)", datatype=GEO.wktLiteral)),
     "geometry-wkt", HAIDIAN_POINT),
    ("wkt-plain-string", lambda g: _set(g, HAIDIAN_POINT, GEO.asWKT, Literal("POINT(116.29214 39.95812)")), "geometry-wkt",
     HAIDIAN_POINT),
    ("drop-wkt", lambda g: _drop(g, HAIDIAN_POINT, GEO.asWKT), "geometry-wkt", HAIDIAN_POINT),
    # notice and organisations
    ("drop-id-local", lambda g: _drop(g, NOTICE, ELI.id_local), "notice-id-local", NOTICE),
    ("drop-date-document", lambda g: _drop(g, NOTICE, ELI.date_document), "notice-date", NOTICE),
    ("drop-passed-by", lambda g: _drop(g, NOTICE, ELI.passed_by), "notice-issuer", NOTICE),
    ("has-part-not-an-annex", lambda g: g.add((NOTICE, ELI.has_part, row(ANNEX1, 1))), "notice-annex", NOTICE),
    ("drop-designated-by", lambda g: [_drop(g, d, CKG.designatedBy) for d in list(g.subjects(CKG.designatedBy, NOTICE))],
     "notice-designations-violation", NOTICE),
    ("org-without-zh-label", lambda g: g.remove((CNIPA, SKOS.prefLabel, Literal("国家知识产权局", lang="zh"))), "label-zh-violation", CNIPA),
]


@pytest.mark.parametrize(("change", "rule", "focus"), [m[1:] for m in MUTATIONS], ids=[m[0] for m in MUTATIONS])
def test_mutation_is_caught(graph, change, rule, focus):
    g2 = Graph()
    g2 += graph
    before = len(g2)
    change(g2)
    assert len(g2) != before or set(g2) != set(graph)
    report = validate(g2)
    assert not report.conforms
    hits = [r for r in report.results if r.rule == rule]
    assert hits, f"expected rule {rule}; got {sorted({r.rule for r in report.results})}\n{report.text}"
    assert str(focus) in {r.focus for r in hits}, report.text


def test_run_shapes_in_two_processes_reports_both_halves(graph):
    """Large graphs are checked by two forked pySHACL runs; results from both must reach the report."""
    from rdflib import Graph as _Graph, Literal as _Literal, URIRef as _URIRef
    from rdflib.namespace import SH as _SH

    from cnipa_kg.check.shapes import run_shapes, shapes_graph
    from cnipa_kg.core.vocab import CKG as _CKG

    g = _Graph()
    g += graph
    designation = _URIRef("https://w3id.org/cnipa-kg/eli/notice/gzfyz/2022/33/annex/1/1")
    division = _URIRef("https://w3id.org/cnipa-kg/division/110105")
    g.remove((designation, _CKG.designee, None))
    g.add((division, _CKG.adcode, _Literal("123")))
    report = run_shapes(g, shapes_graph(), parallel_above=0)
    shapes = {str(report.value(r, _SH.sourceShape)).rsplit("#", 1)[-1] for r in report.objects(None, _SH.result)}
    assert {"designation-designee", "division-adcode"} <= shapes
    assert report.value(next(report.subjects(None, _SH.ValidationReport)), _SH.conforms) == _Literal(False)
