"""data/examples: every valid graph conforms; every invalid graph fails for the rule its name says.

An invalid example is named ``<rule id>--<what is wrong>.ttl``, where the rule id is the name the
report gives the rule: the local name of a property shape in ``shapes/cnipa-kg.shacl.ttl`` or the
stem of a ``queries/qc/*-violation.rq`` file. It breaks only that rule; results of other rules that
follow unavoidably from the same change are listed in its header on a line ``# also: rule, rule``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib.collection import Collection
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH

from cnipa_kg.core.resources import qc_queries, shapes_path
from cnipa_kg.check.validate import check_files

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "examples"
VALID = sorted((EXAMPLES / "valid").glob("*.ttl"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.ttl"))


def _local_name(iri) -> str:
    return re.split(r"[#/]", str(iri))[-1]


def shape_rule_ids() -> set[str]:
    """Local names of the property shapes of the node shapes, and of the node shapes that are a rule of their
    own (a sh:or of alternatives: notice-id-local): the rule ids a shape result can carry."""
    g = Graph().parse(shapes_path(), format="turtle")
    return ({_local_name(p) for ns in g.subjects(RDF.type, SH.NodeShape) for p in g.objects(ns, SH.property)}
            | {_local_name(ns) for ns in g.subjects(RDF.type, SH.NodeShape) if (ns, SH["or"], None) in g})


def qc_rule_ids() -> set[str]:
    return set(qc_queries())


def rule_of(path: Path) -> str:
    return path.name.split("--", 1)[0]


def follow_on(path: Path) -> set[str]:
    m = re.search(r"^# also: ([^(\n]*)", path.read_text(encoding="utf-8"), re.MULTILINE)
    return {r.strip() for r in m.group(1).split(",") if r.strip()} if m else set()


def test_example_folders_are_not_empty():
    assert len(VALID) >= 2
    assert len(INVALID) > 0


@pytest.mark.parametrize("path", VALID, ids=[p.name for p in VALID])
def test_valid_example_conforms(path: Path):
    report = check_files([path])
    assert report.conforms, report.text
    assert report.results == (), report.text


@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_invalid_example_fails_for_its_rule(path: Path):
    rule = rule_of(path)
    report = check_files([path])
    rules = {r.rule for r in report.results}
    assert not report.conforms, report.text
    assert rule in rules, f"{path.name}: expected rule {rule}, got {sorted(rules)}\n{report.text}"
    # only that rule (and the follow-on results its header admits)
    assert rules <= {rule} | follow_on(path), f"{path.name}: unexpected rules {sorted(rules - {rule} - follow_on(path))}\n{report.text}"


@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_invalid_example_says_what_it_breaks(path: Path):
    head = path.read_text(encoding="utf-8").splitlines()[0]
    assert head.startswith("#") and rule_of(path) in head, f"{path.name} must open with a comment naming its rule"


def test_every_rule_has_an_invalid_example():
    rules = shape_rule_ids() | qc_rule_ids()
    exercised = {rule_of(p) for p in INVALID}
    assert shape_rule_ids() and qc_rule_ids()
    assert not rules - exercised, f"rules without an invalid example: {sorted(rules - exercised)}"
    assert not exercised - rules, f"invalid examples named for no rule: {sorted(exercised - rules)}"


def test_follow_on_rules_exist():
    rules = shape_rule_ids() | qc_rule_ids()
    for path in INVALID:
        assert follow_on(path) <= rules, path.name


def test_every_property_shape_is_a_named_rule():
    """A blank-node property shape would be reported under a meaningless name."""
    g = Graph().parse(shapes_path(), format="turtle")
    for ns in g.subjects(RDF.type, SH.NodeShape):
        for p in g.objects(ns, SH.property):
            assert isinstance(p, URIRef), f"{ns} has a blank-node property shape"
            assert re.fullmatch(r"[a-z]+(-[a-z]+)*", _local_name(p)), p
    # the alternatives of a sh:or are reported under the shape that holds the sh:or, a named rule
    members = {m for key in ("or", "xone") for head in g.objects(None, SH[key]) for m in Collection(g, head)}
    alternatives = members | {p for m in members for p in g.objects(m, SH.property)}
    assert not any(isinstance(s, BNode) and s not in alternatives for s in g.subjects(SH.path, None)), \
        "blank-node property shape"
