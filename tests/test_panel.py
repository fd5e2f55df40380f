"""The research panels (issue 23): all units, every cohort, codes through time, CSV, Parquet and Stata.

Goldens by hand from the sources: the roster (data/reference/demonstration-cities-2012-2016.csv: 苏州 2012-04
term to 2014, 常熟 and 昆山 2013-09..2016-08, 张家港 2015-03..2018-03, 即墨 and 海淀区 2016-05..2019-05), the
notice 国知发运字〔2022〕33号 (海淀区, 朝阳区 demonstration, 2022-07..2025-06), 国知发保字〔2024〕4号 (海淀区, a
protection zone with no period, 2024-01-26) and the division history (莱芜市 371200 merged into 济南 in 2018:
国函〔2018〕163号; 即墨市 370282 → 即墨区 370215 in 2017).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT, invoke

from cnipa_kg.reference import history

MUNICIPALITIES = {"110000", "120000", "310000", "500000"}
OUTSIDE = ("71", "81", "82")
ROSTER = ROOT / "data" / "reference" / "demonstration-cities-2012-2016.csv"


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # no BOM: pandas/R/Stata read the header as is
    reader = csv.reader(io.StringIO(raw.decode("utf-8"), newline=""))
    header = next(reader)
    return header, [dict(zip(header, r, strict=True)) for r in reader]


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    """A release of every shipped source (the notices, the real copies and the roster)."""
    from cnipa_kg.pipeline import build

    out = tmp_path_factory.mktemp("panel") / "dist"
    build(out=out)
    return out


@pytest.fixture(scope="module")
def prefecture(release):
    return read_csv(release / "panel-prefecture.csv")


@pytest.fixture(scope="module")
def county(release):
    return read_csv(release / "panel-county.csv")


def keyed(rows) -> dict[tuple[str, int], dict[str, str]]:
    out = {(r["code"], int(r["year"])): r for r in rows}
    assert len(out) == len(rows)  # one row per unit and year
    return out


@pytest.fixture(scope="module")
def pref(prefecture):
    return keyed(prefecture[1])


@pytest.fixture(scope="module")
def cnty(county):
    return keyed(county[1])


def research(release, **options):
    from cnipa_kg.pipeline import research_panel

    return research_panel(data=release, **options)


# -- the units: all of them, as the division history has them -------------------------------------------


def history_units(year: int, level: str) -> set[str]:
    """The panel's units computed straight from the history's table of 1 January (default municipalities)."""
    table = history.code_table_on(datetime.date(year, 1, 1)).by_code
    mainland = {c: d for c, d in table.items() if c[:2] not in OUTSIDE}
    if level == "prefecture":
        return {c for c, d in mainland.items() if d.level == "prefecture"} | (MUNICIPALITIES & set(mainland))
    with_counties = {d.parent for d in mainland.values() if d.level == "district"}
    return ({c for c, d in mainland.items() if d.level == "district"}
            | {c for c, d in mainland.items() if d.level == "prefecture" and c not in with_counties})


@pytest.mark.parametrize("level", ["prefecture", "county"])
def test_every_unit_of_each_year_and_no_other(level, pref, cnty):
    rows = pref if level == "prefecture" else cnty
    years = sorted({y for _, y in rows})
    assert (years[0], years[-1]) == (2007, 2025)  # five years before the 2012 cohort; the 2022 terms end in 2025
    for year in years:
        assert {c for c, y in rows if y == year} == history_units(year, level), year


def test_prefecture_counts_per_year(pref):
    count = lambda year: sum(1 for _, y in pref if y == year)  # noqa: E731
    # 333 prefecture-level units and 4 municipalities; 儋州 a prefecture from 2015 (made in 2015: from 2016 on
    # 1 January), 莱芜 until its merger (2018)
    assert {y: count(y) for y in (2007, 2016, 2018, 2019, 2025)} == {2007: 337, 2016: 338, 2018: 338, 2019: 337, 2025: 337}


def test_laiwu_before_and_after_2019(pref, cnty):
    assert pref[("371200", 2018)]["name"] == "莱芜市" and ("371200", 2019) not in pref
    assert ("370116", 2018) not in cnty and cnty[("370116", 2019)]["name"] == "莱芜区"
    assert cnty[("370116", 2019)]["parent_code"] == "370100"


def test_today_is_not_projected_back(pref):
    assert ("460400", 2010) not in pref and ("460300", 2010) not in pref  # 儋州 (2015) and 三沙 (2012) did not exist
    assert ("520500", 2010) not in pref and pref[("522400", 2010)]["name"] == "毕节地区"  # 毕节市 from 2011


def test_never_treated_prefecture_is_all_zero(pref):
    for year in range(2007, 2026):
        row = pref[("130300", year)]  # 秦皇岛: in no list
        assert row["name"] == "秦皇岛市" and row["unit_type"] == "地级市"
        for name, value in row.items():
            if name.startswith(("active_", "exposed_", "first_year_", "sub_designated_", "parent_designated_")):
                assert value == "0", (name, year)
            if name.startswith(("cohort_", "evidence_")):
                assert value == "", (name, year)


# -- the goldens -----------------------------------------------------------------------------------------


def test_suzhou_exposed_from_2012_and_its_nested_awards_kept_apart(pref):
    got = [(y, pref[("320500", y)]["active_ipdc_demo"], pref[("320500", y)]["exposed_ipdc_demo"],
            pref[("320500", y)]["sub_designated_ipdc_demo"]) for y in range(2011, 2020)]
    # own term 2012-04..2014; inside it 常熟+昆山 2013-09..2016-08, 张家港 2015-03..2018-03
    assert got == [(2011, "0", "0", "0"), (2012, "1", "1", "0"), (2013, "1", "1", "2"), (2014, "1", "1", "2"),
                   (2015, "0", "1", "3"), (2016, "0", "1", "3"), (2017, "0", "1", "1"), (2018, "0", "1", "1"),
                   (2019, "0", "1", "0")]
    assert {pref[("320500", y)]["first_year_ipdc_demo"] for y in range(2007, 2026)} == {"2012"}  # 常熟 does not move it
    assert pref[("320500", 2013)]["cohort_ipdc_demo"] == "2012-04"
    assert pref[("320500", 2013)]["evidence_ipdc_demo"] == "roster"
    assert pref[("320500", 2011)]["evidence_ipdc_demo"] == ""
    assert pref[("320500", 2023)]["evidence_city_demo"] == "text"  # 国知发运字〔2022〕33号, read from its text


def test_changshu_is_its_own_unit_at_county_level(cnty):
    rows = {y: cnty[("320581", y)] for y in range(2011, 2018)}
    assert [rows[y]["exposed_ipdc_demo"] for y in range(2011, 2018)] == ["0", "0", "1", "1", "1", "1", "1"]
    assert {r["first_year_ipdc_demo"] for r in rows.values()} == {"2013"}
    assert [rows[y]["parent_designated_ipdc_demo"] for y in range(2011, 2018)] == ["0", "1", "1", "1", "0", "0", "0"]
    assert (rows[2013]["unit_type"], rows[2013]["unit_type_en"], rows[2013]["parent_code"]) == ("县级市", "county-level city", "320500")


def test_jimo_as_designated_and_in_vintage_2025(release, cnty):
    assert cnty[("370282", 2016)]["name"] == "即墨市" and cnty[("370282", 2016)]["active_ipdc_demo"] == "1"
    assert ("370282", 2018) not in cnty and ("370215", 2017) not in cnty
    assert cnty[("370215", 2018)]["active_ipdc_demo"] == "1"  # the term (to 2019-05) goes on in its successor
    assert cnty[("370215", 2018)]["first_year_ipdc_demo"] == "2016"
    v2025 = keyed(research(release, level="county", vintage=2025).rows)
    row = v2025[("370215", 2016)]
    assert (row["name"], row["vintage_sources"], row["vintage_merged"], row["first_year_ipdc_demo"]) == ("即墨区", "370282", 0, 2016)


def test_haidian_in_several_programmes(cnty):
    row = lambda y: cnty[("110108", y)]  # noqa: E731
    assert [row(y)["active_ipdc_demo"] for y in (2015, 2016, 2019, 2020)] == ["0", "1", "1", "0"]
    assert [row(y)["active_city_demo"] for y in (2021, 2022, 2025)] == ["0", "1", "1"]
    assert [row(y)["active_pz_bldg"] for y in (2023, 2024, 2025)] == ["0", "1", "1"]  # no period: from 2024-01-26 on
    assert (row(2024)["first_year_ipdc_demo"], row(2024)["first_year_city_demo"], row(2024)["first_year_pz_bldg"]) == (
        "2016", "2022", "2024")
    assert row(2024)["evidence_ipdc_demo"] == "roster" and row(2024)["evidence_city_demo"] == "text"


def test_municipalities_both_ways(release, pref, cnty):
    # as-cities (prefecture default): 北京 one unit, its districts' awards inside it, not its own
    assert not any(c.startswith("1101") for c, _ in pref)
    beijing = pref[("110000", 2022)]
    assert (beijing["unit_type"], beijing["parent_code"], beijing["active_city_demo"]) == ("直辖市", "", "0")
    assert beijing["sub_designated_city_demo"] == "2"  # 海淀区, 朝阳区 (annex 1 of the 2022 notice)
    assert beijing["sub_designated_city_pilot"] == "3"  # 丰台区, 石景山区, 大兴区 (annex 2)
    # as-districts: the districts are the units
    as_districts = keyed(research(release, level="prefecture", municipalities="as-districts").rows)
    assert ("110000", 2022) not in as_districts
    haidian = as_districts[("110108", 2022)]
    assert (haidian["unit_type"], haidian["parent_code"], haidian["active_city_demo"]) == ("市辖区", "110000", 1)
    # county level: districts by default; as-cities, 北京 one unit there too
    assert cnty[("110108", 2022)]["parent_code"] == "110000" and ("110000", 2022) not in cnty
    as_cities = keyed(research(release, level="county", municipalities="as-cities").rows)
    assert ("110108", 2022) not in as_cities and as_cities[("110000", 2022)]["sub_designated_city_demo"] == 2


def test_vintage_panel_is_balanced_and_flags_the_laiwu_merger(release):
    panel = research(release, level="prefecture", vintage=2025)
    rows = keyed(panel.rows)
    units = history_units(2025, "prefecture")
    years = range(2007, 2026)
    assert set(rows) == {(c, y) for c in units for y in years}  # units × years
    jinan = rows[("370100", 2018)]
    assert (jinan["vintage_sources"], jinan["vintage_merged"]) == ("370100;371200", 1)  # flagged, never summed
    assert (rows[("370100", 2019)]["vintage_sources"], rows[("370100", 2019)]["vintage_merged"]) == ("370100", 0)


def test_the_papers_64_units(release):
    """The 64 demonstration-city units of 解子恒、何祺、张振堃 (2026), as the README's recipe gets them."""
    pref = research(release, level="prefecture", municipalities="as-districts", vintage=2016).rows
    cnty = research(release, level="county", vintage=2016).rows
    units = {r["code"] for r in pref if r["first_year_ipdc_demo"]}
    units |= {r["code"] for r in cnty if r["first_year_ipdc_demo"] and r["unit_type"] != "地级市"
              and r["parent_code"] not in MUNICIPALITIES}
    with ROSTER.open(encoding="utf-8") as f:
        roster = [r for r in csv.DictReader(line for line in f if not line.startswith("#"))]
    assert len(units) == len(roster) == 64
    first = {r["code"]: r["first_year_ipdc_demo"] for r in [*pref, *cnty] if r["code"] in units}
    by_year = Counter(first.values())
    assert by_year == Counter(int(r["period_start"][:4]) for r in roster) == {2012: 23, 2013: 18, 2015: 12, 2016: 11}


