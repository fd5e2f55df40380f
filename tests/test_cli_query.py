"""`cnipa-kg query` over the release of the real notice: named queries, real answers, every format."""

from __future__ import annotations

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT, invoke
from rdflib import Graph, URIRef

SRX = "{http://www.w3.org/2005/sparql-results#}"
NAMED = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "table": "turtle"}
ASK = "ASK { ?d a ckg:Designation ; ckg:designee <https://w3id.org/cnipa-kg/division/110108> }"
CONSTRUCT = "CONSTRUCT { ?d ckg:designee ?division } WHERE { ?d a ckg:Designation ; ckg:designee ?division }"
EXAMPLE_ARGS = {"division-history": ["--param", "adcode=320100"]}  # a required parameter
NEED_SEVERAL_NOTICES = {"upgrades", "drop-outs"}  # chains of designations: none in a release of one notice


@pytest.fixture(scope="module")
def data(release_dir):
    return str(release_dir / "cnipa-kg.nt")


def run(runner, data, query, fmt="json", *args):
    result = invoke(runner, "query", query, "--data", data, "--format", fmt, *args)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def bindings(runner, data, query, *args) -> list[dict[str, str]]:
    doc = json.loads(run(runner, data, query, "json", *args).stdout_bytes)
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


# -- --list ------------------------------------------------------------------------------------


def test_named_queries_exist():
    assert {"designations-by-province", "provinces-without-designation", "demonstration-cities", "pilot-cities"} <= set(NAMED)


def test_query_list_lists_named_queries(runner):
    result = invoke(runner, "query", "--list")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines() if line.strip() and not line[0].isspace()]
    assert listed == NAMED
    for line in result.stdout.splitlines():
        assert len(line.split(None, 1)) == 2, f"no title in {line!r}"
        if line[0].isspace():
            assert line.split()[0] == "param", line


def test_query_without_argument_is_usage_error(runner):
    result = invoke(runner, "query")
    assert result.exit_code == 2
    assert "QUERY" in result.stderr


# -- real answers ----------------------------------------------------------------------------------


def test_query_designations_by_province_jiangsu_first_with_10(runner, data):
    rows = bindings(runner, data, "designations-by-province")
    assert rows[0]["province"].startswith("江苏")
    assert (rows[0]["demonstration"], rows[0]["pilot"], rows[0]["total"]) == ("3", "7", "10")
    assert sum(int(r["total"]) for r in rows) == 110
    assert sum(int(r["demonstration"]) for r in rows) == 38
    assert sum(int(r["pilot"]) for r in rows) == 72
    assert len(rows) == 30  # every province but 西藏
    totals = [int(r["total"]) for r in rows]
    assert totals == sorted(totals, reverse=True)


def test_query_provinces_without_designation_only_tibet(runner, data):
    rows = bindings(runner, data, "provinces-without-designation")
    assert [r["adcode"] for r in rows] == ["540000"]
    assert rows[0]["province"].startswith("西藏")


def test_query_demonstration_cities_38_rows(runner, data):
    rows = bindings(runner, data, "demonstration-cities")
    assert len(rows) == 38
    assert [int(r["serial"]) for r in rows] == list(range(1, 39))
    assert (rows[0]["name"], rows[0]["adcode"]) == ("海淀区", "110108")
    assert (rows[-1]["name"], rows[-1]["adcode"]) == ("西安市", "610100")


def test_query_pilot_cities_72_rows(runner, data):
    rows = bindings(runner, data, "pilot-cities")
    assert len(rows) == 72
    assert [int(r["serial"]) for r in rows] == list(range(1, 73))
    assert (rows[0]["name"], rows[0]["adcode"]) == ("丰台区", "110106")
    assert (rows[-1]["name"], rows[-1]["adcode"]) == ("克拉玛依市", "650200")


def test_query_notice_summary(runner, data):
    rows = bindings(runner, data, "notice-summary")
    assert [r["number"] for r in rows] == ["国知发运字〔2022〕33号"]
    assert (int(rows[0]["demonstration"]), int(rows[0]["pilot"])) == (38, 72)
    assert {(r["date"], r["period_start"], r["period_end"]) for r in rows} == {("2022-08-04", "2022-07-01", "2025-06-30")}


