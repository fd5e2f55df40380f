"""`cnipa-kg validate` and the build's validation gate (issue 5 §2, §4)."""

from __future__ import annotations

import json
import socket
import threading

from rdflib import Graph
from rdflib.namespace import SH

import cnipa_kg.check.validate as validate_module
import cnipa_kg.pipeline as pipeline_module
from conftest import invoke


def test_validate_release_conforms(runner, release_dir):
    result = invoke(runner, "validate", release_dir / "cnipa-kg.ttl")
    assert result.exit_code == 0, result.stdout
    assert "Conforms: True" in result.stdout
    assert "Summary: 0 violation(s)" in result.stdout


def test_validate_every_release_format_conforms(runner, release_dir):
    for name in ("cnipa-kg.nt", "cnipa-kg.jsonld"):
        assert invoke(runner, "validate", release_dir / name).exit_code == 0, name


def _broken_copy(release_dir, tmp_path):
    text = (release_dir / "cnipa-kg.nt").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines()
             if not (ln.startswith("<https://w3id.org/cnipa-kg/eli/notice/gzfyz/2022/33/annex/1/1> ")
                     and "#designee>" in ln)]
    lines.append('<https://w3id.org/cnipa-kg/eli/notice/gzfyz/2022/33/annex/1/2> '
                 '<https://w3id.org/cnipa-kg/def#designationLevel> "demonstration" .')
    path = tmp_path / "broken.nt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_validate_broken_file_reports_focus_label_path_rule_message(runner, release_dir, tmp_path):
    result = invoke(runner, "validate", _broken_copy(release_dir, tmp_path))
    assert result.exit_code == 1
    out = result.stdout
    assert "Conforms: False" in out
    assert "Violation: designation-designee" in out
    assert "Focus node: <https://w3id.org/cnipa-kg/eli/notice/gzfyz/2022/33/annex/1/1> (北京海淀区" in out
    assert "Result path: ckg:designee" in out
    assert "Violation: designation-level" in out
    assert "Summary:" in out.splitlines()[-1]


def test_validate_format_json_and_ttl(runner, release_dir, tmp_path):
    broken = _broken_copy(release_dir, tmp_path)
    data = json.loads(invoke(runner, "validate", broken, "--format", "json").stdout)
    assert data["conforms"] is False
    assert {"designation-designee", "designation-level"} <= {r["rule"] for r in data["results"]}
    report = Graph().parse(data=invoke(runner, "validate", broken, "--format", "ttl").stdout, format="turtle")
    assert len(list(report.subjects(None, SH.ValidationResult))) >= 2


def test_validate_missing_file_exits_2(runner, tmp_path):
    result = invoke(runner, "validate", tmp_path / "nope.ttl")
    assert result.exit_code == 2
    assert "nope.ttl: no such file" in result.stderr and "Traceback" not in result.stderr


def test_validate_junk_exits_2_with_line(runner, tmp_path):
    junk = tmp_path / "junk.ttl"
    junk.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nthis is not turtle\n", encoding="utf-8")
    result = invoke(runner, "validate", junk)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {junk}:3:") and "Traceback" not in result.stderr


def test_validate_binary_exits_2(runner, tmp_path):
    junk = tmp_path / "junk.nt"
    junk.write_bytes(bytes(range(256)) * 10)
    result = invoke(runner, "validate", junk)
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_validate_remote_jsonld_context_refused_without_fetching(runner, tmp_path):
    # a local listener that records any connection: nothing may connect to it
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    connections = []

    def accept():
        try:
            connections.append(server.accept())
        except OSError:
            pass

    thread = threading.Thread(target=accept)
    thread.start()
    doc = tmp_path / "remote.jsonld"
    doc.write_text(json.dumps({"@context": f"http://127.0.0.1:{port}/context.jsonld",
                               "@id": "http://example.org/a", "name": "x"}), encoding="utf-8")
    result = invoke(runner, "validate", doc)
    thread.join()
    server.close()
    assert result.exit_code == 2
    assert "remote contexts are never fetched" in result.stderr
    assert connections == []


def test_validate_billion_laughs_refused(runner, tmp_path):
    doc = tmp_path / "lol.rdf"
    doc.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                   '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', encoding="utf-8")
    result = invoke(runner, "validate", doc)
    assert result.exit_code == 2 and "entity declarations" in result.stderr


def test_build_violating_shapes_writes_nothing_and_exits_1(runner, notice_path, tmp_path, monkeypatch):
    strict = validate_module.shapes_graph()
    strict.parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ckg: <https://w3id.org/cnipa-kg/def#> .
        @prefix shapes: <https://w3id.org/cnipa-kg/shapes#> .
        shapes:TooStrict a sh:NodeShape ; sh:targetClass ckg:Designation ;
            sh:property shapes:no-serials .
        shapes:no-serials sh:path ckg:serialNumber ; sh:maxCount 0 ; sh:message "no serials"@en .
    """, format="turtle")
    monkeypatch.setattr(pipeline_module, "shapes_graph", lambda: strict)
    out = tmp_path / "dist"
    result = invoke(runner, "build", notice_path, "--out", out)
    assert result.exit_code == 1
    assert "no-serials" in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
