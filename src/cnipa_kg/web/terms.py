"""The terms the query editor completes after ``prefix:`` (``assets/editor.js`` reads them from the
page's ``data-terms``): every class and property the served data uses, and every term of the
ontology (``ckg:``), each as ``[iri, kind, label]``, kind ``class``, ``property`` or ``term`` and
label the English ``rdfs:label`` / ``skos:prefLabel`` (else the Chinese one, else ``""``), with
" (deprecated)" for a term the ontology deprecates."""

from __future__ import annotations

from collections.abc import Callable

from ..core.vocab import CKG

#: at most this many terms go into the page (the first in IRI order): a page stays small on any data
MAX_TERMS = 5000
#: one row per term: how it is used (a class, a property) or declared, and its labels
TERMS_QUERY = f"""SELECT ?term (MAX(?as_class) AS ?class) (MAX(?as_property) AS ?property)
       (SAMPLE(?en) AS ?label_en) (SAMPLE(?zh) AS ?label_zh) (MAX(?dep) AS ?deprecated) WHERE {{
  {{ SELECT DISTINCT ?term (1 AS ?as_property) WHERE {{ ?s ?term ?o }} }}
  UNION {{ SELECT DISTINCT ?term (1 AS ?as_class) WHERE {{ ?s a ?term }} }}
  UNION {{ ?term a ?type . FILTER(isIRI(?term) && STRSTARTS(STR(?term), "{CKG}"))
          BIND(IF(?type IN (owl:Class, rdfs:Class), 1, 0) AS ?as_class)
          BIND(IF(?type IN (owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty, rdf:Property), 1, 0)
               AS ?as_property) }}
  OPTIONAL {{ ?term rdfs:label|skos:prefLabel ?en . FILTER(langMatches(lang(?en), "en")) }}
  OPTIONAL {{ ?term rdfs:label|skos:prefLabel ?zh . FILTER(langMatches(lang(?zh), "zh")) }}
  OPTIONAL {{ ?term owl:deprecated true . BIND(1 AS ?dep) }}
}} GROUP BY ?term ORDER BY ?term LIMIT {MAX_TERMS}"""


def completion_terms(select: Callable[[str], list[dict[str, str]]]) -> list[list[str]]:
    """``[iri, kind, label]`` for each term, in IRI order, from ``select`` (rows of a SELECT on the data)."""
    out = []
    for row in select(TERMS_QUERY):
        kind = "class" if row["class"] == "1" else "property" if row["property"] == "1" else "term"
        label = row["label_en"] or row["label_zh"]
        out.append([row["term"], kind, f"{label} (deprecated)".lstrip() if row["deprecated"] == "1" else label])
    return out