@pytest.mark.parametrize("name", NAMED)
def test_named_query_returns_rows(runner, data, name):
    result = json.loads(run(runner, data, name, "json", *EXAMPLE_ARGS.get(name, [])).stdout_bytes)
    assert bool(result["results"]["bindings"]) is (name not in NEED_SEVERAL_NOTICES), name


@pytest.mark.parametrize(("args", "status"), [
    (["--on", "2026-11-28"], "ended"),
    (["--param", "on=2026-11-28"], "ended"),
    (["--on", "2023-01-01"], "active"),
    (["--param", "on=2022-06-30"], "not yet started"),
])
def test_query_status_on_a_date(runner, data, args, status):
    rows = bindings(runner, data, "status", *args)
    assert len(rows) == 110
    assert {r["status"] for r in rows} == {status}
    assert {(r["period_start"], r["period_end"]) for r in rows} == {("2022-07-01", "2025-06-30")}


def test_query_status_table(runner, data):
    lines = run(runner, data, "status", "table", "--on", "2026-11-28").stdout.splitlines()
    assert lines[0].split() == ["name", "adcode", "programme", "tier", "period_start", "period_end", "status", "notice"]
    assert lines[2].split()[0] == "海淀区" and "ended" in lines[2].split()
    assert lines[-1] == "(110 rows)"


@pytest.mark.parametrize(("province", "count"), [("广东", 8), ("广东省", 8), ("江苏", 10), ("西藏", 0)])
def test_query_designations_of_province_parameter(runner, data, province, count):
    rows = bindings(runner, data, "designations-of-province", "--param", f"province={province}")
    assert len(rows) == count
    assert all(r["adcode"][:2] == rows[0]["adcode"][:2] for r in rows)
    if province == "江苏":
        assert rows == bindings(runner, data, "designations-of-province")  # the default


def test_query_from_rq_file(runner, data, tmp_path):
    path = tmp_path / "count.rq"
    path.write_text("# title: count\nSELECT (COUNT(?d) AS ?n) WHERE { ?d a ckg:Designation }\n", encoding="utf-8")
    assert bindings(runner, data, str(path)) == [{"n": "110"}]


def test_query_uses_dist_in_working_directory_when_no_data(runner, release_dir, tmp_path, monkeypatch):
    shutil.copytree(release_dir, tmp_path / "dist")
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "query", "SELECT (COUNT(?d) AS ?n) WHERE { ?d a ckg:Designation }", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["n", "110"]


# -- every output format parses ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["demonstration-cities", "pilot-cities"])
@pytest.mark.parametrize("fmt", SELECT_FORMATS)
def test_select_output_parses(runner, data, name, fmt):
    expected = 38 if name == "demonstration-cities" else 72
    out = run(runner, data, name, fmt).stdout_bytes
    text = out.decode("utf-8")
    variables = ["serial", "name", "name_en", "adcode", "notice"]
    if fmt == "table":
        lines = text.splitlines()
        assert lines[0].split() == variables
        assert set(lines[1].replace(" ", "")) == {"-"}
        assert lines[-1] == f"({expected} rows)"
        assert len(lines) == expected + 3
        assert "海淀区" in text or "丰台区" in text
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows[0] == variables
        assert len(rows) == expected + 1
        assert rows[1][0] == "1"
    elif fmt == "tsv":
        lines = text.rstrip("\n").split("\n")
        assert lines[0].split("\t") == [f"?{v}" for v in variables]
        assert len(lines) == expected + 1
        assert all(len(line.split("\t")) == len(variables) for line in lines)
    elif fmt == "json":
        doc = json.loads(out)
        assert doc["head"]["vars"] == variables
        assert len(doc["results"]["bindings"]) == expected
    elif fmt == "xml":
        root = ET.fromstring(out)
        assert [v.get("name") for v in root.iter(f"{SRX}variable")] == variables
        assert len(list(root.iter(f"{SRX}result"))) == expected


@pytest.mark.parametrize("fmt", SELECT_FORMATS)
def test_ask_output_parses(runner, data, fmt):
    out = run(runner, data, ASK, fmt).stdout_bytes
    if fmt == "json":
        assert json.loads(out)["boolean"] is True
    elif fmt == "xml":
        assert next(ET.fromstring(out).iter(f"{SRX}boolean")).text == "true"
    else:
        assert out.decode().strip() == "true"


