"""Printed place names → divisions at prefecture or county level (issue 15), against the ministry's table."""

from __future__ import annotations

import time

import pytest

from cnipa_kg.reference.divisions import code_table
from cnipa_kg.reference.printed import forms, normalize
from cnipa_kg.reference.resolve import AmbiguousName, NameNotFound, resolve_name


def _check(printed: str, province: str | None, code: str, name: str) -> None:
    assert code_table().by_code[code].name == name, "the pinned code is not the table's"
    assert resolve_name(printed, province=province).code == code


# printed, province cell, code, the table's name
PLAIN = [
    ("宜兴市", "江苏", "320282", "宜兴市"),
    ("昆山市", "江苏", "320583", "昆山市"),
    ("海淀区", "北京", "110108", "海淀区"),
    ("朝阳区", "北京", "110105", "朝阳区"),
    ("朝阳区", "吉林", "220104", "朝阳区"),
    ("朝阳区", "吉林省", "220104", "朝阳区"),
    ("吉林市", "吉林", "220200", "吉林市"),  # the prefecture, not the province 220000
    ("仙桃市", "湖北", "429004", "仙桃市"),  # county-level city directly under the province
    ("两江新区", "重庆", "500157", "两江新区"),
]

PROVINCE_BEFORE = [
    ("江苏省宜兴市", "320282", "宜兴市"),
    ("福建省厦门市", "350200", "厦门市"),
    ("北京市海淀区", "110108", "海淀区"),
    ("广东省深圳市", "440300", "深圳市"),
    ("浙江省杭州市滨江区", "330108", "滨江区"),
    ("江苏苏州昆山市", "320583", "昆山市"),
    ("新疆维吾尔自治区昌吉回族自治州", "652300", "昌吉回族自治州"),
    ("内蒙古自治区呼和浩特市", "150100", "呼和浩特市"),
    ("宁夏回族自治区银川市", "640100", "银川市"),
    ("广西壮族自治区桂林市", "450300", "桂林市"),
    ("广西桂林", "450300", "桂林市"),
    ("上海浦东", "310115", "浦东新区"),
]

SHORT_FORMS = [
    ("新疆自治区昌吉州", None, "652300", "昌吉回族自治州"),
    ("湘西州", "湖南", "433100", "湘西土家族苗族自治州"),
    ("恩施州", "湖北", "422800", "恩施土家族苗族自治州"),
    ("延边州", "吉林", "222400", "延边朝鲜族自治州"),
    ("黔东南州", "贵州", "522600", "黔东南苗族侗族自治州"),
    ("大理州", "云南", "532900", "大理白族自治州"),
    ("甘孜州", "四川", "513300", "甘孜藏族自治州"),
    ("阿坝州", "四川", "513200", "阿坝藏族羌族自治州"),
    ("伊犁州", "新疆", "654000", "伊犁哈萨克自治州"),
    ("宜兴", "江苏", "320282", "宜兴市"),
    ("大兴安岭", "黑龙江", "232700", "大兴安岭地区"),
    ("锡林郭勒", "内蒙古", "152500", "锡林郭勒盟"),
    ("神农架", "湖北", "429021", "神农架林区"),
    ("长阳县", "湖北", "420528", "长阳土家族自治县"),
    ("鄂温克旗", "内蒙古", "150724", "鄂温克族自治旗"),
    ("石河子市", "兵团", "659001", "石河子市"),
    ("石河子市", "新疆生产建设兵团", "659001", "石河子市"),
    ("兵团石河子市", None, "659001", "石河子市"),
    ("新疆生产建设兵团第八师石河子市", None, "659001", "石河子市"),
    ("五家渠市", "新疆", "659004", "五家渠市"),
]

PREFECTURE_BEFORE = [
    ("苏州市昆山市", "320583", "昆山市"),
    ("无锡市宜兴市", "320282", "宜兴市"),
    ("南京市鼓楼区", "320106", "鼓楼区"),
    ("徐州鼓楼区", "320302", "鼓楼区"),
    ("阳泉市城区", "140302", "城区"),
    ("长春市朝阳区", "220104", "朝阳区"),
    ("恩施州恩施市", "422801", "恩施市"),
]


