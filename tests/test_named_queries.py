"""The named query library `queries/*.rq`: headers, and each query's real answer on the release.

Answers are checked against designations.csv of the same release where possible (an independent
path: the CSV is written from the graph, the queries run in pyoxigraph).

The release of today holds one notice, so the queries over a designee's chain of designations
(division-history, upgrades, drop-outs) are run on it for syntax and shape only; their logic is
checked on ``CONTRACT`` below, the data contract of issue 14 written out by hand (two terms of one
programme and an extra batch). Releases of several real notices come with the lead engineer's
multi-notice fixtures, and their answers will be pinned here then.
"""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest
from conftest import ROOT

from cnipa_kg.core.resources import query_header as header

QUERIES = ROOT / "queries"
NAMED = sorted(p.stem for p in QUERIES.glob("*.rq"))

# what issue 7 asks the library for -> the file that answers it
REQUIRED = {
    "designations of a province": "designations-of-province",
    "all demonstration cities with codes": "demonstration-cities",
    "all pilot cities with codes": "pilot-cities",
    "counts per province and level": "designations-by-province",
    "notice summary": "notice-summary",
    "designees of one level that are prefecture-level cities vs districts": "designees-by-division-level",
    "provinces with no designation": "provinces-without-designation",
    # issue 14, item 5
    "status of every designation on a date": "status",
    "designations of one division in order": "division-history",
    "pilot -> demonstration upgrades": "upgrades",
    "designations not renewed": "drop-outs",
}

#: the parameters a query needs to run at all
EXAMPLE_PARAMS = {"division-history": {"adcode": "320100"}}
#: queries over chains of designations: no rows on a release of one notice
NEED_SEVERAL_NOTICES = {"upgrades", "drop-outs"}


@pytest.fixture(scope="module")
def store(release_dir):
    from cnipa_kg.query.store import load_store

    return load_store([release_dir / "cnipa-kg.nt"])


