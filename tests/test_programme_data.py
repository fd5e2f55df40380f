"""The programme's real data (issue 22): the issuer's documents in data/notices/ (with their sidecars), the
2012-2016 demonstration-city roster, the division history and the batches, built together as `make run`
builds them.

Every expected value below was read by hand from the sources: the texts of data/notices/*.txt, the roster
data/reference/demonstration-cities-2012-2016.csv, the history data/reference/division-history.csv and the
batch table data/reference/programme-batches.csv (line numbers are those files').
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, invoke
from rdflib.compare import isomorphic
from synthetic.real_copies import full_width, make_html, make_pdf

from cnipa_kg.core.errors import InputError
from cnipa_kg.core.resources import shipped_notices
from cnipa_kg.extract import extract
from cnipa_kg.extract.roster import read_roster
from cnipa_kg.graph.mint import mint
from cnipa_kg.pipeline import build

NOTICES = ROOT / "data" / "notices"
REAL = sorted(p for p in NOTICES.glob("*.txt") if p.name != "notice-2022-33.txt")
ROSTER = ROOT / "data" / "reference" / "demonstration-cities-2012-2016.csv"
G2013 = NOTICES / "gongshi-2013-07-24-demonstration-cities-batch2.txt"
G2023 = NOTICES / "gongshi-2023-02-17-protection-zones-batch1.txt"
G2024 = NOTICES / "gongshi-2024-01-03-protection-zones-batch2-traditional.txt"
N2023 = NOTICES / "notice-2023-04-24-protection-zones-batch1.txt"
N2024 = NOTICES / "notice-2024-gzfbz-4-protection-zones-batch2.txt"
BASE = "https://w3id.org/cnipa-kg/"


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """The release of every shipped source (what `make run` builds) and its store."""
    out = tmp_path_factory.mktemp("programme") / "dist"
    result = build(out=out)
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=out / "cnipa-kg.nt", format=ox.RdfFormat.N_TRIPLES)
    return result, store, out


def select(store, query: str) -> list[dict[str, str]]:
    from cnipa_kg.core.sparql import run

    result = run(store, query)
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]


def ask(store, query: str) -> bool:
    from cnipa_kg.core.sparql import run

    return bool(run(store, query))


def designee_codes(store, document: str) -> list[str]:
    rows = select(store, f"""SELECT ?d ?code WHERE {{ ?d ckg:designatedBy|ckg:proposedBy <{document}> ;
                             ckg:designee/ckg:adcode ?code }}""")
    return sorted(r["code"] for r in rows)


# -- every shipped source is built ---------------------------------------------------------------------


def test_make_run_builds_every_shipped_source(full):
    result, _, _ = full
    names = {Path(p).name for p in shipped_notices()}
    assert names == {p.name for p in NOTICES.glob("*.txt")} | {ROSTER.name}
    assert len(result.notices) == 6 + 5  # six texts, five cohorts of the roster


def test_the_two_city_programmes_and_the_protection_zones(full):
    _, store, _ = full
    counts = {(r["p"].rsplit("#", 1)[1], r["t"].rsplit("#", 1)[1], r["kind"]): int(r["n"]) for r in select(store, """
        SELECT ?p ?t ?kind (COUNT(?d) AS ?n) WHERE {
          { ?d ckg:designatedBy [] BIND("designation" AS ?kind) } UNION { ?d ckg:proposedBy [] BIND("proposal" AS ?kind) }
          ?d ckg:programme ?p ; ckg:tier ?t } GROUP BY ?p ?t ?kind""")}
    assert counts == {
        ("strongCityProgramme", "demonstration", "designation"): 38,
        ("strongCityProgramme", "pilot", "designation"): 72,
        ("ipDemonstrationCityProgramme", "demonstration", "designation"): 64,  # the roster's 23+18+8+4+11
        ("protectionZoneProgramme", "building", "designation"): 10 + 15,
        ("ipDemonstrationCityProgramme", "demonstration", "proposal"): 18,
        ("protectionZoneProgramme", "building", "proposal"): 10 + 15,
    }


def test_each_proposal_is_confirmed_by_its_designation(full):
    _, store, _ = full
    rows = select(store, """SELECT ?pn (COUNT(?p) AS ?n) (COUNT(?c) AS ?confirmed) WHERE { ?p ckg:proposedBy ?pn .
                            OPTIONAL { ?c ckg:confirms ?p } } GROUP BY ?pn""")
    by_date = {r["pn"].split("/proposal/")[1][:10]: (int(r["n"]), int(r["confirmed"])) for r in rows}
    assert by_date == {"2013-07-24": (18, 18), "2023-02-17": (10, 10), "2024-01-03": (15, 15)}
    # and by the same place: a designation confirms a proposal of its own designee
    assert not ask(store, """ASK { ?d ckg:confirms ?p ; ckg:designee ?x . ?p ckg:designee ?y FILTER(?x != ?y) }""")


# -- the texts, read right --------------------------------------------------------------------------


def test_the_2013_public_notice_is_dated_by_its_page_and_signed_by_its_sidecar():
    n = extract(G2013)
    assert (n.kind, n.number, n.title) == ("public-notice", None, "关于第二批国家知识产权示范城市的公示")
    assert (n.date, n.dated_by) == (date(2013, 7, 24), "page")  # 发布日期:2013-07-24 (line 3): no signature line
    assert n.issuer == "国家知识产权局" and n.sidecar.get("issuer") == "国家知识产权局"
    assert (n.public_notice_start, n.public_notice_end) == (date(2013, 7, 24), date(2013, 8, 6))  # line 9
    (annex,) = n.annexes
    assert (annex.programme, annex.tier, annex.declared_count, len(annex.rows)) == ("ip-demonstration-city", "demonstration", 18, 18)
    categories = {r.serial: r.category for r in annex.rows}
    assert categories[1] == categories[3] == "副省级城市" and categories[4] == categories[16] == "地级市"
    assert categories[17] == categories[18] == "县级市"
    assert [r.name for r in annex.rows][13] == "新疆自治区昌吉州"


def test_the_2023_public_notice_lists_one_place_a_line():
    n = extract(G2023)
    assert (n.kind, n.date, n.dated_by, n.issuer) == ("public-notice", date(2023, 2, 17), "signature", "国家知识产权局")
    assert (n.public_notice_start, n.public_notice_end) == (date(2023, 2, 17), date(2023, 2, 23))
    (annex,) = n.annexes
    assert (annex.programme, annex.tier, annex.declared_count) == ("protection-zone", "building", None)
    assert [r.name for r in annex.rows] == ["天津市滨海新区", "上海市浦东新区", "江苏省南京市", "江苏省苏州市", "浙江省杭州市",
                                           "浙江省宁波市", "安徽省合肥市", "广东省广州市", "广东省深圳市", "四川省成都市"]
    assert n.title == "关于第一批国家知识产权保护示范区建设城市（地区）遴选结果的公示"  # ASCII brackets read as the issuer prints


def test_the_traditional_2024_public_notice_without_a_title():
    n = extract(G2024)
    assert (n.kind, n.title, n.number, n.date) == ("public-notice", None, None, date(2024, 1, 3))
    assert (n.public_notice_start, n.public_notice_end) == (date(2024, 1, 4), date(2024, 1, 10))
    (annex,) = n.annexes
    assert annex.level_label == "第二批国家知识产权保护示范区建设城市（地区）"
    assert len(annex.rows) == 15 and annex.rows[0].name == "北京市海淀区" and annex.rows[14].name == "陜西省西安市"


def test_the_2023_notice_without_its_title_and_number():
    n = extract(N2023)
    assert (n.kind, n.title, n.number, n.date, n.issuer) == ("notice", None, None, date(2023, 4, 24), "国家知识产权局")
    assert n.addressees == ("各省、自治区、直辖市人民政府",)
    assert len(n.annexes[0].rows) == 10


def test_documents_without_a_number_or_title_say_so_and_are_minted_from_what_is_known(full):
    _, store, _ = full
    notice = f"{BASE}notice/2023-04-24/di-yi-pi-guo-jia-zhi-shi-chan-quan-bao-hu-shi-fan-qu-jian"
    assert ask(store, f"ASK {{ <{notice}> ckg:numberNotKnown true ; ckg:titleNotKnown true ; "
                      f"eli:date_document '2023-04-24'^^xsd:date }}")
    assert designee_codes(store, notice) == sorted(["120116", "310115", "320100", "320500", "330100", "330200", "340100",
                                                    "440100", "440300", "510100"])
    traditional = f"{BASE}proposal/2024-01-03/di-er-pi-guo-jia-zhi-shi-chan-quan-bao-hu-shi-fan-qu-jian"
    assert "610100" in designee_codes(store, traditional)  # 陜西省西安市: a variant OpenCC leaves is still 西安
    assert "110108" in designee_codes(store, f"{BASE}eli/notice/gzfbz/2024/4")


def test_the_copy_a_sidecar_names_is_cited(full):
    _, store, _ = full
    rows = select(store, """SELECT ?url WHERE { ?doc eli:date_document "2023-04-24"^^xsd:date ; prov:wasDerivedFrom/ckg:copyOf ?url }""")
    assert [r["url"] for r in rows] == ["http://pg.ca6.com.cn/news.aspx?id=4665"]


# -- the roster ---------------------------------------------------------------------------------------


def test_the_roster_gives_five_notices_known_by_citation():
    cohorts = read_roster(ROSTER)
    assert [(n.cohort, n.signed, n.number.text if n.number else None, len(n.annexes[0].rows)) for n in cohorts] == [
        ("2012-04", "2012-04", None, 23), ("2013-09", "2013-09-17", None, 18), ("2015-03", "2015-02-28", None, 8),
        ("2015-04", "2015-04-13", "国知发管函字〔2015〕43号", 4), ("2016-05", "2016-05-05", "国知发管函字〔2016〕53号", 11)]
    first = cohorts[0]
    assert (first.period_start, first.period_end) == (date(2012, 4, 1), date(2014, 12, 31))  # 2012-04 .. 2014
    assert (cohorts[1].period_start, cohorts[1].period_end) == (date(2013, 9, 1), date(2016, 8, 31))
    assert all(n.evidence == "roster" and n.title is None for n in cohorts)


@pytest.mark.parametrize(("printed", "code"), [
    ("山东即墨", "370282"),  # 即墨市 in 2016; 即墨区 370215 only from 2017
    ("江苏海门", "320684"),  # 海门市 in 2016; 海门区 320614 from 2020
    ("泰州", "321200"),  # Jiangsu's, not Zhejiang's 台州
    ("昌吉回族自治州", "652300"),
    ("北京市朝阳区", "110105"),
    ("北京市海淀区", "110108"),
    ("常熟", "320581"), ("昆山", "320583"),  # county-level cities in 苏州
    ("武汉", "420100"), ("长沙", "430100"),  # in a list of cities a short form is the city, not 长沙县 430121
])
def test_roster_names_resolve_to_the_division_as_it_was(full, printed, code):
    _, store, _ = full
    rows = select(store, f"""SELECT ?code WHERE {{ ?d ckg:evidenceGrade ckg:evidenceRoster ; ckg:designee/ckg:adcode ?code ;
                              prov:wasDerivedFrom/ckg:rowText ?text FILTER(CONTAINS(?text, ",{printed},")) }}""")
    assert [r["code"] for r in rows] == [code]


def test_nested_awards_stay_apart(full):
    """常熟 and 昆山 (2013) are designated themselves; 苏州 (2012) is its own designation; neither moves the other."""
    _, store, _ = full
    rows = select(store, """SELECT ?code ?signed WHERE { ?d ckg:programme ckg:ipDemonstrationCityProgramme ;
                            ckg:designee/ckg:adcode ?code ; ckg:designatedBy ?n .
                            OPTIONAL { ?n eli:date_document ?day } OPTIONAL { ?n ckg:signedInMonth ?month }
                            BIND(STR(COALESCE(?day, ?month)) AS ?signed) FILTER(?code IN ("320500", "320581", "320583")) }""")
    assert sorted((r["code"], r["signed"]) for r in rows) == [("320500", "2012-04"), ("320581", "2013-09-17"),
                                                              ("320583", "2013-09-17")]
    parents = select(store, """SELECT ?code ?parent WHERE { ?x ckg:adcode ?code ; skos:broader/ckg:adcode ?parent
                               FILTER(?code IN ("320581", "320583")) }""")
    assert {(r["code"], r["parent"]) for r in parents} == {("320581", "320500"), ("320583", "320500")}


def test_haidian_in_three_programmes(full):
    _, store, _ = full
    rows = select(store, """SELECT ?p WHERE { ?d ckg:designatedBy [] ; ckg:designee <https://w3id.org/cnipa-kg/division/110108> ;
                            ckg:programme ?p }""")
    assert sorted(r["p"].rsplit("#", 1)[1] for r in rows) == ["ipDemonstrationCityProgramme", "protectionZoneProgramme",
                                                              "strongCityProgramme"]


def test_every_designation_has_exactly_one_evidence_grade(full):
    _, store, _ = full
    grades = {r["g"].rsplit("#", 1)[1]: int(r["n"]) for r in select(store, """SELECT ?g (COUNT(?d) AS ?n) WHERE {
        { ?d a ckg:Designation } UNION { ?d a ckg:ProposedDesignation } ?d ckg:evidenceGrade ?g } GROUP BY ?g""")}
    assert grades == {"evidenceIssuerText": 110 + 25 + 43, "evidenceRoster": 64}
    assert select(store, "SELECT ?d WHERE { ?d ckg:evidenceGrade ?a , ?b FILTER(?a != ?b) }") == []


def test_a_roster_designation_cites_its_row_and_the_official_page(full):
    _, store, _ = full
    (row,) = select(store, """SELECT ?line ?url ?serial WHERE { ?d ckg:designee <https://w3id.org/cnipa-kg/division/370282> ;
                              prov:wasDerivedFrom ?s . ?s ckg:sourceLine ?line ; dcterms:source ?url
                              OPTIONAL { ?d ckg:serialNumber ?serial } }""")
    assert row == {"line": "83", "url": "https://www.cnipa.gov.cn/art/2016/7/28/art_379_138011.html", "serial": None}


def test_the_2012_notice_is_known_to_the_month_only(full):
    _, store, _ = full
    (row,) = select(store, """SELECT ?n ?month ?day WHERE { ?n a ckg:NoticeKnownByCitation ; ckg:signedInMonth ?month
                              OPTIONAL { ?n eli:date_document ?day } }""")
    assert (row["month"], row["day"]) == ("2012-04", None)


# -- divisions through time -----------------------------------------------------------------------------


def test_a_division_as_it_was_says_what_replaced_it(full):
    _, store, _ = full
    (jimo,) = select(store, """SELECT ?until ?next ?type WHERE { <https://w3id.org/cnipa-kg/division/370282> ckg:existedUntil ?until ;
                               dcterms:isReplacedBy ?next ; prov:wasInvalidatedBy ?c . ?c ckg:changeType ?type }""")
    assert jimo == {"until": "2017", "next": f"{BASE}division/370215", "type": "撤市设区"}
    (haimen,) = select(store, """SELECT ?approval WHERE { ?c ckg:changedFrom <https://w3id.org/cnipa-kg/division/320684> ;
                                 ckg:changedTo <https://w3id.org/cnipa-kg/division/320614> ; ckg:approval ?approval }""")
    assert haimen["approval"] == "国函〔2020〕79号"
    # the successor is a division of the graph in its own right
    assert ask(store, "ASK { <https://w3id.org/cnipa-kg/division/370215> ckg:divisionLevel [] ; skos:prefLabel '即墨区'@zh }")


# -- completeness, stated -------------------------------------------------------------------------------


def test_batches_say_what_is_held(full):
    _, store, out = full
    held = {r["b"].split("/batch/")[1]: (r.get("declared"), r["held"]) for r in select(store, """
        SELECT ?b ?declared ?held WHERE { ?b a ckg:Batch ; ckg:heldCount ?held OPTIONAL { ?b ckg:declaredCount ?declared } }""")}
    assert len(held) == 35
    assert held["strong-city/2022-07/demonstration"] == ("38", "38")
    assert held["ip-demonstration-city/2012-04/demonstration"] == ("23", "23")
    assert held["ip-demonstration-city/2013-07/demonstration-proposed"] == ("18", "18")
    assert held["protection-zone/2024-01/building"] == ("15", "15")
    assert held["strong-city/2024-01/demonstration"] == ("18", "0")  # the 2024 list is not held
    assert "holdings" in (out / "void.ttl").read_text(encoding="utf-8")


def test_the_completeness_query(runner, full):
    _, _, out = full
    result = invoke(runner, "query", "completeness", "--data", out / "cnipa-kg.nt", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("programme,tier,batch,document,declared,held,holding,count_source")
    assert len(lines) == 1 + 35


# -- other copies of the same documents -----------------------------------------------------------------


def _facts(n):
    return (n.kind, n.number, n.title, n.date, n.issuer, n.public_notice_start, n.public_notice_end, n.period_start,
            n.period_end, tuple((a.number, a.programme, a.tier, a.level_label, a.declared_count,
                                 tuple((r.serial, r.province, r.name) for r in a.rows)) for a in n.annexes))


@pytest.mark.parametrize("form", ["html", "pdf", "full-width"])
@pytest.mark.parametrize("source", REAL, ids=[p.stem for p in REAL])
def test_other_forms_of_a_copy_give_the_same_graph(tmp_path, source, form):
    text = source.read_text(encoding="utf-8")
    target = tmp_path / f"{source.stem}.{'txt' if form == 'full-width' else form}"
    if form == "html":
        target.write_bytes(make_html(text))
    elif form == "pdf":
        make_pdf(target, text)
    else:
        target.write_text(full_width(text), encoding="utf-8")
    shutil.copy(source.with_suffix(".toml"), target.with_suffix(".toml"))
    original, other = extract(source), extract(target)
    assert _facts(other) == _facts(original)
    assert isomorphic(mint([other]), mint([original]))


@pytest.mark.parametrize(("source", "cut_at", "said"), [
    (G2013, "4 广东省东莞市", "ends after row 3 of the 18 the body (line 5) declares"),
    (G2013, "类别 序号 名称", "(18 declared at line 5) has no table"),
    (G2023, "天津市滨海新区", "has no places after it: is the copy cut off?"),
    (G2024, "1.北京市海淀區", "has no places after it: is the copy cut off?"),
    (N2023, "浙江省宁波市", "is it cut off?"),
    (N2024, "浙江省温州市", "is it cut off?"),
])
def test_a_copy_cut_off_before_its_list_is_refused_in_one_line(runner, tmp_path, source, cut_at, said):
    text = source.read_text(encoding="utf-8")
    cut = tmp_path / source.name
    cut.write_text(text[: text.index(cut_at)], encoding="utf-8")
    shutil.copy(source.with_suffix(".toml"), cut.with_suffix(".toml"))
    with pytest.raises(InputError) as raised:
        extract(cut)
    assert str(raised.value).startswith(f"{cut}:") and said in str(raised.value), raised.value
    result = invoke(runner, "build", cut, "--out", tmp_path / "dist")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and said in result.stderr, result.output
    assert not (tmp_path / "dist").exists()  # no partial output


def test_a_sidecar_that_contradicts_the_text_is_refused(tmp_path):
    copy = tmp_path / N2024.name
    shutil.copy(N2024, copy)
    copy.with_suffix(".toml").write_text('[copy]\nurl = "https://e.org/x"\n[document]\n'
                                         'number = { value = "国知发保字〔2024〕5号", evidence = "a test" }\n', encoding="utf-8")
    with pytest.raises(InputError, match="states the 文号 国知发保字〔2024〕5号, the text prints 国知发保字〔2024〕4号"):
        extract(copy)


@pytest.mark.parametrize(("toml", "said"), [
    ('[copy]\nurl = "x"\n', "[copy] needs url"),
    ('[copy]\nurl = "https://e.org/"\n[document]\nissuer = "国家知识产权局"\n', "needs its evidence"),
    ('[copy]\nurl = "https://e.org/"\n[document]\nauthor = { value = "x", evidence = "y" }\n', "unknown fact 'author'"),
    ('[copy\n', "not valid TOML"),
])
def test_a_malformed_sidecar_is_one_error_naming_it(tmp_path, toml, said):
    copy = tmp_path / G2013.name
    shutil.copy(G2013, copy)
    copy.with_suffix(".toml").write_text(toml, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        extract(copy)
    assert str(raised.value).startswith(str(copy.with_suffix(".toml"))) and said in str(raised.value)


def test_without_its_sidecar_the_2013_public_notice_asks_for_the_issuer(tmp_path):
    copy = tmp_path / G2013.name
    shutil.copy(G2013, copy)
    with pytest.raises(InputError, match="state the issuer, with its evidence, in gongshi-2013-07-24-demonstration-cities-batch2.toml"):
        extract(copy)