# -- columns and formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["prefecture", "county"])
def test_column_names_fit_stata_and_first_year_is_an_integer(which, prefecture, county):
    header, rows = prefecture if which == "prefecture" else county
    assert all(re.fullmatch(r"[a-z][a-z0-9_]{0,31}", name) for name in header), header
    assert len(header) == len(set(header))
    first = [c for c in header if c.startswith("first_year_")]
    assert first and all(re.fullmatch(r"0|(19|20)[0-9]{2}", r[c]) for r in rows for c in first)  # 0: never treated
    # only the programme × tier pairs in the data: the 2022 notice, the protection zones, the roster
    assert sorted(c.removeprefix("active_") for c in header if c.startswith("active_")) == [
        "city_demo", "city_pilot", "ipdc_demo", "pz_bldg"]


def test_csvw_metadata_and_codebook_describe_every_column(release, prefecture):
    import json

    header, _ = prefecture
    meta = json.loads((release / "panel-prefecture.csv-metadata.json").read_text(encoding="utf-8"))
    assert meta["url"] == "panel-prefecture.csv"
    assert [c["name"] for c in meta["tableSchema"]["columns"]] == header
    assert meta["tableSchema"]["primaryKey"] == ["code", "year"]
    codebook = (release / "panel-prefecture.md").read_text(encoding="utf-8")
    assert all(f"| `{name}` |" in codebook for name in header)
    assert "| 2019 | 337 |" in codebook and "| 2018 | 338 |" in codebook


