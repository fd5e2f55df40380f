"""void.ttl (VoID + DCAT, issue 6): every figure equals what the written files say."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from conftest import NOTICE
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, VOID

from cnipa_kg import __version__
from cnipa_kg.core.vocab import CKG

BASE = "https://w3id.org/cnipa-kg/"
SPDX = Namespace("http://spdx.org/rdf/terms#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # open namespace: rdflib's closed DCAT warns under pytest
NOTICE_IRI = URIRef(f"{BASE}eli/notice/gzfyz/2022/33")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
MEDIA_TYPES = {
    "cnipa-kg.ttl": "text/turtle",
    "cnipa-kg.nt": "application/n-triples",
    "cnipa-kg.jsonld": "application/ld+json",
    "designations.csv": "text/csv",
    "panel-prefecture.csv": "text/csv",
    "panel-prefecture.csv-metadata.json": "application/csvm+json",
    "panel-prefecture.md": "text/markdown",
    "panel-county.csv": "text/csv",
    "panel-county.csv-metadata.json": "application/csvm+json",
    "panel-county.md": "text/markdown",
    "designations.csv-metadata.json": "application/csvm+json",
    "docs/index.html": "text/html",
}


@pytest.fixture(scope="module")
def void(release_dir) -> Graph:
    return Graph().parse(release_dir / "void.ttl", format="turtle")


@pytest.fixture(scope="module")
def dataset(void) -> URIRef:
    found = list(void.subjects(RDF.type, VOID.Dataset))
    assert len(found) == 1
    assert (found[0], RDF.type, DCAT.Dataset) in void
    return found[0]


@pytest.fixture(scope="module")
def release_graph(release_dir) -> Graph:
    """The graph as the release's N-Triples file says it."""
    return Graph().parse(release_dir / "cnipa-kg.nt", format="nt")


def _int(void: Graph, s, p) -> int:
    values = list(void.objects(s, p))
    assert len(values) == 1, (s, p, values)
    return int(values[0])


def _release_files(release_dir) -> set[str]:
    return {p.relative_to(release_dir).as_posix() for p in release_dir.rglob("*") if p.is_file()} - {"void.ttl"}


def test_void_triples_equal_ntriples_lines_and_graph(void, dataset, release_dir, release_graph, graph):
    lines = [line for line in (release_dir / "cnipa-kg.nt").read_bytes().splitlines() if line.strip()]
    assert _int(void, dataset, VOID.triples) == len(lines) == len(release_graph) == len(graph)


def test_void_entities_subjects_objects_equal_graph(void, dataset, release_graph):
    g = release_graph
    assert _int(void, dataset, VOID.entities) == len({s for s in g.subjects() if isinstance(s, URIRef)})
    assert _int(void, dataset, VOID.distinctSubjects) == len(set(g.subjects()))
    assert _int(void, dataset, VOID.distinctObjects) == len(set(g.objects()))


def test_void_class_partitions_equal_type_counts(void, dataset, release_graph):
    want = Counter(o for s, o in release_graph.subject_objects(RDF.type) if isinstance(s, URIRef))
    got = {}
    for part in void.objects(dataset, VOID.classPartition):
        cls = void.value(part, VOID["class"])
        assert cls not in got, cls
        got[cls] = _int(void, part, VOID.entities)
    assert got == dict(want)
    assert _int(void, dataset, VOID.classes) == len(want)
    assert got[CKG.Designation] == 110
    assert got[CKG.AdministrativeDivision] == len(set(release_graph.subjects(RDF.type, CKG.AdministrativeDivision)))


def test_void_property_partitions_equal_predicate_counts(void, dataset, release_graph):
    want = Counter(release_graph.predicates(unique=False))
    got = {}
    for part in void.objects(dataset, VOID.propertyPartition):
        prop = void.value(part, VOID.property)
        assert prop not in got, prop
        got[prop] = _int(void, part, VOID.triples)
    assert got == dict(want)
    assert _int(void, dataset, VOID.properties) == len(want)
    assert sum(got.values()) == len(release_graph)


def test_void_one_distribution_per_release_file(void, dataset, release_dir):
    dists = list(void.objects(dataset, DCAT.distribution))
    names = [str(void.value(d, DCTERMS.title)) for d in dists]
    assert sorted(names) == sorted(_release_files(release_dir))
    assert set(MEDIA_TYPES) <= set(names)
    for d in dists:
        assert (d, RDF.type, DCAT.Distribution) in void


def test_void_distribution_byte_size_and_sha256_equal_files(void, dataset, release_dir):
    dists = list(void.objects(dataset, DCAT.distribution))
    assert dists
    for d in dists:
        name = str(void.value(d, DCTERMS.title))
        data = (release_dir / name).read_bytes()
        assert _int(void, d, DCAT.byteSize) == len(data) == (release_dir / name).stat().st_size, name
        checksums = list(void.objects(d, SPDX.checksum))
        assert len(checksums) == 1, name
        c = checksums[0]
        assert void.value(c, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256, name
        assert str(void.value(c, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest(), name


def test_void_distribution_media_types(void, dataset):
    for d in void.objects(dataset, DCAT.distribution):
        name = str(void.value(d, DCTERMS.title))
        types = [str(t) for t in void.objects(d, DCAT.mediaType)]
        assert len(types) == 1, name
        assert types[0].rsplit("media-types/", 1)[-1] == MEDIA_TYPES[name], (name, types)
        assert types[0].startswith("https://www.iana.org/assignments/media-types/"), types


def test_void_licence_source_and_publisher(void, dataset):
    assert set(void.objects(dataset, DCTERMS.license)) == {CC_BY}
    assert set(void.objects(dataset, DCTERMS.source)) == {NOTICE_IRI}
    assert void.value(dataset, DCTERMS.publisher) is not None
    titles = {o.language for o in void.objects(dataset, DCTERMS.title)}
    assert {"zh", "en"} <= titles


def test_void_generated_by_build_that_used_the_source_with_its_hash(void, dataset, notice_path):
    activity = void.value(dataset, PROV.wasGeneratedBy)
    assert activity is not None
    assert (activity, RDF.type, PROV.Activity) in void
    used = list(void.objects(activity, PROV.used))
    assert len(used) == 1
    source = used[0]
    assert str(source).startswith(str(NOTICE_IRI))
    assert void.value(source, CKG.sha256) == Literal(hashlib.sha256(notice_path.read_bytes()).hexdigest())
    assert void.value(source, DCTERMS.title) == Literal(notice_path.name)
    software = " ".join(str(o) for o in void.objects(activity, None))
    assert __version__ in software


def test_void_source_hash_agrees_with_graph(void, release_graph):
    for source, sha in void.subject_objects(CKG.sha256):
        assert (source, CKG.sha256, sha) in release_graph


def test_void_has_no_timestamp(release_dir):
    text = (release_dir / "void.ttl").read_text(encoding="utf-8")
    assert "dateTime" not in text
    assert "startedAtTime" not in text and "endedAtTime" not in text


def test_build_void_is_byte_identical_across_builds(release_dir, tmp_path):
    from cnipa_kg.pipeline import build

    out = tmp_path / "again"
    build([NOTICE], out=out)
    assert (out / "void.ttl").read_bytes() == (release_dir / "void.ttl").read_bytes()
    for name in _release_files(release_dir):
        assert (out / name).read_bytes() == (release_dir / name).read_bytes(), name
