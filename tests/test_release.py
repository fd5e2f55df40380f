"""The release files of the real notice: round trips, inline JSON-LD context, ontology included,
byte-identical rebuilds (also across hash seeds), the designations CSV, atomic replacement."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import GOLDEN, NOTICE, ROOT, read_tsv
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF

from cnipa_kg.pipeline import build

RELEASE_FILES = ("cnipa-kg.ttl", "cnipa-kg.nt", "cnipa-kg.jsonld", "designations.csv")
FORMATS = {"cnipa-kg.ttl": "turtle", "cnipa-kg.nt": "nt", "cnipa-kg.jsonld": "json-ld"}
DESIGNATION = URIRef("https://w3id.org/cnipa-kg/def#Designation")


@pytest.fixture(scope="module")
def parsed(release_dir) -> dict[str, Graph]:
    return {name: Graph().parse(release_dir / name, format=fmt) for name, fmt in FORMATS.items()}


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` (relative path -> bytes)."""
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_release_has_the_four_files(release_dir):
    assert set(RELEASE_FILES) <= {p.name for p in release_dir.iterdir()}
    for name in RELEASE_FILES:
        assert (release_dir / name).stat().st_size > 0


# -- round trips ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_release_format_parses_to_110_designations(parsed, name):
    assert len(set(parsed[name].subjects(RDF.type, DESIGNATION))) == 110


@pytest.mark.parametrize(("a", "b"), [("cnipa-kg.ttl", "cnipa-kg.nt"), ("cnipa-kg.ttl", "cnipa-kg.jsonld")])
def test_release_formats_parse_to_isomorphic_graphs(parsed, a, b):
    assert len(parsed[a]) == len(parsed[b])
    assert isomorphic(parsed[a], parsed[b])


def test_release_turtle_is_isomorphic_to_built_graph(parsed, graph):
    assert len(parsed["cnipa-kg.ttl"]) == len(graph)
    assert isomorphic(parsed["cnipa-kg.ttl"], graph)


def test_release_ntriples_sorted_without_duplicates(release_dir):
    lines = (release_dir / "cnipa-kg.nt").read_bytes().splitlines()
    assert lines == sorted(set(lines))
    assert len(lines) > 1000


# -- JSON-LD ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jsonld(release_dir) -> dict:
    return json.loads((release_dir / "cnipa-kg.jsonld").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def context() -> dict:
    return json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))["@context"]


def test_jsonld_context_is_inline_not_remote(jsonld, context):
    assert isinstance(jsonld["@context"], dict)
    assert jsonld["@context"] == context
    text = json.dumps(jsonld["@context"])
    assert "context.jsonld" not in text


def test_jsonld_nodes_use_short_keys_from_context(jsonld, context):
    prefixes = {k for k, v in context.items() if isinstance(v, str) and v.endswith(("#", "/"))}
    nodes = jsonld["@graph"]
    assert len(nodes) > 110
    bad = set()
    for node in nodes:
        for key in node:
            if key.startswith("@") or key in context:
                continue
            if ":" in key and key.split(":", 1)[0] in prefixes and "//" not in key:
                continue
            bad.add(key)
    assert bad == set(), f"keys that are not terms or compact IRIs of the context: {sorted(bad)}"


def test_jsonld_designation_node_in_short_form(jsonld):
    node = next(n for n in jsonld["@graph"] if n.get("id") == "https://w3id.org/cnipa-kg/eli/notice/gzfyz/2022/33/annex/1/1")
    assert node["type"] == "Designation"
    assert node["designee"] == "https://w3id.org/cnipa-kg/division/110108"
    assert node["designationLevel"] == "ckg:demonstration"
    assert node["inAnnex"] == "https://w3id.org/cnipa-kg/eli/notice/gzfyz/2022/33/annex/1"
    assert str(node["serialNumber"]) == "1"
    assert node["periodStart"] == "2022-07-01"


def test_jsonld_parses_without_network_when_context_inline(release_dir, parsed):
    # the inline context needs nothing fetched: parsing a copy with the document as a string works
    text = (release_dir / "cnipa-kg.jsonld").read_text(encoding="utf-8")
    g = Graph().parse(data=text, format="json-ld")
    assert isomorphic(g, parsed["cnipa-kg.ttl"])


# -- ontology included ----------------------------------------------------------------------------


def test_release_holds_the_ontology_triples(parsed):
    ontology = Graph().parse(ROOT / "ontology" / "cnipa-kg.ttl", format="turtle")
    release = parsed["cnipa-kg.ttl"]
    ground = [t for t in ontology if not any(isinstance(x, BNode) for x in t)]
    assert len(ground) > 100
    missing = [t for t in ground if t not in release]
    assert missing == []
    assert (URIRef("https://w3id.org/cnipa-kg/def"), RDF.type, OWL.Ontology) in release or any(release.subjects(RDF.type, OWL.Ontology))
    assert (DESIGNATION, RDF.type, OWL.Class) in release
    # axioms with blank nodes (restrictions, lists) come along too
    with_bnodes = sum(1 for t in ontology if any(isinstance(x, BNode) for x in t))
    assert with_bnodes > 0
    assert sum(1 for t in release if any(isinstance(x, BNode) for x in t)) >= with_bnodes


# -- determinism ------------------------------------------------------------------------------------


