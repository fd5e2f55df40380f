"""Tables read from the release store by SPARQL: designations, divisions and their labels.

designations.csv, city-year-panel.csv and the designations' English labels need a few
properties of every designation and division. They are read here with a handful of flat
queries on pyoxigraph (which answer in seconds on two million triples) and joined in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..core.vocab import CKG, WD

_PREFIXES = f"""PREFIX ckg: <{CKG}>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


@dataclass(frozen=True)
class Designation:
    iri: str
    notice: str  #: the notice's 文号 (eli:id_local)
    annex: str  #: "" for a list printed inline in the body
    serial: str
    level: str  #: the tier ("demonstration", "pilot", "demonstrationBuilding", "building")
    division: str  #: IRI of the division designated, or that the designated park lies in
    start: str  #: "" when no period is stated
    end: str
    lines: tuple[int, ...]
    programme: str = ""  #: e.g. "strongCityProgramme"
    park: str = ""  #: the designated park's IRI, if a park
    date: str = ""  #: the notice's date (eli:date_document; a month's first day when it is known to the month)
    document: str = ""  #: the notice's IRI
    signed: str = ""  #: the notice's date as precise as known: YYYY-MM-DD or YYYY-MM
    evidence: str = ""  #: the evidence grade ("evidenceIssuerText", "evidenceRoster")


@dataclass
class DivisionRow:
    iri: str
    adcode: str = ""
    level: str = ""  #: "province", "prefecture" or "district"
    parent: str = ""  #: IRI
    province: str = ""  #: IRI ("" for a province)
    labels: dict[str, str] = field(default_factory=dict)  #: language tag (lower case) -> label
    wikidata: str = ""  #: the QID of its Wikidata entity (owl:sameAs), "" when none


def _order(d: Designation) -> tuple:
    """Designations by their notice's date, the notice, annex, then serial (a roster's: its row)."""
    position = d.serial or d.iri.rsplit("/", 1)[-1]
    return (d.date, d.document, int(d.annex or 0), int(position) if position.isdigit() else 0, d.iri)


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]


class Tables:
    """Designations and divisions of a pyoxigraph store (default graph)."""

    def __init__(self, store) -> None:
        self.store = store

    def _select(self, query: str):
        import pyoxigraph as ox

        for row in self.store.query(_PREFIXES + query, default_graph=ox.DefaultGraph()):
            yield [None if t is None else t.value for t in row]

    @cached_property
    def divisions(self) -> dict[str, DivisionRow]:
        out: dict[str, DivisionRow] = {}
        for iri, code in self._select("SELECT ?x ?code WHERE { ?x ckg:adcode ?code }"):
            out.setdefault(iri, DivisionRow(iri, adcode=code))
        for iri, level in self._select("SELECT ?x ?l WHERE { ?x ckg:adcode [] ; ckg:divisionLevel ?l }"):
            out[iri].level = _local(level).removesuffix("Level")
        for iri, parent in self._select("SELECT ?x ?p WHERE { ?x ckg:adcode [] ; skos:broader ?p }"):
            out[iri].parent = parent
        for iri, province in self._select("SELECT ?x ?p WHERE { ?x ckg:adcode [] ; ckg:province ?p }"):
            out[iri].province = province
        for iri, entity in self._select(f"""SELECT ?x ?q WHERE {{ ?x ckg:adcode [] ; owl:sameAs ?q
                                             FILTER(STRSTARTS(STR(?q), "{WD}")) }}"""):
            out[iri].wikidata = entity[len(str(WD)):]
        for iri, label, lang in self._select("SELECT ?x ?l (LANG(?l) AS ?lang) WHERE { ?x ckg:adcode [] ; skos:prefLabel ?l }"):
            out[iri].labels.setdefault(lang.lower(), label)
        return out

    @cached_property
    def designations(self) -> list[Designation]:
        """Every designation, sorted by notice, annex and serial."""
        lines: dict[str, list[int]] = {}
        for d, line in self._select("SELECT ?d ?line WHERE { ?d ckg:designatedBy [] ; prov:wasDerivedFrom/ckg:sourceLine ?line }"):
            lines.setdefault(d, []).append(int(line))
        seen: dict[str, Designation] = {}
        for d, notice, annex, serial, tier, programme, designee, division, start, end, day, month, doc, grade in self._select("""
                SELECT ?d ?id ?annexNumber ?serial ?tier ?programme ?designee ?division ?start ?end ?day ?month ?notice
                       ?grade WHERE {
                  ?d ckg:designatedBy ?notice ; ckg:tier ?tier ; ckg:programme ?programme ; ckg:designee ?designee .
                  OPTIONAL { ?d ckg:serialNumber ?serial }
                  OPTIONAL { ?d ckg:evidenceGrade ?grade }
                  OPTIONAL { ?notice eli:id_local ?id }
                  OPTIONAL { ?notice eli:date_document ?day }
                  OPTIONAL { ?notice ckg:signedInMonth ?month }
                  OPTIONAL { ?designee ckg:locatedIn ?park_division }
                  BIND(COALESCE(?park_division, ?designee) AS ?division)
                  OPTIONAL { ?d ckg:inAnnex/ckg:annexNumber ?annexNumber }
                  OPTIONAL { ?d ckg:periodStart ?start ; ckg:periodEnd ?end } }"""):
            signed = day or month or ""
            seen.setdefault(d, Designation(d, notice or "", annex or "", serial or "", _local(tier), division, start or "",
                                           end or "", tuple(sorted(lines.get(d, ()))), _local(programme),
                                           designee if designee != division else "",
                                           day or (f"{month}-01" if month else ""), doc, signed, _local(grade or "")))
        return sorted(seen.values(), key=_order)

    def programme_counts(self) -> dict[tuple[str, str, str], int]:
        """(programme, tier, "designation" | "proposal") -> how many there are, e.g. ("strongCityProgramme", "pilot", "designation")."""
        out = {}
        for kind, prop in (("designation", "designatedBy"), ("proposal", "proposedBy")):
            for programme, tier, n in self._select(f"SELECT ?p ?t (COUNT(?d) AS ?n) WHERE {{ ?d ckg:{prop} [] ; ckg:programme ?p ; "
                                                   "ckg:tier ?t } GROUP BY ?p ?t"):
                out[(_local(programme), _local(tier), kind)] = int(n)
        return out

    def confirmed_count(self) -> int:
        """How many proposed designations a designation confirms."""
        return int(next(iter(self._select("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { [] ckg:confirms ?p }")))[0])

    def level_counts(self) -> dict[str, int]:
        """Tier ("demonstration", "pilot" …) -> how many designations have it."""
        return {_local(level): int(n) for level, n in self._select(
            "SELECT ?level (COUNT(?d) AS ?n) WHERE { ?d ckg:designatedBy [] ; ckg:tier ?level } GROUP BY ?level")}

    @cached_property
    def park_labels(self) -> dict[str, str]:
        """Park IRI -> its zh name."""
        return dict(self._select('SELECT ?p ?l WHERE { ?p a ckg:Park ; skos:prefLabel ?l FILTER(lang(?l) = "zh") }'))

    def label(self, iri: str, lang: str) -> str:
        division = self.divisions.get(iri)
        return division.labels.get(lang.lower(), "") if division else ""

    def province_of(self, iri: str) -> str:
        """The province's IRI (itself for a province)."""
        division = self.divisions.get(iri)
        return (division.province or iri) if division else iri

