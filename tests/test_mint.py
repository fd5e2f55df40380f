"""Minting: the IRIs of DESIGN.md pinned on the real notice, division codes resolved within provinces."""

from __future__ import annotations

import pytest
from conftest import GOLDEN, NOTICE, PLAIN, invoke, read_tsv
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from cnipa_kg.reference import divisions, provinces
from cnipa_kg.pipeline import build_graph
from cnipa_kg.core.errors import InputError
from cnipa_kg.extract import extract
from cnipa_kg.graph.mint import mint

BASE = "https://w3id.org/cnipa-kg/"
DEF = "https://w3id.org/cnipa-kg/def#"
CKG_DESIGNATION = URIRef(DEF + "Designation")
NOTICE_IRI = URIRef(BASE + "eli/notice/gzfyz/2022/33")
ELI = "http://data.europa.eu/eli/ontology#"
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")  # not rdflib's XSD: pytest's collection trips its warning


def ckg(term: str) -> URIRef:
    return URIRef(DEF + term)


def eli(term: str) -> URIRef:
    return URIRef(ELI + term)


@pytest.fixture(scope="module")
def minted(records):
    return mint([records])


# -- pinned IRIs ----------------------------------------------------------------------------------


def test_mint_notice_iri(minted):
    assert (NOTICE_IRI, RDF.type, ckg("Notice")) in minted
    assert minted.value(NOTICE_IRI, eli("id_local")) == Literal("国知发运字〔2022〕33号")


def test_mint_annex_iris(minted):
    annex1 = URIRef(f"{NOTICE_IRI}/annex/1")
    annex2 = URIRef(f"{NOTICE_IRI}/annex/2")
    assert annex1 == URIRef("https://w3id.org/cnipa-kg/eli/notice/gzfyz/2022/33/annex/1")
    assert set(minted.objects(NOTICE_IRI, eli("has_part"))) == {annex1, annex2}
    assert minted.value(annex1, ckg("annexNumber")) == Literal(1)
    assert minted.value(annex1, ckg("declaredCount")) == Literal(38)
    assert minted.value(annex2, ckg("declaredCount")) == Literal(72)
    assert minted.value(annex1, ckg("designationLevel")) == ckg("demonstration")
    assert minted.value(annex2, ckg("designationLevel")) == ckg("pilot")


def test_mint_designation_iri_of_last_pilot(minted):
    d = URIRef("https://w3id.org/cnipa-kg/eli/notice/gzfyz/2022/33/annex/2/72")
    assert (d, RDF.type, CKG_DESIGNATION) in minted
    assert minted.value(d, ckg("serialNumber")) == Literal(72)
    assert minted.value(d, ckg("inAnnex")) == URIRef(f"{NOTICE_IRI}/annex/2")
    assert minted.value(d, ckg("designatedBy")) == NOTICE_IRI
    assert minted.value(d, ckg("designationLevel")) == ckg("pilot")
    assert minted.value(d, ckg("designee")) == URIRef(BASE + "division/650200")  # 克拉玛依市


def test_mint_division_iri_of_haidian(minted):
    d = URIRef(f"{NOTICE_IRI}/annex/1/1")
    haidian = URIRef("https://w3id.org/cnipa-kg/division/110108")
    assert minted.value(d, ckg("designee")) == haidian
    assert minted.value(haidian, ckg("adcode")) == Literal("110108")
    assert Literal("海淀区", lang="zh") in set(minted.objects(haidian, SKOS.prefLabel))


def test_mint_issuer_org_iri(minted):
    cnipa = URIRef("https://w3id.org/cnipa-kg/org/cnipa")
    assert minted.value(NOTICE_IRI, eli("passed_by")) == cnipa
    assert Literal("国家知识产权局", lang="zh") in set(minted.objects(cnipa, SKOS.prefLabel))


def test_mint_printing_office_and_filing_department(minted):
    office = URIRef(BASE + "org/cnipa-general-office")
    dept = URIRef(BASE + "org/cnipa-ip-utilization-dept")
    assert minted.value(NOTICE_IRI, ckg("printedBy")) == office
    assert minted.value(NOTICE_IRI, ckg("printDate")) == Literal("2022-08-04", datatype=XSD_DATE)
    assert dept in set(minted.objects(NOTICE_IRI, ckg("workPlanFiledWith")))
    assert (office, URIRef("http://www.w3.org/ns/org#subOrganizationOf"), URIRef(BASE + "org/cnipa")) in minted
    assert (dept, URIRef("http://www.w3.org/ns/org#subOrganizationOf"), URIRef(BASE + "org/cnipa")) in minted


def test_mint_cited_notice_1197_iri(minted):
    cited = URIRef("https://w3id.org/cnipa-kg/eli/notice/gzbhyz/2021/1197")
    assert cited in set(minted.objects(NOTICE_IRI, eli("cites")))
    assert minted.value(cited, eli("id_local")) == Literal("国知办函运字〔2021〕1197号")
    assert Literal("国家知识产权局办公室关于面向城市、县域、园区开展知识产权强国建设试点示范工作的通知", lang="zh") in set(minted.objects(cited, eli("title")))


def test_mint_cited_policy_iri_of_outline(minted):
    outline = URIRef("https://w3id.org/cnipa-kg/policy/ip-power-outline-2021-2035")
    assert outline in set(minted.objects(NOTICE_IRI, eli("cites")))
    issuers = set(minted.objects(outline, eli("passed_by")))
    labels = {str(o) for i in issuers for o in minted.objects(i, SKOS.prefLabel) if getattr(o, "language", None) == "zh"}
    assert labels == {"中共中央", "国务院"}
    assert len(issuers) == 2