def test_build_twice_gives_identical_bytes(tmp_path, release_dir):
    build([NOTICE], out=tmp_path / "a")
    build([NOTICE], out=tmp_path / "b")
    a, b = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert a == b
    assert a == snapshot(release_dir)


@pytest.mark.parametrize("seed", ["1", "4242"])
def test_build_in_subprocess_with_other_hash_seed_gives_identical_bytes(tmp_path, release_dir, seed):
    out = tmp_path / "dist"
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-m", "cnipa_kg.cli", "build", str(NOTICE), "--out", str(out), "--quiet"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    theirs, ours = snapshot(out), snapshot(release_dir)
    assert sorted(theirs) == sorted(ours)
    for name in ours:
        assert theirs[name] == ours[name], f"{name} differs with PYTHONHASHSEED={seed}"


def test_release_holds_no_build_timestamp(release_dir):
    today = date.today().isoformat()
    for name in RELEASE_FILES:
        assert today not in (release_dir / name).read_text(encoding="utf-8"), name


def test_release_does_not_depend_on_out_path(tmp_path, release_dir):
    build([NOTICE], out=tmp_path / "deeper" / "other-name")
    assert snapshot(tmp_path / "deeper" / "other-name") == snapshot(release_dir)


# -- designations.csv --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def csv_rows(release_dir) -> tuple[list[str], list[dict[str, str]]]:
    text = (release_dir / "designations.csv").read_bytes().decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    return reader.fieldnames, rows


def test_designations_csv_header(csv_rows):
    header, _ = csv_rows
    assert header[:7] == ["notice", "level", "annex", "serial", "province", "name", "adcode"]


def test_designations_csv_has_110_rows_sorted(csv_rows):
    _, rows = csv_rows
    assert len(rows) == 110
    keys = [(r["notice"], int(r["annex"]), int(r["serial"])) for r in rows]
    assert keys == sorted(keys)
    assert {r["notice"] for r in rows} == {"国知发运字〔2022〕33号"}


def test_designations_csv_rows_equal_golden(csv_rows):
    _, rows = csv_rows
    golden = read_tsv(GOLDEN / "notice-2022-33.tsv")
    assert [(r["annex"], r["serial"], r["province"], r["name"]) for r in rows] == [
        (g["annex"], g["serial"], g["province"], g["name"]) for g in golden
    ]


def test_designations_csv_adcodes_equal_golden(csv_rows):
    _, rows = csv_rows
    golden = read_tsv(GOLDEN / "divisions-2022-33.tsv")
    assert [(r["annex"], r["serial"], r["adcode"]) for r in rows] == [(g["annex"], g["serial"], g["adcode"]) for g in golden]


def test_designations_csv_levels(csv_rows):
    _, rows = csv_rows
    assert [r["level"] for r in rows] == ["demonstration"] * 38 + ["pilot"] * 72


def test_designations_csv_province_short_name_as_printed(csv_rows):
    _, rows = csv_rows
    by_key = {(r["annex"], r["serial"]): r for r in rows}
    assert by_key[("1", "1")]["province"] == "北京"
    assert by_key[("2", "9")]["province"] == "内蒙古"
    assert by_key[("2", "53")]["province"] == "广西"
    assert by_key[("2", "71")]["province"] == "新疆"
    assert by_key[("2", "70")]["province"] == "宁夏"


# -- atomic replacement ------------------------------------------------------------------------------


def test_build_replaces_existing_out_dir_atomically(tmp_path, release_dir):
    """The release files are replaced; a file of the user's in the release directory is kept."""
    out = tmp_path / "dist"
    out.mkdir()
    (out / "notes.txt").write_text("the user's, not the release's", encoding="utf-8")
    (out / "cnipa-kg.ttl").write_text("# old", encoding="utf-8")
    build([NOTICE], out=out)
    assert snapshot(out) == {**snapshot(release_dir), "notes.txt": "the user's, not the release's".encode()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]
    assert not list(tmp_path.glob(".dist.staging-*"))
    assert not list(tmp_path.glob(".dist.old-*"))


def test_build_refuses_a_folder_that_is_not_a_release_before_any_work(tmp_path, monkeypatch):
    import cnipa_kg.pipeline as pipeline
    from cnipa_kg.core.errors import InputError

    monkeypatch.setattr(pipeline, "extract_all", lambda *a, **k: pytest.fail("the build ran before --out was checked"))
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(b"mine")
    with pytest.raises(InputError, match=r"thesis: is not a cnipa-kg release \(it holds thesis.docx\)"):
        build([NOTICE], out=folder)
    assert snapshot(folder) == {"thesis.docx": b"mine"}


def test_build_cleans_leftovers_of_a_killed_build(tmp_path, release_dir):
    """A real dead build (killed with its staging directory half written) is cleaned up by the next build;
    a folder of the user's named like one is not (issue 21: tests/regressions/test_issue_21_out.py)."""
    out = tmp_path / "dist"
    build([NOTICE], out=out)
    code = ("import os, sys; from cnipa_kg.release.staging import Staging; "
            "Staging(sys.argv[1]).write('cnipa-kg.ttl', b'# half written'); os._exit(137)")
    dead = subprocess.run([sys.executable, "-c", code, str(out)], env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert dead.returncode == 137
    assert [p.name for p in tmp_path.glob(".dist.staging-*")], "the dead build left no staging directory"
    build([NOTICE], out=out)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == ["dist"]
    assert snapshot(out) == snapshot(release_dir)
