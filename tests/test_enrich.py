"""Enrichment (issue 6): division codes, parents, levels, the division hierarchy, provenance.

The golden table tests/golden/divisions-2022-33.tsv is derived by hand from the notice and the
ministry's code table; the traps of the issue (朝阳区, 吉林市, municipal districts, 东莞/中山) are
pinned one by one.
"""

from __future__ import annotations

import csv
import hashlib

import pytest
from conftest import GOLDEN, NOTICE, invoke, read_tsv
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS

from cnipa_kg.reference import divisions
from cnipa_kg.core.errors import InputError
from cnipa_kg.reference.provinces import lookup
from cnipa_kg.core.vocab import CKG

BASE = "https://w3id.org/cnipa-kg/"
NOTICE_IRI = URIRef(f"{BASE}eli/notice/gzfyz/2022/33")
LEVEL = {"province": CKG.provinceLevel, "prefecture": CKG.prefectureLevel, "district": CKG.districtLevel}
MUNICIPALITIES = {"11": "110000", "12": "120000", "31": "310000", "50": "500000"}
NOT_MAINLAND = ("71", "81", "82")
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")


def div(code: str) -> URIRef:
    return URIRef(f"{BASE}division/{code}")


def designation(annex: int, serial: int) -> URIRef:
    return URIRef(f"{NOTICE_IRI}/annex/{annex}/{serial}")


@pytest.fixture(scope="module")
def golden() -> list[dict[str, str]]:
    rows = read_tsv(GOLDEN / "divisions-2022-33.tsv")
    assert len(rows) == 110
    return rows


@pytest.fixture(scope="module")
def csv_rows(release_dir) -> list[dict[str, str]]:
    with (release_dir / "designations.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 110
    return rows


# -- codes, parents, levels against the golden table ------------------------------------------


def test_designations_csv_matches_golden_codes_parents_levels(golden, csv_rows):
    keys = ("annex", "serial", "name", "adcode", "parent_adcode", "division_level")
    got = [tuple(r[k] for k in keys) for r in csv_rows]
    want = [tuple(r[k] for k in keys) for r in golden]
    mismatches = [(g, w) for g, w in zip(got, want) if g != w]
    assert not mismatches, mismatches[:10]
    assert got == want


def test_graph_matches_golden_codes_parents_levels_provinces(graph, golden):
    for row in golden:
        d = designation(int(row["annex"]), int(row["serial"]))
        node = graph.value(d, CKG.designee)
        assert node == div(row["adcode"]), row
        assert graph.value(node, CKG.adcode) == Literal(row["adcode"]), row
        assert set(graph.objects(node, SKOS.broader)) == {div(row["parent_adcode"])}, row
        assert set(graph.objects(node, CKG.divisionLevel)) == {LEVEL[row["division_level"]]}, row
        assert set(graph.objects(node, CKG.province)) == {div(row["province_adcode"])}, row
        assert Literal(row["name"], lang="zh") in set(graph.objects(node, SKOS.prefLabel)), row


# -- the traps ----------------------------------------------------------------------------------


def test_resolve_chaoyang_in_beijing_gives_110105_not_changchuns():
    assert [d.code for d in divisions.named_in(lookup("北京"), "朝阳区")] == ["110105"]
    assert [d.code for d in divisions.named_in(lookup("吉林"), "朝阳区")] == ["220104"]


def test_build_chaoyang_in_beijing_is_110105(graph):
    node = graph.value(designation(1, 2), CKG.designee)
    assert node == div("110105")
    assert (None, CKG.designee, div("220104")) not in graph


def test_resolve_jilin_city_gives_prefecture_not_province():
    found = divisions.named_in(lookup("吉林"), "吉林市")
    assert [(d.code, d.level, d.parent) for d in found] == [("220200", "prefecture", "220000")]


def test_enrich_municipal_districts_have_municipality_as_broader(graph, golden):
    seen = set()
    for row in golden:
        prefix = row["adcode"][:2]
        if prefix not in MUNICIPALITIES:
            continue
        node = div(row["adcode"])
        assert set(graph.objects(node, SKOS.broader)) == {div(MUNICIPALITIES[prefix])}, row
        assert graph.value(node, CKG.divisionLevel) == CKG.districtLevel, row
        seen.add(prefix)
    assert seen == set(MUNICIPALITIES)  # a district of each of 北京 天津 上海 重庆 is designated
    for code in MUNICIPALITIES.values():
        assert graph.value(div(code), CKG.divisionLevel) == CKG.provinceLevel
        assert graph.value(div(code), SKOS.broader) is None


@pytest.mark.parametrize(("code", "name"), [("441900", "东莞市"), ("442000", "中山市")])
def test_enrich_prefecture_level_city_without_districts_is_prefecture(graph, code, name):
    node = div(code)
    assert (None, CKG.designee, node) in graph
    assert graph.value(node, CKG.divisionLevel) == CKG.prefectureLevel
    assert set(graph.objects(node, SKOS.broader)) == {div("440000")}
    assert graph.value(node, CKG.province) == div("440000")
    assert Literal(name, lang="zh") in set(graph.objects(node, SKOS.prefLabel))


# -- names that resolve to no code or to two: FILE:LINE, exit 2 -----------------------------


def _broken_copy(tmp_path, old: str, new: str):
    text = NOTICE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "notice-broken.txt"
    path.write_text(text.replace(old, new), encoding="utf-8")
    line = next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if new in t)
    return path, line