def test_dta_reads_back_with_variable_and_value_labels(release, tmp_path):
    import pandas as pd

    from cnipa_kg.pipeline import write_panel

    panel = research(release, level="county")
    out = tmp_path / "county.dta"
    write_panel(panel, "dta", out)
    with pd.io.stata.StataReader(out) as reader:
        frame = reader.read(convert_categoricals=False)
        labels, values = reader.variable_labels(), reader.value_labels()
    assert len(frame) == len(panel.rows) and list(frame.columns) == [c.name for c in panel.columns]
    assert labels["first_year_ipdc_demo"].startswith("first year designated, 0 never")
    assert all(len(label) <= 80 for label in labels.values())
    assert values["first_year_ipdc_demo"] == {0: "never designated"}
    assert values["active_city_demo"] == {0: "no", 1: "yes"}
    row = frame[(frame.code == "320581") & (frame.year == 2013)].iloc[0]
    assert row.first_year_ipdc_demo == 2013 and row.active_ipdc_demo == 1
    decoded = pd.read_stata(out)
    assert decoded[(decoded.code == "320581") & (decoded.year == 2013)].iloc[0].unit_type == "县级市"


def test_parquet_reads_back_with_its_types(release, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cnipa_kg.pipeline import write_panel

    panel = research(release, level="prefecture", vintage=2025)
    out = tmp_path / "p.parquet"
    write_panel(panel, "parquet", out)
    table = pq.read_table(out)
    types = {f.name: f.type for f in table.schema}
    assert types["year"] == pa.int16() and types["first_year_ipdc_demo"] == pa.int16()
    assert types["active_ipdc_demo"] == pa.int8() and types["vintage_merged"] == pa.int8()
    assert pa.types.is_dictionary(types["unit_type"]) and pa.types.is_dictionary(types["evidence_ipdc_demo"])
    assert pa.types.is_string(types["code"]) or pa.types.is_large_string(types["code"])
    assert table.num_rows == len(panel.rows)
    assert b"cnipa-kg.labels" in table.schema.metadata


def test_python_api_returns_a_dataframe_from_the_shipped_sources():
    import cnipa_kg

    frame = cnipa_kg.panel(level="county")
    assert str(frame["first_year_ipdc_demo"].dtype) == "int16" and str(frame["active_city_demo"].dtype) == "int8"
    assert frame[(frame.code == "320581") & (frame.year == 2013)].iloc[0].first_year_ipdc_demo == 2013
    assert frame.groupby("year").size().loc[2019] == len(history_units(2019, "county"))


# -- the command line ------------------------------------------------------------------------------------


def test_cli_writes_each_format_and_says_what(runner, release, tmp_path):
    for name in ("p.csv", "p.dta", "p.parquet", "p.md", "p.json"):
        result = invoke(runner, "panel", "--data", release, "--level", "county", "--out", tmp_path / name)
        assert result.exit_code == 0, result.output
        assert "54," in result.output and "rows (county units × years 2007-2025" in result.output
    assert (tmp_path / "p.csv").read_bytes() == (release / "panel-county.csv").read_bytes()
    assert (tmp_path / "p.md").read_bytes().startswith(b"# Codebook: panel-county.csv")


def test_cli_csv_to_stdout(runner, release):
    result = invoke(runner, "panel", "--data", release, "--years", "2012-2013", "--active", "mid-year")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("code,name,name_en,unit_type")
    assert len(lines) == 1 + len(history_units(2012, "prefecture")) + len(history_units(2013, "prefecture"))


@pytest.mark.parametrize("args, says", [
    (["--vintage", "1970"], "vintage 1970"),
    (["--vintage", "latest"], "--vintage"),
    (["--years", "2020-2010"], "--years"),
    (["--years", "1900-2000"], "1981-2026"),
    (["--format", "dta"], "give --out FILE"),
    (["--level", "township"], "--level"),
])
def test_cli_bad_options_are_usage_errors(runner, release, args, says):
    result = invoke(runner, "panel", "--data", release, *args)
    assert result.exit_code == 2 and says in result.output, result.output
    assert "Traceback" not in result.output


def test_cli_refuses_a_folder_that_is_not_a_release_and_a_link_as_out(runner, release, tmp_path):
    result = invoke(runner, "panel", "--data", tmp_path)
    assert result.exit_code == 2 and "designations.csv: not found" in result.output
    (tmp_path / "mine.txt").write_text("mine")
    (tmp_path / "link.csv").symlink_to(tmp_path / "mine.txt")
    result = invoke(runner, "panel", "--data", release, "--out", tmp_path / "link.csv")
    assert result.exit_code == 2 and "symbolic link" in result.output
    assert (tmp_path / "mine.txt").read_text() == "mine"


def test_a_designations_csv_of_another_kind_names_file_and_line(runner, tmp_path):
    (tmp_path / "designations.csv").write_text("designation,adcode\nx,110108\n", encoding="utf-8")
    result = invoke(runner, "panel", "--data", tmp_path)
    assert result.exit_code == 2 and "designations.csv:2: no column" in result.output


def test_help_explains(runner):
    result = invoke(runner, "panel", "--help")
    text = " ".join(result.output.split())
    assert result.exit_code == 0
    for words in ("--vintage designated|YEAR", "as-cities", "any-day", "dta (Stata 118", "pip install 'cnipa-kg[panel]'"):
        assert words in text, words


def test_without_pandas_the_csv_path_works_and_dta_says_what_to_install(release, tmp_path):
    """pandas and pyarrow are an extra: blocked here as if not installed (sys.modules[name] = None)."""
    import subprocess
    import sys

    script = ("import sys; sys.modules['pandas'] = sys.modules['pyarrow'] = None\n"
              "from cnipa_kg.cli import main; main()")
    run = lambda *args: subprocess.run([sys.executable, "-c", script, "panel", "--data", str(release), *args],  # noqa: E731
                                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    csv_run = run("--out", "p.csv")
    assert csv_run.returncode == 0, csv_run.stderr
    assert (tmp_path / "p.csv").read_bytes() == (release / "panel-prefecture.csv").read_bytes()
    dta_run = run("--out", "p.dta")
    assert dta_run.returncode == 2 and "pip install 'cnipa-kg[panel]'" in dta_run.stderr, dta_run.stderr
    assert "Traceback" not in dta_run.stderr and not (tmp_path / "p.dta").exists()


def test_a_rebuild_removes_the_retired_city_year_panel(tmp_path):
    from conftest import NOTICE

    from cnipa_kg.pipeline import build

    out = tmp_path / "dist"
    build([NOTICE], out=out)
    (out / "city-year-panel.csv").write_text("adcode,year\n", encoding="utf-8")  # as an earlier release wrote it
    (out / "mine.csv").write_text("a user's file\n", encoding="utf-8")
    build([NOTICE], out=out)
    assert not (out / "city-year-panel.csv").exists()
    assert (out / "mine.csv").read_text(encoding="utf-8") == "a user's file\n"  # the user's stays
    assert (out / "panel-county.csv").is_file() and (out / "panel-prefecture.md").is_file()