def test_ask_false_when_not_designated(runner, data):
    out = run(runner, data, ASK.replace("110108", "540000"), "json").stdout_bytes
    assert json.loads(out)["boolean"] is False


@pytest.mark.parametrize("fmt", sorted(GRAPH_FORMATS))
def test_construct_output_parses(runner, data, fmt):
    out = run(runner, data, CONSTRUCT, fmt).stdout_bytes
    g = Graph().parse(data=out.decode("utf-8"), format=GRAPH_FORMATS[fmt])
    assert len(g) == 110
    assert (URIRef("https://w3id.org/cnipa-kg/eli/notice/gzfyz/2022/33/annex/1/2"),
            URIRef("https://w3id.org/cnipa-kg/def#designee"),
            URIRef("https://w3id.org/cnipa-kg/division/110105")) in g


def test_construct_output_as_rdfxml_parses(runner, data):
    out = run(runner, data, CONSTRUCT, "xml").stdout_bytes
    assert len(Graph().parse(data=out.decode("utf-8"), format="xml")) == 110


def test_describe_output_parses(runner, data):
    out = run(runner, data, "DESCRIBE <https://w3id.org/cnipa-kg/eli/notice/gzfyz/2022/33/annex/2/72>", "nt").stdout_bytes
    g = Graph().parse(data=out.decode("utf-8"), format="nt")
    assert (URIRef("https://w3id.org/cnipa-kg/eli/notice/gzfyz/2022/33/annex/2/72"),
            URIRef("https://w3id.org/cnipa-kg/def#designee"),
            URIRef("https://w3id.org/cnipa-kg/division/650200")) in g


# -- bad queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "line"),
    [
        ("SELECT ?x WHERE { ?x a }", 1),
        ("SELECT ?x WHERE {\n  ?x a ckg:Notice .\n  FILTER( }", 3),
    ],
    ids=["one-line", "third-line"],
)
def test_query_malformed_exits_2_with_line_and_column(runner, data, query, line):
    result = invoke(runner, "query", query, "--data", data)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "line" in result.stderr and "column" in result.stderr
    assert f"line {line}," in result.stderr  # relative to the user's text, not the predeclared prefixes
    assert "Traceback" not in result.output


def test_query_select_with_graph_format_exits_2(runner, data):
    result = invoke(runner, "query", "demonstration-cities", "--data", data, "--format", "ttl")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_query_missing_data_file_exits_2(runner, tmp_path):
    missing = tmp_path / "missing.nt"
    result = invoke(runner, "query", "pilot-cities", "--data", missing)
    assert result.exit_code == 2
    assert str(missing) in result.stderr


def test_query_missing_rq_file_exits_2(runner, data, tmp_path):
    missing = tmp_path / "missing.rq"
    result = invoke(runner, "query", str(missing), "--data", data)
    assert result.exit_code == 2
    assert str(missing) in result.stderr


def test_data_takes_a_release_folder_as_serve_and_site_do(runner, release_dir, tmp_path):
    """`query --data DIR` reads the release's cnipa-kg.nt; a folder that is not a release is exit 2, named."""
    from conftest import invoke

    by_folder = invoke(runner, "query", "pilot-cities", "--data", release_dir, "--format", "csv")
    by_file = invoke(runner, "query", "pilot-cities", "--data", release_dir / "cnipa-kg.nt", "--format", "csv")
    assert by_folder.exit_code == 0, by_folder.output
    assert by_folder.stdout == by_file.stdout and by_folder.stdout.count("\n") > 70
    empty = invoke(runner, "query", "pilot-cities", "--data", tmp_path)
    assert empty.exit_code == 2 and str(tmp_path) in empty.output and "cnipa-kg.nt" in empty.output


def test_build_says_how_to_query_the_folder_it_wrote(runner, tmp_path):
    """The Next: hints of a build into another folder than dist/ name that folder (query reads dist/ by default)."""
    from conftest import NOTICE, invoke

    out = tmp_path / "elsewhere"
    result = invoke(runner, "build", NOTICE, "--out", out)
    assert result.exit_code == 0, result.output
    assert f"cnipa-kg query designations-by-province --data {out}" in result.stdout