def test_build_unknown_name_exits_2_naming_file_and_line(runner, tmp_path):
    path, line = _broken_copy(tmp_path, "2 朝阳区", "2 火星区")
    out = tmp_path / "out"
    result = invoke(runner, "build", path, "--out", out, "-q")
    assert result.exit_code == 2, result.output
    assert f"{path}:{line}:" in result.stderr
    assert "火星区" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()  # nothing written


def test_build_unknown_name_raises_input_error(tmp_path):
    from cnipa_kg.pipeline import build_graph

    path, line = _broken_copy(tmp_path, "2 朝阳区", "2 火星区")
    with pytest.raises(InputError) as exc:
        build_graph([path])
    assert exc.value.line == line
    assert str(exc.value).startswith(f"{path}:{line}:")


def _ambiguous_in_jiangsu() -> tuple[str, list[str]]:
    pairs = {name: [d.code for d in found] for (prefix, name), found in divisions.code_table().by_prefix_name.items()
             if prefix == "32" and len(found) == 2}
    assert "鼓楼区" in pairs, pairs  # 南京 320106 and 徐州 320302
    return "鼓楼区", pairs["鼓楼区"]


def test_build_ambiguous_name_exits_2_naming_file_line_and_codes(runner, tmp_path):
    name, codes = _ambiguous_in_jiangsu()
    path, line = _broken_copy(tmp_path, "11 苏州市", f"11 {name}")  # a 江苏 row of annex 1
    out = tmp_path / "out"
    result = invoke(runner, "build", path, "--out", out, "-q")
    assert result.exit_code == 2, result.output
    assert f"{path}:{line}:" in result.stderr
    for code in codes:
        assert code in result.stderr
    assert not out.exists()


def test_build_ambiguous_name_raises_input_error(tmp_path):
    from cnipa_kg.pipeline import build_graph

    name, _ = _ambiguous_in_jiangsu()
    path, line = _broken_copy(tmp_path, "11 苏州市", f"11 {name}")
    with pytest.raises(InputError) as exc:
        build_graph([path])
    assert exc.value.line == line
    assert "ambiguous" in exc.value.message


# -- the hierarchy: every province and prefecture-level unit -----------------------------------


