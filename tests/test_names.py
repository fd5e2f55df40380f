"""Division names in three scripts (issue 6): zh as printed, conventional English, pinyin with tones."""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF, SKOS

from cnipa_kg.reference.names import english_name, pinyin_name, split_name
from cnipa_kg.core.vocab import CKG

BASE = "https://w3id.org/cnipa-kg/"
PINYIN = "zh-latn-pinyin"

# adcode, zh, en, pinyin (None: not pinned)
LABELS = [
    ("230100", "哈尔滨市", "Harbin", "Hā'ěrbīn Shì"),
    ("150100", "呼和浩特市", "Hohhot", "Hūhéhàotè Shì"),
    ("610100", "西安市", "Xi'an", "Xī'ān Shì"),
    ("650100", "乌鲁木齐市", "Urumqi", "Wūlǔmùqí Shì"),
    ("650200", "克拉玛依市", "Karamay", "Kèlāmǎyī Shì"),
    ("652300", "昌吉回族自治州", "Changji Hui Autonomous Prefecture", "Chāngjí Huízú Zìzhìzhōu"),
    ("310115", "浦东新区", "Pudong New Area", "Pǔdōng Xīnqū"),
    ("310112", "闵行区", "Minhang District", "Mǐnháng Qū"),
    ("220100", "长春市", "Changchun", "Chángchūn Shì"),
    ("110105", "朝阳区", "Chaoyang District", "Cháoyáng Qū"),
    ("110108", "海淀区", "Haidian District", "Hǎidiàn Qū"),
    ("610000", "陕西省", "Shaanxi", "Shǎnxī Shěng"),
    ("140000", "山西省", "Shanxi", "Shānxī Shěng"),
    ("150000", "内蒙古自治区", "Inner Mongolia", "Nèi Měnggǔ Zìzhìqū"),
    ("120116", "滨海新区", "Binhai New Area", "Bīnhǎi Xīnqū"),
    ("500108", "南岸区", "Nan'an District", "Nán'àn Qū"),
    ("441900", "东莞市", "Dongguan", "Dōngguǎn Shì"),
    ("110000", "北京市", "Beijing", "Běijīng Shì"),
]


def _labels(graph, code: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for o in graph.objects(URIRef(f"{BASE}division/{code}"), SKOS.prefLabel):
        out.setdefault((o.language or "").lower(), []).append(str(o))
    return out


@pytest.mark.parametrize(("code", "zh", "en", "pinyin"), LABELS, ids=[row[1] for row in LABELS])
def test_graph_division_labels_pinned(graph, code, zh, en, pinyin):
    labels = _labels(graph, code)
    assert labels.get("zh") == [zh]
    assert labels.get("en") == [en]
    assert labels.get(PINYIN) == [pinyin]


def test_graph_apostrophes_are_ascii(graph):
    assert _labels(graph, "610100")["en"] == ["Xi\u0027an"]
    assert "\u2019" not in "".join(_labels(graph, "610100")[PINYIN])


def test_graph_every_division_has_one_label_per_language(graph):
    divisions = set(graph.subjects(RDF.type, CKG.AdministrativeDivision))
    assert len(divisions) > 350
    for node in divisions:
        langs = Counter((o.language or "").lower() for o in graph.objects(node, SKOS.prefLabel))
        assert langs == Counter({"zh": 1, "en": 1, PINYIN: 1}), (node, langs)


def test_graph_pinyin_tag_is_well_formed(graph):
    tags = {o.language for o in graph.objects(None, SKOS.prefLabel) if o.language and o.language.lower().startswith("zh-")}
    assert {t.lower() for t in tags} == {PINYIN}


def test_designations_csv_names_in_three_scripts(release_dir):
    import csv

    with (release_dir / "designations.csv").open(encoding="utf-8", newline="") as f:
        rows = {r["adcode"]: r for r in csv.DictReader(f)}
    assert (rows["230100"]["name"], rows["230100"]["name_en"], rows["230100"]["name_pinyin"]) == ("哈尔滨市", "Harbin", "Hā'ěrbīn Shì")
    assert (rows["652300"]["name_en"], rows["652300"]["name_pinyin"]) == ("Changji Hui Autonomous Prefecture", "Chāngjí Huízú Zìzhìzhōu")
    assert rows["310112"]["name_pinyin"] == "Mǐnháng Qū"
    assert all(r["name_en"] and r["name_pinyin"] for r in rows.values())


# -- unit tests of names ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "parts"), [
    ("昌吉回族自治州", ("昌吉", "回族", "自治州")),
    ("湘西土家族苗族自治州", ("湘西", "土家族苗族", "自治州")),
    ("浦东新区", ("浦东", "", "新区")),
    ("海淀区", ("海淀", "", "区")),
    ("哈尔滨市", ("哈尔滨", "", "市")),
    ("陕西省", ("陕西", "", "省")),
    ("大兴安岭地区", ("大兴安岭", "", "地区")),
    ("神农架林区", ("神农架", "", "林区")),
    ("锡林郭勒盟", ("锡林郭勒", "", "盟")),
    ("长沙县", ("长沙", "", "县")),
    ("北京", ("北京", "", "")),
])
def test_split_name_gives_proper_part_groups_suffix(name, parts):
    assert split_name(name) == parts