@pytest.mark.parametrize(("printed", "province", "code", "name"), PLAIN, ids=[f"{r[0]}-{r[1]}" for r in PLAIN])
def test_plain_names_resolve_in_their_province(printed, province, code, name):
    _check(printed, province, code, name)


@pytest.mark.parametrize(("printed", "code", "name"), PROVINCE_BEFORE, ids=[r[0] for r in PROVINCE_BEFORE])
def test_the_province_printed_before_the_name(printed, code, name):
    _check(printed, None, code, name)
    province = code_table().by_code[code[:2] + "0000"].name
    _check(printed, province, code, name)  # the cell agrees with the printed province


@pytest.mark.parametrize(("printed", "province", "code", "name"), SHORT_FORMS, ids=[r[0] for r in SHORT_FORMS])
def test_informal_short_forms(printed, province, code, name):
    _check(printed, province, code, name)


@pytest.mark.parametrize(("printed", "code", "name"), PREFECTURE_BEFORE, ids=[r[0] for r in PREFECTURE_BEFORE])
def test_a_prefecture_printed_before_a_county_level_unit(printed, code, name):
    _check(printed, None, code, name)


def test_a_county_under_another_prefecture_is_not_found():
    with pytest.raises(NameNotFound):
        resolve_name("南京市昆山市")


@pytest.mark.parametrize(("printed", "province", "nearest", "name"), [
    ("江宁县", "江苏", "320115", "江宁区"),  # county turned district
    ("襄樊市", "湖北", "420600", "襄阳市"),  # renamed 2010
    ("莱芜市", "山东", "370116", "莱芜区"),  # merged into 济南 2019
    ("吐鲁番地区", "新疆", "650400", "吐鲁番市"),  # 地区 turned 市
    ("苏州昆山县", None, "320583", "昆山市"),  # close names under the prefecture printed
])
def test_changed_names_are_not_found_with_the_closest_candidates(printed, province, nearest, name):
    assert code_table().by_code[nearest].name == name
    with pytest.raises(NameNotFound) as caught:
        resolve_name(printed, province=province)
    assert caught.value.printed == printed
    assert caught.value.candidates[0].code == nearest
    assert f"did you mean {name} ({nearest}" in str(caught.value)


def test_the_not_found_message_reads_as_a_diagnostic():
    with pytest.raises(NameNotFound) as caught:
        resolve_name("江宁县", province="江苏")
    message = str(caught.value)
    assert message.startswith("江宁县 (江苏): no division of that name in 江苏省 as of 2025-12-31; did you mean 江宁区 (320115)")
    assert isinstance(caught.value, ValueError)


def test_a_name_from_another_province_says_where_it_is():
    with pytest.raises(NameNotFound) as caught:
        resolve_name("昆山市", province="浙江")
    assert all(d.code.startswith("33") for d in caught.value.candidates)
    assert "(elsewhere: 昆山市 320583 in 江苏省)" in str(caught.value)
    with pytest.raises(NameNotFound):
        resolve_name("浙江省昆山市")


