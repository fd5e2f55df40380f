"""The city-year treatment panel city-year-panel.csv (issue 6), read with the csv module."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from conftest import GOLDEN, NOTICE, invoke, read_tsv

from cnipa_kg.reference import divisions

HEADER = ["adcode", "name", "name_en", "province", "level", "year", "demonstration", "pilot",
          "months_designated", "first_year_designated", "notice",
          # one 0/1 column per programme and tier, the cohort per programme, the upgrade flag
          "strong_city_demonstration", "strong_city_pilot", "strong_city_demonstration_building",
          "strong_county_demonstration", "strong_county_pilot", "strong_county_demonstration_building",
          "park_demonstration", "park_pilot", "protection_zone_building", "ip_demonstration_city_demonstration",
          "ip_demonstration_city_pilot", "first_year_strong_city", "first_year_strong_county", "first_year_park",
          "first_year_protection_zone", "first_year_ip_demonstration_city", "upgraded"]
YEARS = list(range(2020, 2026))
NOTICE_NO = "国知发运字〔2022〕33号"
MONTHS = {2020: 0, 2021: 0, 2022: 6, 2023: 12, 2024: 12, 2025: 6}


def read_panel(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # no BOM: pandas/R/Stata read the header as is
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [dict(zip(header, r, strict=True)) for r in reader]
    assert rows, path
    return header, rows


@pytest.fixture(scope="module")
def panel(release_dir):
    return read_panel(release_dir / "city-year-panel.csv")


@pytest.fixture(scope="module")
def by_key(panel) -> dict[tuple[str, int], dict[str, str]]:
    _, rows = panel
    out = {(r["adcode"], int(r["year"])): r for r in rows}
    assert len(out) == len(rows)  # one row per division and year
    return out


@pytest.fixture(scope="module")
def golden():
    return read_tsv(GOLDEN / "divisions-2022-33.tsv")


def _units(golden) -> set[str]:
    prefectures = {d.code for d in divisions.code_table().by_code.values()
                   if d.level == "prefecture" and d.code[:2] not in ("71", "81", "82")}
    districts = {r["adcode"] for r in golden if r["division_level"] == "district"}
    assert len(prefectures) > 300 and len(districts) == 19
    return prefectures | districts


def test_panel_header_exact(panel):
    header, _ = panel
    assert header == HEADER


def test_panel_years_default_2020_to_2025(panel):
    _, rows = panel
    assert sorted({int(r["year"]) for r in rows}) == YEARS
    counts = Counter(r["adcode"] for r in rows)
    assert set(counts.values()) == {len(YEARS)}


def test_panel_row_count_is_units_times_years(panel, golden):
    _, rows = panel
    units = _units(golden)
    assert len(rows) == len(units) * len(YEARS)
    assert {r["adcode"] for r in rows} == units


def test_panel_every_designee_is_in_panel(by_key, golden):
    for g in golden:
        row = by_key[(g["adcode"], 2023)]
        assert row["name"] == g["name"], g
        assert row["level"] == g["division_level"], g
        assert (row["demonstration"], row["pilot"]) == (("1", "0") if g["annex"] == "1" else ("0", "1")), g


def test_panel_demonstration_district_haidian(by_key):
    rows = {y: by_key[("110108", y)] for y in YEARS}
    r = rows[2022]
    assert (r["name"], r["name_en"], r["province"], r["level"]) == ("海淀区", "Haidian District", "北京", "district")
    assert (r["demonstration"], r["pilot"], r["months_designated"]) == ("1", "0", "6")
    assert r["notice"] == NOTICE_NO
    assert rows[2023]["months_designated"] == "12"
    assert rows[2025]["months_designated"] == "6"
    assert (rows[2021]["months_designated"], rows[2021]["demonstration"], rows[2021]["notice"]) == ("0", "0", "")
    assert {r["first_year_designated"] for r in rows.values()} == {"2022"}


def test_panel_pilot_prefecture_karamay(by_key):
    for y in YEARS:
        r = by_key[("650200", y)]
        assert (r["name"], r["name_en"], r["province"], r["level"]) == ("克拉玛依市", "Karamay", "新疆", "prefecture")
        assert r["demonstration"] == "0"
        assert r["pilot"] == ("1" if 2022 <= y <= 2025 else "0"), y
        assert r["months_designated"] == str(MONTHS[y]), y
        assert r["first_year_designated"] == "2022"
        assert r["notice"] == (NOTICE_NO if 2022 <= y else ""), y


def test_panel_undesignated_prefecture_qinhuangdao(by_key, golden):
    assert "130300" not in {g["adcode"] for g in golden}
    for y in YEARS:
        r = by_key[("130300", y)]
        assert (r["name"], r["province"], r["level"]) == ("秦皇岛市", "河北", "prefecture")
        assert r["name_en"] == "Qinhuangdao"
        assert (r["demonstration"], r["pilot"], r["months_designated"]) == ("0", "0", "0")
        assert (r["first_year_designated"], r["notice"]) == ("", "")


def test_panel_months_6_12_12_6_for_every_designee(by_key, golden):
    for g in golden:
        assert [by_key[(g["adcode"], y)]["months_designated"] for y in YEARS] == [str(MONTHS[y]) for y in YEARS], g


def test_panel_undesignated_units_all_zero(panel, golden):
    _, rows = panel
    designated = {g["adcode"] for g in golden}
    others = [r for r in rows if r["adcode"] not in designated]
    assert others
    for r in others:
        assert (r["demonstration"], r["pilot"], r["months_designated"], r["first_year_designated"], r["notice"]) == \
            ("0", "0", "0", "", ""), r


def test_panel_rows_sorted_and_complete(panel):
    _, rows = panel
    keys = [(r["adcode"], int(r["year"])) for r in rows]
    assert keys == sorted(keys)
    for r in rows:
        assert len(r["adcode"]) == 6 and r["adcode"].isdigit(), r
        assert r["name"] and r["name_en"] and r["province"], r
        assert r["level"] in ("prefecture", "district"), r


def test_months_covered_counts_calendar_months():
    from datetime import date

    from cnipa_kg.release.panel import months_covered

    start, end = date(2022, 7, 1), date(2025, 6, 30)
    assert [len(months_covered(start, end, y)) for y in range(2020, 2027)] == [0, 0, 6, 12, 12, 6, 0]
    assert months_covered(date(2022, 7, 15), date(2022, 8, 2), 2022) == {7, 8}


def test_build_panel_years_option_changes_years(runner, tmp_path, golden):
    out = tmp_path / "out"
    result = invoke(runner, "build", NOTICE, "--out", out, "--panel-years", "2018-2026", "-q")
    assert result.exit_code == 0, result.output
    header, rows = read_panel(out / "city-year-panel.csv")
    assert header == HEADER
    years = list(range(2018, 2027))
    assert sorted({int(r["year"]) for r in rows}) == years
    assert len(rows) == len(_units(golden)) * len(years)
    haidian = {int(r["year"]): r["months_designated"] for r in rows if r["adcode"] == "110108"}
    assert haidian == {2018: "0", 2019: "0", 2020: "0", 2021: "0", 2022: "6", 2023: "12", 2024: "12", 2025: "6", 2026: "0"}


@pytest.mark.parametrize("value", ["2026-2018", "2018", "20x8-2020", "18-26"])
def test_build_panel_years_bad_value_is_usage_error(runner, tmp_path, value):
    out = tmp_path / "out"
    result = invoke(runner, "build", NOTICE, "--out", out, "--panel-years", value, "-q")
    assert result.exit_code == 2, result.output
    assert "--panel-years" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