def test_enrich_adds_every_province_and_prefecture_of_the_code_table(graph):
    table = divisions.code_table()
    mainland = [d for d in table.by_code.values()
                if d.level in ("province", "prefecture") and d.code[:2] not in NOT_MAINLAND]
    provinces = [d for d in mainland if d.level == "province"]
    assert len(provinces) == 31
    assert len(mainland) > 300
    for d in mainland:
        node = div(d.code)
        assert (node, RDF.type, CKG.AdministrativeDivision) in graph, d
        assert graph.value(node, CKG.adcode) == Literal(d.code), d
        assert set(graph.objects(node, CKG.divisionLevel)) == {LEVEL[d.level]}, d
        broader = set(graph.objects(node, SKOS.broader))
        if d.level == "province":
            assert broader == set(), d
            assert graph.value(node, CKG.province) is None, d
        else:
            assert broader == {div(d.parent)}, d
            assert d.parent == d.code[:2] + "0000", d
            assert graph.value(node, CKG.province) == div(d.code[:2] + "0000"), d


def test_enrich_leaves_out_taiwan_hong_kong_macao_unless_designated(graph):
    for prefix in NOT_MAINLAND:
        assert (div(prefix + "0000"), RDF.type, CKG.AdministrativeDivision) not in graph


def test_enrich_every_division_parent_is_in_graph(graph):
    for node in graph.subjects(RDF.type, CKG.AdministrativeDivision):
        for parent in graph.objects(node, SKOS.broader):
            assert (parent, RDF.type, CKG.AdministrativeDivision) in graph, (node, parent)


# -- provenance ---------------------------------------------------------------------------------


def test_enrich_every_designation_derives_from_its_source_row(graph, notice_path):
    sha = hashlib.sha256(notice_path.read_bytes()).hexdigest()
    designations = list(graph.subjects(RDF.type, CKG.Designation))
    assert len(designations) == 110
    n_lines = len(notice_path.read_text(encoding="utf-8").splitlines())
    for d in designations:
        rows = list(graph.objects(d, PROV.wasDerivedFrom))
        assert len(rows) == 1, d
        row = rows[0]
        assert (row, RDF.type, PROV.Entity) in graph
        lines = [int(x) for x in graph.objects(row, CKG.sourceLine)]
        assert lines and all(1 <= n <= n_lines for n in lines), (d, lines)
        assert all(x.datatype == XSD_INTEGER for x in graph.objects(row, CKG.sourceLine))
        texts = list(graph.objects(row, CKG.rowText))
        assert len(texts) == 1 and str(texts[0]).strip(), d
        serial = str(graph.value(d, CKG.serialNumber))
        assert str(texts[0]).split()[0] == serial, (d, texts[0])
        sources = list(graph.objects(row, PROV.wasDerivedFrom))
        assert len(sources) == 1, d
        source = sources[0]
        assert graph.value(source, DCTERMS.title) == Literal(notice_path.name)
        assert str(graph.value(source, CKG.sha256)) == sha


def test_enrich_row_text_is_on_its_source_lines(graph, notice_path):
    text = notice_path.read_text(encoding="utf-8").splitlines()
    for d in graph.subjects(RDF.type, CKG.Designation):
        row = graph.value(d, PROV.wasDerivedFrom)
        printed = " ".join(text[int(n) - 1].strip() for n in sorted(int(x) for x in graph.objects(row, CKG.sourceLine)))
        assert " ".join(printed.split()) == str(graph.value(row, CKG.rowText)), d


def test_enrich_annex1_row1_source_lines_and_text(graph):
    row = graph.value(designation(1, 1), PROV.wasDerivedFrom)
    assert row is not None
    assert sorted(int(x) for x in graph.objects(row, CKG.sourceLine)) == [76, 77, 79]
    assert graph.value(row, CKG.rowText) == Literal("1 北京 海淀区", lang="zh")


def test_designations_csv_source_line_of_row1(csv_rows):
    assert csv_rows[0]["source_line"] == "76;77;79"
    assert csv_rows[0]["name"] == "海淀区"


def test_enrich_build_activity_used_the_source_with_its_hash(graph, notice_path):
    sha = hashlib.sha256(notice_path.read_bytes()).hexdigest()
    activities = list(graph.subjects(RDF.type, PROV.Activity))
    assert len(activities) == 1
    used = list(graph.objects(activities[0], PROV.used))
    assert used
    assert {str(graph.value(s, CKG.sha256)) for s in used} == {sha}
    assert (NOTICE_IRI, PROV.wasDerivedFrom, used[0]) in graph
