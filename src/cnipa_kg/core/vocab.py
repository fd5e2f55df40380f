"""Namespaces, prefixes and CURIEs, and the fixed ontology terms (``ckg:``), in one place.

>>> curie(CKG.Designation), curie(URIRef("https://example.org/x"))
('ckg:Designation', '<https://example.org/x>')
"""

from __future__ import annotations

from functools import cache

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    OWL,
    PROV,
    RDF,
    RDFS,
    SKOS,
    VOID,
    XSD,
    NamespaceManager,
)

from . import terms

CKG = Namespace("https://w3id.org/cnipa-kg/def#")
ONTOLOGY_IRI = "https://w3id.org/cnipa-kg/def"
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
VANN = Namespace("http://purl.org/vocab/vann/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")  #: OGC GeoSPARQL 1.1 (geo:hasGeometry, geo:asWKT)
WD = Namespace("http://www.wikidata.org/entity/")  #: Wikidata entities, as Wikidata's own RDF writes them
WIKIDATA = URIRef("http://www.wikidata.org/")  #: Wikidata as a dataset (the target of the VoID linkset)
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
    "geo": GEO,
    "wd": WD,
}

LEVEL_CONCEPT = {"demonstration": CKG.demonstration, "pilot": CKG.pilot}  #: the (deprecated) designation levels
#: records' spellings -> concepts, from the one table of terms (:mod:`.terms`)
TIER_CONCEPT = {t.key: CKG[t.local] for t in terms.TIERS}
PROGRAMME_CONCEPT = {t.key: CKG[t.local] for t in terms.PROGRAMMES}
EVIDENCE_CONCEPT = {t.key: CKG[t.local] for t in terms.EVIDENCE_GRADES}  #: core.records.EVIDENCE
PINYIN = "zh-latn-pinyin"  #: language tag of pinyin labels (BCP 47 tags are case-insensitive; RDF 1.1 writes them lower case)
DIVISION_LEVEL_CONCEPT = {t.key: CKG[t.local] for t in terms.DIVISION_LEVELS}


def bind_prefixes(graph: Graph, *, base: str | None = None) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    if base:
        graph.bind("cnipa", Namespace(base), override=True, replace=True)
    return graph


def sparql_prefixes() -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


@cache
def _namespaces() -> NamespaceManager:
    manager = NamespaceManager(Graph(bind_namespaces="none"), bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        manager.bind(prefix, ns, override=True, replace=True)
    return manager


def curie(term) -> str:
    """``prefix:local`` for an IRI in one of :data:`PREFIXES` (rdflib's namespace manager),
    ``<iri>`` for another IRI, the text of anything else."""
    if not isinstance(term, URIRef):
        return str(term)
    try:
        prefix, namespace, local = _namespaces().compute_qname_strict(term, generate=False)
    except (ValueError, KeyError):
        return f"<{term}>"
    return f"{prefix}:{local}" if local else f"<{term}>"


def expand(text: str) -> URIRef:
    """The inverse of :func:`curie`.

    >>> expand("skos:prefLabel"), expand("<https://example.org/x>")
    (rdflib.term.URIRef('http://www.w3.org/2004/02/skos/core#prefLabel'), rdflib.term.URIRef('https://example.org/x'))
    """
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    prefix, _, local = text.partition(":")
    return URIRef(str(PREFIXES[prefix]) + local) if prefix in PREFIXES else URIRef(text)
