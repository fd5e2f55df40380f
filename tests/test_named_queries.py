"""The named query library `queries/*.rq`: headers, and each query's real answer on the release.

Answers are checked against designations.csv of the same release where possible (an independent
path: the CSV is written from the graph, the queries run in pyoxigraph).
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
}


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


def run(store, name: str) -> list[dict[str, str]]:
    from cnipa_kg.query.results import query

    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    doc = json.loads(query(store, text, format="json"))
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


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
    rows = run(store, name)
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
    text = (QUERIES / "designations-of-province.rq").read_text(encoding="utf-8")
    fields = header(QUERIES / "designations-of-province.rq")
    assert fields.get("parameters"), "the header should say how to choose the province (# parameters:)"
    rows = run(store, "designations-of-province")
    jiangsu = [row for row in csv_rows if row["province"] == "江苏"]
    assert len(rows) == len(jiangsu) == 10
    assert [(r["serial"], r["name"], r["adcode"]) for r in rows] == [(row["serial"], row["name"], row["adcode"]) for row in jiangsu]
    assert Counter(r["level"] for r in rows) == {"demonstration": 3, "pilot": 7}
    assert "江苏" in text


@pytest.mark.parametrize(("short", "full"), [("广东", "广东省"), ("北京", "北京市"), ("内蒙古", "内蒙古自治区"), ("西藏", "西藏自治区")])
def test_designations_of_another_province(store, csv_rows, short, full):
    from cnipa_kg.query.results import query

    original = (QUERIES / "designations-of-province.rq").read_text(encoding="utf-8")
    assert 'VALUES ?province_name { "江苏" }' in original
    for name in (short, full):
        text = original.replace('VALUES ?province_name { "江苏" }', f'VALUES ?province_name {{ "{name}" }}')
        doc = json.loads(query(store, text, format="json"))
        got = [(b["serial"]["value"], b["adcode"]["value"]) for b in doc["results"]["bindings"]]
        expected = [(row["serial"], row["adcode"]) for row in csv_rows if row["province"] == short]
        assert got == expected, name


def test_designees_by_division_level(store, csv_rows):
    rows = run(store, "designees-by-division-level")
    got = {(r["level"], r["division_level"]): int(r["designees"]) for r in rows}
    expected = Counter((row["level"], row["division_level"]) for row in csv_rows)
    assert got == dict(expected)
    assert got == {("demonstration", "district"): 5, ("demonstration", "prefecture"): 33,
                   ("pilot", "district"): 14, ("pilot", "prefecture"): 58}