def test_split_name_keeps_bare_suffix_whole():
    assert split_name("区") == ("区", "", "")


@pytest.mark.parametrize(("name", "level", "adcode", "english"), [
    ("海淀区", "district", None, "Haidian District"),
    ("浦东新区", "district", None, "Pudong New Area"),
    ("西安市", "prefecture", None, "Xi'an"),
    ("南岸区", "district", None, "Nan'an District"),
    ("长春市", "prefecture", None, "Changchun"),
    ("昌吉回族自治州", "prefecture", None, "Changji Hui Autonomous Prefecture"),
    ("湘西土家族苗族自治州", "prefecture", None, "Xiangxi Tujia and Miao Autonomous Prefecture"),
    ("延边朝鲜族自治州", "prefecture", None, "Yanbian Korean Autonomous Prefecture"),
    ("长沙县", "district", None, "Changsha County"),
    ("河北省", "province", None, "Hebei"),
    ("哈尔滨市", "prefecture", "230100", "Harbin"),
    ("呼和浩特市", "prefecture", "150100", "Hohhot"),
    ("乌鲁木齐市", "prefecture", "650100", "Urumqi"),
    ("克拉玛依市", "prefecture", "650200", "Karamay"),
    ("陕西省", "province", "610000", "Shaanxi"),
    ("内蒙古自治区", "province", "150000", "Inner Mongolia"),
])
def test_english_name_conventional(name, level, adcode, english):
    assert english_name(name, level=level, adcode=adcode) == english


@pytest.mark.parametrize(("name", "english"), [
    ("陕西省", "Shaanxi"),  # plain pinyin would be Shanxi, i.e. 山西
    ("哈尔滨市", "Harbin"),
    ("乌鲁木齐市", "Urumqi"),
])
def test_english_name_without_adcode_still_conventional(name, english):
    """The adcode is optional in the signature; the proper name alone must not give another place's name."""
    level = "province" if name.endswith("省") else "prefecture"
    assert english_name(name, level=level) == english


def test_english_name_city_drops_shi_suffix():
    assert english_name("苏州市", level="prefecture") == "Suzhou"
    assert english_name("昆山市", level="district") == "Kunshan"


@pytest.mark.parametrize(("name", "pinyin"), [
    ("海淀区", "Hǎidiàn Qū"),
    ("西安市", "Xī'ān Shì"),
    ("哈尔滨市", "Hā'ěrbīn Shì"),
    ("闵行区", "Mǐnháng Qū"),
    ("长春市", "Chángchūn Shì"),
    ("朝阳区", "Cháoyáng Qū"),
    ("南岸区", "Nán'àn Qū"),
    ("重庆市", "Chóngqìng Shì"),
    ("长沙县", "Chángshā Xiàn"),
    ("昌吉回族自治州", "Chāngjí Huízú Zìzhìzhōu"),
    ("浦东新区", "Pǔdōng Xīnqū"),
    ("陕西省", "Shǎnxī Shěng"),
])
def test_pinyin_name_tones_polyphones_apostrophes(name, pinyin):
    assert pinyin_name(name) == pinyin
