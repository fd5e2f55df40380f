"""Namespaces and the fixed ontology terms (``ckg:``), in one place."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

CKG = Namespace("https://w3id.org/cnipa-kg/def#")
ONTOLOGY_IRI = "https://w3id.org/cnipa-kg/def"
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
VANN = Namespace("http://purl.org/vocab/vann/")
DEFAULT_BASE = "https://w3id.org/cnipa-kg/"

PREFIXES = {
    "ckg": CKG,
    "eli": ELI,
    "org": ORG,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "void": VOID,
    "dcat": DCAT,
    "schema": SCHEMA,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "vann": VANN,
}

LEVEL_CONCEPT = {"demonstration": CKG.demonstration, "pilot": CKG.pilot}
DIVISION_LEVEL_CONCEPT = {"province": CKG.provinceLevel, "prefecture": CKG.prefectureLevel, "district": CKG.districtLevel}


def bind_prefixes(graph: Graph, *, base: str | None = None) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    if base:
        graph.bind("cnipa", Namespace(base), override=True, replace=True)
    return graph


def sparql_prefixes() -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