def test_mint_three_cited_documents(minted):
    assert len(set(minted.objects(NOTICE_IRI, eli("cites")))) == 3


def test_mint_notice_dates_and_period(minted):
    assert minted.value(NOTICE_IRI, eli("date_document")) == Literal("2022-08-04", datatype=XSD_DATE)
    assert minted.value(NOTICE_IRI, ckg("periodStart")) == Literal("2022-07-01", datatype=XSD_DATE)
    assert minted.value(NOTICE_IRI, ckg("periodEnd")) == Literal("2025-06-30", datatype=XSD_DATE)


# -- designations -----------------------------------------------------------------------------


def test_mint_110_designations(minted):
    designations = set(minted.subjects(RDF.type, CKG_DESIGNATION))
    assert len(designations) == 110
    expected = {URIRef(f"{NOTICE_IRI}/annex/{a}/{s}") for a, n in ((1, 38), (2, 72)) for s in range(1, n + 1)}
    assert designations == expected


def test_mint_designations_38_demonstration_72_pilot(minted):
    levels = [minted.value(d, ckg("designationLevel")) for d in minted.subjects(RDF.type, CKG_DESIGNATION)]
    assert levels.count(ckg("demonstration")) == 38
    assert levels.count(ckg("pilot")) == 72


def test_mint_designees_match_golden_division_codes(minted):
    golden = read_tsv(GOLDEN / "divisions-2022-33.tsv")
    assert len(golden) == 110
    for row in golden:
        d = URIRef(f"{NOTICE_IRI}/annex/{row['annex']}/{row['serial']}")
        assert minted.value(d, ckg("designee")) == URIRef(BASE + "division/" + row["adcode"]), row


def test_mint_chaoyang_in_beijing_is_110105_not_changchun(minted):
    d = URIRef(f"{NOTICE_IRI}/annex/1/2")  # 2 朝阳区, under 北京
    assert minted.value(d, ckg("designee")) == URIRef(BASE + "division/110105")
    assert (URIRef(BASE + "division/220104"), None, None) not in minted


def test_resolve_chaoyang_within_province():
    assert [d.code for d in divisions.named_in(provinces.lookup("北京"), "朝阳区")] == ["110105"]
    assert [d.code for d in divisions.named_in(provinces.lookup("吉林"), "朝阳区")] == ["220104"]


def test_resolve_jilin_city_to_prefecture_not_province():
    found = divisions.named_in(provinces.lookup("吉林"), "吉林市")
    assert [(d.code, d.level) for d in found] == [("220200", "prefecture")]


# -- --base ------------------------------------------------------------------------------------


def test_build_graph_rebases_minted_iris_when_base_given():
    base = "https://example.org/kg/"
    g = build_graph([NOTICE], base=base)
    notice = URIRef(base + "eli/notice/gzfyz/2022/33")
    assert (notice, RDF.type, ckg("Notice")) in g
    assert (URIRef(base + "eli/notice/gzfyz/2022/33/annex/2/72"), RDF.type, ckg("Designation")) in g
    assert g.value(URIRef(base + "eli/notice/gzfyz/2022/33/annex/1/1"), ckg("designee")) == URIRef(base + "division/110108")
    assert g.value(notice, eli("passed_by")) == URIRef(base + "org/cnipa")
    assert URIRef(base + "policy/ip-power-outline-2021-2035") in set(g.objects(notice, eli("cites")))
    # nothing minted is left under the default base; the ontology namespace is not re-based
    stray = {str(t) for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(BASE)
             and not str(t).startswith(DEF) and str(t) != DEF.rstrip("#")}
    assert stray == set()
    assert (ckg("Designation"), RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in g
    assert g.value(URIRef(base + "eli/notice/gzfyz/2022/33/annex/1/1"), ckg("designationLevel")) == ckg("demonstration")


def test_build_rebases_release_when_base_option(runner, tmp_path):
    out = tmp_path / "out"
    result = invoke(runner, "build", NOTICE, "--out", out, "--base", "https://example.org/kg/")
    assert result.exit_code == 0, result.output
    nt = (out / "cnipa-kg.nt").read_text(encoding="utf-8")
    assert "<https://example.org/kg/eli/notice/gzfyz/2022/33/annex/2/72>" in nt
    assert "<https://w3id.org/cnipa-kg/def#Designation>" in nt
    assert "<https://w3id.org/cnipa-kg/eli/" not in nt
    assert "<https://w3id.org/cnipa-kg/division/" not in nt


@pytest.mark.parametrize("base", ["not-an-iri", "https://example.org/kg", "ftp://example.org/kg/"])
def test_build_refuses_bad_base(runner, tmp_path, base):
    out = tmp_path / "out"
    result = invoke(runner, "build", NOTICE, "--out", out, "--base", base)
    assert result.exit_code == 2
    assert "--base" in result.stderr
    assert not out.exists()


# -- two sources, one 文号 ----------------------------------------------------------------------


def test_mint_refuses_two_sources_with_same_docno(records):
    plain = extract(PLAIN)
    with pytest.raises(InputError, match="国知发运字〔2022〕33号") as info:
        mint([records, plain])
    assert info.value.path == str(PLAIN)


def test_build_refuses_two_sources_with_same_docno(runner, tmp_path):
    out = tmp_path / "out"
    result = invoke(runner, "build", NOTICE, PLAIN, "--out", out)
    assert result.exit_code == 2
    assert str(PLAIN) in result.stderr
    assert "国知发运字〔2022〕33号" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_mint_is_same_graph_for_both_layouts(records):
    from rdflib.compare import isomorphic

    assert isomorphic(mint([records]), mint([extract(PLAIN)]))
