"""The programme model on several documents at once: the real 2022 notice plus synthetic documents
(tests/synthetic/programme.py): a 2024 batch with four annexes (strong cities and counties), a 2022
county and park notice, a notice of another programme listing its places inline, and a 公示 whose
proposals the 2024 batch confirms. Expected values are read off those documents by hand."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import NOTICE
from synthetic.programme import write_corpus

from cnipa_kg.cli import cli
from cnipa_kg.core.sparql import run
from cnipa_kg.pipeline import build

BASE = "https://w3id.org/cnipa-kg/"
BATCH_2022 = f"{BASE}eli/notice/gzfyz/2022/33"
BATCH_2024 = f"{BASE}eli/notice/gzfyz/2024/902"
FENGTAI = f"{BASE}division/110106"


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    folder = tmp_path_factory.mktemp("programme")
    out = folder / "dist"
    build([NOTICE, *write_corpus(folder / "sources")], out=out)
    return out


@pytest.fixture(scope="module")
def store(release):
    s = ox.Store()
    s.bulk_load(path=str(release / "cnipa-kg.nt"), format=ox.RdfFormat.N_TRIPLES)
    return s


def rows(store, query: str) -> list[tuple]:
    return [tuple(t.value if t is not None else None for t in r) for r in run(store, query)]


def cli_csv(release, *args) -> list[dict[str, str]]:
    result = CliRunner().invoke(cli, ["query", *args, "--data", str(release / "cnipa-kg.nt"), "--format", "csv"])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def test_every_designation_has_one_programme_and_tier(store):
    counts = dict(((p.rsplit("#")[-1], t.rsplit("#")[-1]), int(n)) for p, t, n in rows(store, """
        SELECT ?p ?t (COUNT(?d) AS ?n) WHERE { ?d a ckg:Designation ; ckg:programme ?p ; ckg:tier ?t } GROUP BY ?p ?t"""))
    assert counts == {
        ("strongCityProgramme", "demonstration"): 38 + 3, ("strongCityProgramme", "pilot"): 72 + 3,
        ("strongCountyProgramme", "demonstration"): 3, ("strongCountyProgramme", "pilot"): 2 + 1,
        ("parkProgramme", "demonstration"): 2, ("protectionZoneProgramme", "building"): 3,
    }


def test_the_real_notice_keeps_its_110_designations_and_levels(store):
    assert rows(store, f"""SELECT (COUNT(?d) AS ?n) WHERE {{ ?d ckg:designatedBy <{BATCH_2022}> ;
        ckg:designationLevel ?l }}""") == [("110",)]


def test_an_upgrade_links_the_pilot_to_the_demonstration(store, release):
    assert rows(store, f"""SELECT ?prev ?t WHERE {{ ?d ckg:designee <{FENGTAI}> ; ckg:designatedBy <{BATCH_2024}> ;
        ckg:previousDesignation ?prev . ?prev ckg:tier ?t }}""") == [(f"{BATCH_2022}/annex/2/1", f"{ckg('pilot')}")]
    upgrades = cli_csv(release, "upgrades")
    assert any(r.get("adcode") == "110106" or "丰台区" in r.values() for r in upgrades), upgrades


def ckg(local: str) -> str:
    return f"https://w3id.org/cnipa-kg/def#{local}"


def test_a_division_history_in_order(release):
    history = cli_csv(release, "division-history", "--param", "adcode=110106")
    assert len(history) == 2
    assert [h["notice"] for h in history] == ["国知发运字〔2022〕33号", "国知发运字〔2024〕902号"]


@pytest.mark.parametrize(("on", "expected"), [
    ("2026-11-28", {"国知发运字〔2022〕33号": "ended", "国知发运字〔2024〕902号": "active", "国知发保字〔2024〕904号": "no period stated"}),
    ("2023-06-01", {"国知发运字〔2022〕33号": "active", "国知发运字〔2024〕902号": "not yet started"}),
])
def test_status_on_a_date(release, on, expected):
    statuses = {}
    for row in cli_csv(release, "status", "--on", on):
        statuses.setdefault(row["notice"], set()).add(row["status"])
    for notice, status in expected.items():
        assert statuses[notice] == {status}, (notice, statuses[notice])


def test_a_park_lies_in_its_division(store):
    assert sorted(rows(store, """SELECT ?name ?code WHERE { ?d ckg:designee ?p . ?p a ckg:Park ; skos:prefLabel ?name ;
        ckg:locatedIn/ckg:adcode ?code }""")) == [("中关村科技园区", "110000"), ("苏州工业园区", "320500")]


def test_an_inline_list_designates_without_annex_or_period(store):
    assert sorted(rows(store, """SELECT ?code WHERE { ?d ckg:programme ckg:protectionZoneProgramme ; ckg:designee/ckg:adcode ?code
        FILTER NOT EXISTS { ?d ckg:inAnnex [] } FILTER NOT EXISTS { ?d ckg:periodStart [] } }""")) == [
        ("110108",), ("130100",), ("610100",)]


def test_a_designation_confirms_its_proposal(store):
    confirmed = rows(store, """SELECT ?code ?start WHERE { ?d ckg:confirms ?p . ?p ckg:proposedBy ?pn ; ckg:designee/ckg:adcode ?code .
        ?pn a ckg:PublicNotice ; ckg:publicNoticeStart ?start }""")
    assert sorted(confirmed) == [("320282", "2023-12-20"), ("320583", "2023-12-20"), ("430121", "2023-12-20")]


def _panel(path) -> dict[tuple[str, str], dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return {(r["code"], r["year"]): r for r in csv.DictReader(f)}


def test_the_panels_have_programme_tier_columns_cohorts_and_nesting(release):
    county, prefecture = _panel(release / "panel-county.csv"), _panel(release / "panel-prefecture.csv")
    assert county[("110106", "2023")]["active_city_pilot"] == "1"
    assert county[("110106", "2024")]["active_city_demo"] == "1"
    assert county[("110106", "2024")]["active_city_pilot"] == "1"  # the 2022 period runs to 2025-06
    assert (county[("110106", "2024")]["first_year_city_pilot"], county[("110106", "2024")]["first_year_city_demo"]) == (
        "2022", "2024")  # the upgrade: a pilot in 2022, a demonstration from 2024
    assert county[("320282", "2024")]["first_year_county_pilot"] == "2022"  # a pilot county in 2022
    assert county[("320282", "2024")]["active_county_demo"] == "1"
    suzhou = prefecture[("320500", "2023")]  # 苏州工业园区 lies in 苏州市: inside it, not 苏州 itself
    assert (suzhou["sub_designated_park_demo"], suzhou["active_park_demo"], suzhou["first_year_park_demo"]) == ("1", "0", "0")
    last = max(int(y) for _, y in county)
    assert county[("110108", str(last))]["active_pz_bldg"] == "1"  # no period: from the notice on


def test_the_reasoner_classifies_by_programme_and_tier(release):
    from cnipa_kg.check.reason import reason
    from cnipa_kg.check.validate import load_with_ontology

    inferred = reason(load_with_ontology([release / "cnipa-kg.nt"])).inferred
    assert inferred["ckg:DemonstrationCounty"] == 3
    assert inferred["ckg:DemonstrationPark"] == 2
    assert inferred["ckg:ProtectionDemonstrationZone"] == 3
    assert inferred["ckg:DemonstrationCity"] == 38 + 3


def test_a_web_copy_reads_as_the_plain_text(tmp_path):
    from cnipa_kg.extract import extract

    plain = extract(write_corpus(tmp_path / "plain")[0])
    web = extract(write_corpus(tmp_path / "web", web=True)[0])
    assert (web.number, web.title, web.date, web.annexes) == (plain.number, plain.title, plain.date, web.annexes)
    assert [[(r.serial, r.name) for r in a.rows] for a in web.annexes] == [[(r.serial, r.name) for r in a.rows] for a in plain.annexes]