@pytest.mark.parametrize(("printed", "province", "codes", "parents"), [
    ("朝阳区", None, ["110105", "220104"], ["北京市", "长春市"]),  # no province
    ("城区", "山西", ["140302", "140502"], ["阳泉市", "晋城市"]),  # two prefectures of one province
    ("桥西区", "河北", ["130104", "130703"], ["石家庄市", "张家口市"]),
    ("鼓楼区", "江苏", ["320106", "320302"], ["南京市", "徐州市"]),
    ("朝阳", "辽宁", ["211300", "211321"], ["辽宁省", "朝阳市"]),  # two levels: 朝阳市 and 朝阳县
    ("大理", "云南", ["532900", "532901"], ["云南省", "大理白族自治州"]),  # 大理州 and 大理市
    ("通州", None, ["110112", "320612"], ["北京市", "南通市"]),
    ("阿克苏", "新疆", ["652900", "652901"], ["新疆维吾尔自治区", "阿克苏地区"]),  # 地区 and its seat
])
def test_ambiguous_names_list_every_candidate(printed, province, codes, parents):
    with pytest.raises(AmbiguousName) as caught:
        resolve_name(printed, province=province)
    assert caught.value.printed == printed
    assert [d.code for d in caught.value.candidates] == codes
    message = str(caught.value)
    for division, parent in zip(caught.value.candidates, parents):
        assert f"{division.code} {division.name} ({parent})" in message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("printed", ["江苏省 宜兴市", "江苏省\u3000宜兴市", " 宜兴市 ", "宜兴市（原宜兴县）",
                                     "宜兴市(县级市)", "江苏\u3000无锡 宜兴市（2025年）"])
def test_whitespace_and_trailing_notes_are_ignored(printed):
    assert resolve_name(printed, province="江苏").code == "320282"


def test_normalize():
    assert normalize("\u3000浙江省 杭州市\t滨江区（注）") == "浙江省杭州市滨江区"
    assert normalize("（注）") == "(注)"  # a note and nothing else: kept


def test_levels_select_the_unit_wanted():
    with pytest.raises(NameNotFound, match="names a province 110000"):
        resolve_name("北京市")
    assert resolve_name("北京市", levels=("province", "prefecture", "district")).code == "110000"
    assert resolve_name("昆山市", province="江苏", levels=("district",)).code == "320583"
    with pytest.raises(NameNotFound):
        resolve_name("苏州市", levels=("district",))
    with pytest.raises(ValueError):
        resolve_name("苏州市", levels=("township",))


def test_an_unknown_province_cell_is_reported():
    with pytest.raises(NameNotFound, match="no province called '火星'"):
        resolve_name("宜兴市", province="火星")
    assert resolve_name("宜兴市", province="江苏省").code == "320282"
    assert resolve_name("昌吉州", province="新疆自治区").code == "652300"


def test_forms_come_from_the_table():
    by_code = code_table().by_code
    assert ("湘西州", 1) in forms(by_code["433100"]) and ("湘西", 1) in forms(by_code["433100"])
    assert ("新疆自治区", 1) in forms(by_code["650000"]) and ("兵团", 0) in forms(by_code["650000"])
    assert forms(by_code["140302"]) == [("城区", 0)]  # one character left: no short form
    assert ("宜兴", 1) in forms(by_code["320282"])


def _below_province():
    return [d for d in code_table().by_code.values() if d.level != "province"]


def test_every_division_resolves_by_its_table_name_in_its_province():
    by_code = code_table().by_code
    for division in _below_province():
        province = by_code[division.province_code].name
        try:
            assert resolve_name(division.name, province=province) == division
        except AmbiguousName as e:
            assert division in e.candidates and len(e.candidates) > 1


def test_every_division_resolves_by_province_and_prefecture_printed_before_it():
    by_code = code_table().by_code
    for division in _below_province():
        chain = [by_code[division.province_code].name]
        if division.parent and by_code[division.parent].level == "prefecture":
            chain.append(by_code[division.parent].name)
        assert resolve_name("".join(chain) + division.name) == division, chain


def test_every_autonomous_prefecture_resolves_by_its_zhou_form():
    by_code = code_table().by_code
    prefectures = [d for d in by_code.values() if d.name.endswith("自治州")]
    assert len(prefectures) == 30
    for division in prefectures:
        short = next(form for form, cost in forms(division) if cost and form.endswith("州") and "自治" not in form)
        assert resolve_name(short, province=by_code[division.province_code].name) == division


def test_resolving_is_fast_once_indexed():
    resolve_name("宜兴市", province="江苏")
    start = time.perf_counter()
    for _ in range(200):
        resolve_name("浙江省杭州市滨江区")
        resolve_name("湘西州", province="湖南")
    assert time.perf_counter() - start < 1.0