@pytest.fixture(scope="module")
def csv_rows(release_dir) -> list[dict[str, str]]:
    with (release_dir / "designations.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 110
    return rows


def run(store, name: str, **params: str) -> list[dict[str, str]]:
    from cnipa_kg.query.params import bind
    from cnipa_kg.query.results import query

    text = bind((QUERIES / f"{name}.rq").read_text(encoding="utf-8"), params, name)
    doc = json.loads(query(store, text, format="json"))
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


@pytest.mark.parametrize("name", NAMED)
def test_no_example_uses_a_deprecated_term(name):
    """The named queries are what people copy (the editor's examples): ckg:tier, never the deprecated
    ckg:designationLevel (the QC rule that checks the two agree lives in queries/qc/, not here); only an
    OPTIONAL that reads releases from before ckg:tier may name it."""
    for line in (QUERIES / f"{name}.rq").read_text(encoding="utf-8").splitlines():
        if "designationLevel" in line:
            assert line.strip().startswith("OPTIONAL") and "releases before ckg:tier" in line, line


def test_the_library_is_not_empty():
    assert len(NAMED) >= 5


@pytest.mark.parametrize(("need", "name"), list(REQUIRED.items()))
def test_issue_7_queries_exist(need, name):
    assert (QUERIES / f"{name}.rq").is_file(), f"no named query for {need!r}: expected queries/{name}.rq"


@pytest.mark.parametrize("name", NAMED)
def test_header(name):
    path = QUERIES / f"{name}.rq"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# title:"), f"{path.name} must open with '# title:'"
    fields = header(path)
    assert fields.get("title"), f"{path.name}: empty title"
    assert fields.get("description"), f"{path.name}: no '# description:'"
    assert len(fields["description"]) >= 20


@pytest.mark.parametrize("name", NAMED)
def test_runs_without_error_and_returns_rows(store, name):
    rows = run(store, name, **EXAMPLE_PARAMS.get(name, {}))
    if name in NEED_SEVERAL_NOTICES:
        assert rows == [], f"{name} found a chain of designations in a release of one notice"
    else:
        assert rows, f"{name} returned no rows on the release"


@pytest.mark.parametrize("name", NAMED)
def test_every_named_query_has_a_pinned_answer(name):
    assert f"test_{name.replace('-', '_')}" in globals(), f"pin the real answer of {name}.rq in this file"


# -- real answers -----------------------------------------------------------------------------------------


def test_designations_by_province(store, csv_rows):
    rows = run(store, "designations-by-province")
    assert rows[0]["province"] == "江苏省"
    assert (rows[0]["demonstration"], rows[0]["pilot"], rows[0]["total"]) == ("3", "7", "10")
    assert rows[0]["province_en"] == "Jiangsu"
    assert len(rows) == 30  # every province-level unit but 西藏
    totals = [int(r["total"]) for r in rows]
    assert totals == sorted(totals, reverse=True)
    assert sum(totals) == 110
    assert sum(int(r["demonstration"]) for r in rows) == 38
    assert sum(int(r["pilot"]) for r in rows) == 72
    for r in rows:
        assert int(r["demonstration"]) + int(r["pilot"]) == int(r["total"])
    # the same counts as designations.csv (short province names as printed: 江苏 -> 江苏省)
    expected = Counter((row["province"], row["level"]) for row in csv_rows)
    for r in rows:
        short = [p for p in {row["province"] for row in csv_rows} if r["province"].startswith(p)]
        assert len(short) == 1, r["province"]
        assert int(r["demonstration"]) == expected[(short[0], "demonstration")], r["province"]
        assert int(r["pilot"]) == expected[(short[0], "pilot")], r["province"]


def _cities(rows) -> list[tuple[str, str, str]]:
    return [(r["serial"], r["name"], r["adcode"]) for r in rows]


def test_demonstration_cities(store, csv_rows):
    rows = run(store, "demonstration-cities")
    assert len(rows) == 38
    assert [int(r["serial"]) for r in rows] == list(range(1, 39))
    assert ("1", "海淀区", "110108") in _cities(rows)
    assert rows[0]["name_en"] == "Haidian District"
    assert {r["notice"] for r in rows} == {"国知发运字〔2022〕33号"}
    expected = [(row["serial"], row["name"], row["adcode"]) for row in csv_rows if row["level"] == "demonstration"]
    assert _cities(rows) == expected
    assert all(len(r["adcode"]) == 6 and r["adcode"].isdigit() for r in rows)


def test_pilot_cities(store, csv_rows):
    rows = run(store, "pilot-cities")
    assert len(rows) == 72
    assert [int(r["serial"]) for r in rows] == list(range(1, 73))
    expected = [(row["serial"], row["name"], row["adcode"]) for row in csv_rows if row["level"] == "pilot"]
    assert _cities(rows) == expected
    assert len({r["adcode"] for r in rows}) == 72
    # no division is both a demonstration and a pilot city
    assert not {r["adcode"] for r in rows} & {r["adcode"] for r in run(store, "demonstration-cities")}


def test_notice_summary(store):
    rows = run(store, "notice-summary")
    assert len(rows) == 1
    for r in rows:
        assert r["number"] == "国知发运字〔2022〕33号"
        assert r["date"] == "2022-08-04"
        assert r["issuer"] == "国家知识产权局"
        assert r["period_start"] == "2022-07-01"
        assert r["period_end"] == "2025-06-30"
        assert (int(r["demonstration"]), int(r["pilot"])) == (38, 72)


def test_notice_summary_names_the_cited_documents(store):
    """Issue 7: the notice summary gives number, date, issuer, period *and cited documents*."""
    rows = run(store, "notice-summary")
    text = " ".join(v for r in rows for v in r.values())
    for cited in ("知识产权强国建设纲要", "十四五", "国知办函运字〔2021〕1197号"):
        assert cited in text, f"notice-summary does not name the cited document {cited!r}; columns: {sorted(rows[0])}"


def test_provinces_without_designation(store):
    rows = run(store, "provinces-without-designation")
    assert [(r["adcode"], r["province"]) for r in rows] == [("540000", "西藏自治区")]
    assert rows[0]["province_en"] == "Tibet"


def test_designations_of_province(store, csv_rows):
    from cnipa_kg.query.params import declared

    text = (QUERIES / "designations-of-province.rq").read_text(encoding="utf-8")
    [param] = declared(text)
    assert (param.name, param.type, param.default) == ("province", "string", "江苏")
    assert "VALUES" not in text, "the province is a parameter now, not a VALUES line to edit"
    rows = run(store, "designations-of-province")
    jiangsu = [row for row in csv_rows if row["province"] == "江苏"]
    assert len(rows) == len(jiangsu) == 10
    assert [(r["serial"], r["name"], r["adcode"]) for r in rows] == [(row["serial"], row["name"], row["adcode"]) for row in jiangsu]
    assert Counter(r["level"] for r in rows) == {"demonstration": 3, "pilot": 7}
    assert run(store, "designations-of-province", province="江苏省") == rows


@pytest.mark.parametrize(("short", "full"), [("广东", "广东省"), ("北京", "北京市"), ("内蒙古", "内蒙古自治区"), ("西藏", "西藏自治区")])
def test_designations_of_another_province(store, csv_rows, short, full):
    for name in (short, full):
        got = [(r["serial"], r["adcode"]) for r in run(store, "designations-of-province", province=name)]
        expected = [(row["serial"], row["adcode"]) for row in csv_rows if row["province"] == short]
        assert got == expected, name


def test_designees_by_division_level(store, csv_rows):
    rows = run(store, "designees-by-division-level")
    got = {(r["level"], r["division_level"]): int(r["designees"]) for r in rows}
    expected = Counter((row["level"], row["division_level"]) for row in csv_rows)
    assert got == dict(expected)
    assert got == {("demonstration", "district"): 5, ("demonstration", "prefecture"): 33,
                   ("pilot", "district"): 14, ("pilot", "prefecture"): 58}


# -- issue 14: status on a date, and chains of designations ------------------------------------------------

STATUS_COLUMNS = ["name", "adcode", "programme", "tier", "period_start", "period_end", "status", "notice"]


@pytest.mark.parametrize(("on", "status"), [("2026-11-28", "ended"), ("2023-01-01", "active"), ("2022-06-30", "not yet started"),
                                            ("2022-07-01", "active"), ("2025-06-30", "active"), ("2025-07-01", "ended")])
def test_status(store, csv_rows, on, status):
    rows = run(store, "status", on=on)
    assert len(rows) == len(csv_rows) == 110
    assert {r["status"] for r in rows} == {status}
    assert list(rows[0]) == [c for c in STATUS_COLUMNS if c in rows[0]]
    assert {r.get("programme", "strongCityProgramme") for r in rows} == {"strongCityProgramme"}  # absent before ckg:programme
    assert {(r["period_start"], r["period_end"], r["notice"]) for r in rows} == {("2022-07-01", "2025-06-30", "国知发运字〔2022〕33号")}
    assert Counter(r["tier"] for r in rows) == {"demonstration": 38, "pilot": 72}
    assert [(r["name"], r["adcode"]) for r in rows] == [(row["name"], row["adcode"]) for row in csv_rows]


def test_status_columns(store):
    from cnipa_kg.query.params import bind
    from cnipa_kg.query.results import query

    text = bind((QUERIES / "status.rq").read_text(encoding="utf-8"), {}, "status")
    assert json.loads(query(store, text, format="json"))["head"]["vars"] == STATUS_COLUMNS


def test_status_defaults_to_today(store):
    from cnipa_kg.query.params import declared

    [param] = declared((QUERIES / "status.rq").read_text(encoding="utf-8"))
    assert (param.name, param.type, param.default) == ("on", "date", "today")
    today = __import__("datetime").date.today().isoformat()
    assert run(store, "status") == run(store, "status", on=today)


def test_completeness(store):
    """The 35 known batches (data/reference/programme-batches.csv), in the table's order; a release of the 2022
    notice alone holds its two batches whole and nothing else."""
    rows = run(store, "completeness")
    assert len(rows) == 35
    assert (rows[0]["programme"], rows[0]["tier"], rows[0]["batch"], rows[0]["declared"], rows[0]["held"], rows[0]["holding"]) == (
        "strong-county-project", "pilot (first group)", "2008", "124", "0", "none")
    held = {(r["programme"], r["tier"], r["batch"]): (r.get("declared"), r["held"]) for r in rows if r["held"] != "0"}
    assert held == {("strong-city", "demonstration", "2022-07"): ("38", "38"), ("strong-city", "pilot", "2022-07"): ("72", "72")}
    assert {r["document"] for r in rows if r["held"] != "0"} == {"国知发运字〔2022〕33号"}


def test_division_history(store):
    rows = run(store, "division-history", adcode="320100")
    assert [(r["name"], r["tier"], r["change"], r["period_start"], r["period_end"], r["notice"], r["date"]) for r in rows] == [
        ("南京市", "demonstration", "first", "2022-07-01", "2025-06-30", "国知发运字〔2022〕33号", "2022-08-04")]
    assert "previous_tier" not in rows[0]
    assert run(store, "division-history", adcode="540000") == []


def test_upgrades(store):
    assert run(store, "upgrades") == []
    assert run(store, "upgrades", from_notice="国知发运字〔2022〕33号", to_notice="国知发运字〔2025〕1号") == []


def test_drop_outs(store):
    assert run(store, "drop-outs") == []


CONTRACT = """
@prefix ckg: <https://w3id.org/cnipa-kg/def#> . @prefix eli: <http://data.europa.eu/eli/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix : <urn:t:> .
ckg:strongCityProgramme skos:prefLabel "知识产权强市建设"@zh .
:A a ckg:Notice ; eli:id_local "A号" ; eli:date_document "2022-08-04"^^xsd:date .
:B a ckg:Notice ; eli:id_local "B号" ; eli:date_document "2025-08-01"^^xsd:date .
:C a ckg:Notice ; eli:date_document "2023-09-01"^^xsd:date .
:x ckg:adcode "100001" ; skos:prefLabel "甲市"@zh , "Jia"@en .
:y ckg:adcode "100002" ; skos:prefLabel "乙市"@zh .
:z ckg:adcode "100003" ; skos:prefLabel "丙市"@zh .
:v ckg:adcode "100004" ; skos:prefLabel "丁市"@zh .
:w ckg:adcode "100005" ; skos:prefLabel "戊市"@zh .
:ax a ckg:Designation ; ckg:designee :x ; ckg:tier ckg:pilot ; ckg:designatedBy :A .
:ay a ckg:Designation ; ckg:designee :y ; ckg:tier ckg:pilot ; ckg:designatedBy :A .
:az a ckg:Designation ; ckg:designee :z ; ckg:tier ckg:demonstration ; ckg:designatedBy :A .
:cv a ckg:Designation ; ckg:designee :v ; ckg:tier ckg:pilot ; ckg:designatedBy :C ;
    ckg:periodStart "2023-07-01"^^xsd:date ; ckg:periodEnd "2026-06-30"^^xsd:date .
:cw a ckg:Designation ; ckg:designee :w ; ckg:tier ckg:pilot ; ckg:designatedBy :C .
:bx a ckg:Designation ; ckg:designee :x ; ckg:tier ckg:demonstration ; ckg:designatedBy :B ; ckg:previousDesignation :ax .
:bz a ckg:Designation ; ckg:designee :z ; ckg:tier ckg:demonstration ; ckg:designatedBy :B ; ckg:previousDesignation :az .
"""


@pytest.fixture(scope="module")
def contract():
    import pyoxigraph as ox

    ckg = "https://w3id.org/cnipa-kg/def#"
    db = ox.Store()
    db.load(CONTRACT.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    for names, start, end in (("ax ay az", "2022-07-01", "2025-06-30"), ("bx bz", "2025-07-01", "2028-06-30")):
        for d in names.split():
            for prop, day in (("periodStart", start), ("periodEnd", end)):
                db.add(ox.Quad(ox.NamedNode(f"urn:t:{d}"), ox.NamedNode(ckg + prop),
                               ox.Literal(day, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))))
    for d in ["ax", "ay", "az", "cv", "cw", "bx", "bz"]:
        db.add(ox.Quad(ox.NamedNode(f"urn:t:{d}"), ox.NamedNode(ckg + "programme"), ox.NamedNode(ckg + "strongCityProgramme")))
    return db


def test_status_on_the_contract(contract):
    got = {(r["name"], r["notice"]): r["status"] for r in run(contract, "status", on="2025-07-01")}
    assert got == {("甲市", "A号"): "ended", ("乙市", "A号"): "ended", ("丙市", "A号"): "ended",
                   ("丁市", "urn:t:C"): "active", ("戊市", "urn:t:C"): "no period stated",
                   ("甲市", "B号"): "active", ("丙市", "B号"): "active"}
    assert {r["status"] for r in run(contract, "status", on="2024-01-01") if r["notice"] == "B号"} == {"not yet started"}
    assert {r["programme"] for r in run(contract, "status", on="2024-01-01")} == {"strongCityProgramme"}


def test_division_history_on_the_contract(contract):
    rows = run(contract, "division-history", adcode="100001")
    assert [(r["tier"], r.get("previous_tier"), r["change"], r["notice"]) for r in rows] == [
        ("pilot", None, "first", "A号"), ("demonstration", "pilot", "upgrade", "B号")]
    rows = run(contract, "division-history", adcode="100003")
    assert [r["change"] for r in rows] == ["first", "renewal"]


def test_upgrades_on_the_contract(contract):
    expected = [{"name": "甲市", "adcode": "100001", "programme": "strongCityProgramme", "pilot_notice": "A号",
                 "pilot_date": "2022-08-04", "demonstration_notice": "B号", "demonstration_date": "2025-08-01"}]
    assert run(contract, "upgrades") == expected
    assert run(contract, "upgrades", from_notice="A号") == expected
    assert run(contract, "upgrades", from_notice="A号", to_notice="B号") == expected
    assert run(contract, "upgrades", to_notice="A号") == []
    assert run(contract, "upgrades", from_notice="C号") == []


def test_drop_outs_on_the_contract(contract):
    rows = run(contract, "drop-outs")
    # 乙市 was not renewed when B began a later term; 丁市 (an extra batch whose term runs on past B's
    # start) is no drop-out; 戊市 (no period stated) is, since a later notice exists
    assert [(r["name"], r["notice"], r["next_notice_date"], r["later_notices"]) for r in rows] == [
        ("乙市", "A号", "2025-08-01", "B号"), ("戊市", "urn:t:C", "2025-08-01", "B号")]


def test_the_editors_examples_take_today_on_the_day_they_are_asked(release_dir, monkeypatch):
    """Issue 25: the status example's default date (``today``) was bound once, when the server started."""
    import datetime as dt

    from cnipa_kg.web import state

    day = [dt.date(2026, 12, 7)]

    class Clock(dt.date):
        @classmethod
        def today(cls):
            return day[0]

    monkeypatch.setattr(dt, "date", Clock)  # what query.params reads (dt.date.today())
    monkeypatch.setattr(state, "date", Clock, raising=False)
    served = state.ServedRelease(release_dir)
    assert '"2026-12-07"' in served.named["status"][1]
    day[0] = dt.date(2026, 12, 8)  # the server runs past midnight
    assert '"2026-12-08"' in served.named["status"][1] and '"2026-12-07"' not in served.named["status"][1]
