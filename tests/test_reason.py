"""OWL reasoning with owlready2/HermiT on the real release (issue 5 §3)."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from cnipa_kg.core.errors import Inconsistent, JavaNotFound
from cnipa_kg.check.reason import explain_inconsistency, find_java, reason
from cnipa_kg.core.vocab import CKG

from conftest import invoke

HAIDIAN = URIRef("https://w3id.org/cnipa-kg/division/110108")
FIRST = URIRef("https://w3id.org/cnipa-kg/eli/notice/gzfyz/2022/33/annex/1/1")


@pytest.fixture(scope="module")
def reasoned(graph):
    return reason(graph)


def test_reason_infers_38_demonstration_and_72_pilot_cities(reasoned):
    assert {c: n for c, n in reasoned.inferred.items() if n} == {"ckg:DemonstrationCity": 38, "ckg:PilotCity": 72}
    assert len(reasoned.inferred) == 7  # one defined class per programme and tier
    demo = set(reasoned.graph.subjects(RDF.type, CKG.DemonstrationCity))
    assert HAIDIAN in demo
    assert URIRef("https://w3id.org/cnipa-kg/division/650200") in set(reasoned.graph.subjects(RDF.type, CKG.PilotCity))


def test_reason_writes_memberships_of_divisions_not_of_their_wikidata_entities(graph, reasoned):
    """A division owl:sameAs its Wikidata entity is one individual with it: HermiT stays consistent, and the
    inferred classes are written for the division alone."""
    from cnipa_kg.core.vocab import WD
    from rdflib.namespace import OWL

    assert (HAIDIAN, OWL.sameAs, WD.Q393454) in graph
    typed = {s for s, _ in reasoned.graph.subject_objects(RDF.type)}
    assert not any(str(s).startswith(str(WD)) for s in typed)


def test_reason_keeps_the_input_triples(graph, reasoned):
    assert len(reasoned.graph) == len(graph) + 110


def test_reason_inconsistent_names_individuals_and_axioms(graph):
    broken = Graph()
    broken += graph
    broken.add((FIRST, CKG.serialNumber, Literal("one")))
    broken.add((HAIDIAN, CKG.adcode, Literal("110109")))
    with pytest.raises(Inconsistent) as info:
        reason(broken)
    message = str(info.value)
    assert f"<{HAIDIAN}>: FunctionalDataProperty(ckg:adcode)" in message
    assert f"<{FIRST}>: DataPropertyRange(ckg:serialNumber xsd:integer)" in message


def test_explain_inconsistency_finds_nothing_on_the_real_release(graph):
    assert "no single axiom found" in explain_inconsistency(graph)


def test_cli_reason_writes_inferred_graph(runner, release_dir, tmp_path):
    out = tmp_path / "inferred.ttl"
    result = invoke(runner, "reason", release_dir / "cnipa-kg.ttl", "--out", out)
    assert result.exit_code == 0, result.output
    assert "38 × ckg:DemonstrationCity, 72 × ckg:PilotCity" in result.stdout
    g = Graph().parse(out)
    assert len(set(g.subjects(RDF.type, CKG.PilotCity))) == 72


def test_cli_reason_inconsistent_exits_1(runner, release_dir, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        (release_dir / "cnipa-kg.ttl").read_text(encoding="utf-8")
        + f'\n<{FIRST}> <{CKG.serialNumber}> "one" .\n', encoding="utf-8")
    out = tmp_path / "out.ttl"
    result = invoke(runner, "reason", bad, "--out", out)
    assert result.exit_code == 1
    assert "DataPropertyRange(ckg:serialNumber xsd:integer)" in result.stderr
    assert not out.exists()


def test_cli_reason_without_java_exits_2(runner, release_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on PATH
    monkeypatch.delenv("JAVA_HOME", raising=False)
    out = tmp_path / "out.ttl"
    result = invoke(runner, "reason", release_dir / "cnipa-kg.ttl", "--out", out)
    assert result.exit_code == 2
    assert "needs Java" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_find_java_raises_without_java(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(JavaNotFound):
        find_java()


def test_java_is_installed_for_the_reasoner():
    assert shutil.which("java"), "make test installs a JRE when java is missing"
