"""The one vocabulary (core.terms, issue 23): its labels are the ontology's, its spellings map one to one."""

from __future__ import annotations

import pytest
from rdflib import Literal
from rdflib.namespace import SKOS

from cnipa_kg.core import terms
from cnipa_kg.core.rdfio import ontology_graph
from cnipa_kg.core.vocab import CKG, DIVISION_LEVEL_CONCEPT, EVIDENCE_CONCEPT, PROGRAMME_CONCEPT, TIER_CONCEPT

ALL = [*terms.PROGRAMMES, *terms.TIERS, *terms.DIVISION_LEVELS, *terms.EVIDENCE_GRADES]


@pytest.mark.parametrize("term", ALL, ids=lambda t: t.key)
def test_labels_are_the_ontologys(term):
    graph = ontology_graph()
    assert (CKG[term.local], SKOS.prefLabel, Literal(term.en, lang="en")) in graph
    assert (CKG[term.local], SKOS.prefLabel, Literal(term.zh, lang="zh")) in graph


@pytest.mark.parametrize("group", [terms.PROGRAMMES, terms.TIERS, terms.DIVISION_LEVELS, terms.EVIDENCE_GRADES])
def test_each_spelling_names_one_term(group):
    for attr in ("key", "local", "column"):
        assert len({getattr(t, attr) for t in group}) == len(group)


def test_the_concept_maps_come_from_the_table():
    assert PROGRAMME_CONCEPT["ip-demonstration-city"] == CKG.ipDemonstrationCityProgramme
    assert TIER_CONCEPT["demonstration-building"] == CKG.demonstrationBuilding
    assert DIVISION_LEVEL_CONCEPT["district"] == CKG.districtLevel and EVIDENCE_CONCEPT["roster"] == CKG.evidenceRoster
    assert set(PROGRAMME_CONCEPT) == {t.key for t in terms.PROGRAMMES}


def test_column_stems_keep_the_longest_panel_name_within_stata_limits():
    longest = max(len(f"parent_designated_{p.column}_{t.column}") for p in terms.PROGRAMMES for t in terms.TIERS)
    assert longest <= 32
