"""Links from divisions to Wikidata (owl:sameAs) and their points (GeoSPARQL), on the real release.

The links and points come from ``data/reference/division-wikidata.csv`` (a CC0 snapshot of
Wikidata); a division without a row has neither (never guessed).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re

import pytest
from conftest import ROOT
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, VOID

from cnipa_kg.check.validate import check_files
from cnipa_kg.core import iris
from cnipa_kg.core.vocab import CKG, GEO, WD
from cnipa_kg.reference.divisions import code_table
from cnipa_kg.reference.wikidata import link, wikidata_table

BASE = "https://w3id.org/cnipa-kg/"
TABLE = ROOT / "data" / "reference" / "division-wikidata.csv"
WIKIDATA = URIRef("http://www.wikidata.org/")
CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
POINT = re.compile(r"POINT\((-?[0-9.]+) (-?[0-9.]+)\)")


def division(code: str) -> URIRef:
    return URIRef(f"{BASE}division/{code}")


@pytest.fixture(scope="module")
def release_graph(release_dir) -> Graph:
    return Graph().parse(release_dir / "cnipa-kg.nt", format="nt")


@pytest.fixture(scope="module")
def designees(release_graph) -> set[URIRef]:
    found = set(release_graph.objects(None, CKG.designee))
    assert len(found) == 110
    return found


@pytest.fixture(scope="module")
def table_rows() -> dict[str, dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as f:
        return {r["adcode"]: r for r in csv.DictReader(line for line in f if not line.startswith("#"))}


# -- the reference table -----------------------------------------------------------------------------


def test_table_header_gives_provenance_licence_coverage_and_faults():
    header = "".join(line for line in TABLE.read_text(encoding="utf-8").splitlines(keepends=True) if line.startswith("#"))
    for words in ("Source: Wikidata", "P442", "P625", "Retrieved 2026-10-03", "celebrateyang/newlook", "Licence: CC0 1.0",
                  "Coverage", "109 have a row", "340500 马鞍山市", "Known faults", "340124 庐江县", "340103 庐阳区"):
        assert words in header, words


def test_table_keeps_the_qid_of_340124_but_not_the_coordinates_of_340103(table_rows):
    assert table_rows["340124"] == {"adcode": "340124", "name_zh": "庐江县", "wikidata": "Q1334871", "latitude": "", "longitude": ""}
    assert table_rows["340103"]["latitude"] and table_rows["340103"]["longitude"]
    assert link("340124").qid == "Q1334871" and link("340124").wkt is None


def test_no_row_is_dropped_for_its_name():
    table = wikidata_table()
    assert table.name_mismatches == ()
    assert set(table.not_in_code_table) == {"232762", "232763", "232764", "653132"}


def test_no_minted_division_has_a_row_with_another_name(release_graph):
    names = code_table().by_code
    codes = {str(c) for c in release_graph.objects(None, CKG.adcode)}
    assert len(codes) > 364
    assert [c for c in codes if link(c) and link(c).name_zh != names[c].name] == []


# -- the graph --------------------------------------------------------------------------------------


def test_109_of_the_110_designees_link_to_wikidata(release_graph, designees):
    linked = {d for d in designees if (d, OWL.sameAs, None) in release_graph}
    assert len(linked) == 109
    assert designees - linked == {division("340500")}  # 马鞍山市: no row, so no link and no point
    assert (division("340500"), GEO.hasGeometry, None) not in release_graph


def test_haidian_and_beijing(release_graph):
    assert set(release_graph.objects(division("110108"), OWL.sameAs)) == {WD.Q393454}
    assert set(release_graph.objects(division("110000"), OWL.sameAs)) == {URIRef("http://www.wikidata.org/entity/Q956")}
    point = URIRef(f"{BASE}division/110108#point")
    assert set(release_graph.objects(division("110108"), GEO.hasGeometry)) == {point}
    assert (point, RDF.type, GEO.Geometry) in release_graph
    assert set(release_graph.objects(point, GEO.asWKT)) == {Literal("POINT(116.29214 39.95812)", datatype=GEO.wktLiteral)}


def test_every_division_with_a_row_is_linked_and_no_other(release_graph):
    """Provinces and prefectures too, not only the designees; exactly the table's QID, never a guess."""
    divisions = set(release_graph.subjects(RDF.type, CKG.AdministrativeDivision))
    for d in divisions:
        row = link(str(release_graph.value(d, CKG.adcode)))
        assert set(release_graph.objects(d, OWL.sameAs)) == ({WD[row.qid]} if row else set()), d
    linked = {d for d in divisions if (d, OWL.sameAs, None) in release_graph}
    assert {division("320000"), division("540000"), division("320100")} <= linked  # a province, Tibet, a prefecture
    assert len(divisions - linked) == 8  # 340500 and the seven undesignated prefectures without a row
    assert len(list(release_graph.triples((None, OWL.sameAs, None)))) == len(linked) == 375


def test_every_geometry_is_a_point_in_china_written_as_the_table_has_it(release_graph, table_rows):
    geometries = list(release_graph.subject_objects(GEO.hasGeometry))
    assert len(geometries) == 375
    for d, point in geometries:
        assert point == URIRef(f"{d}#point")
        assert (point, RDF.type, GEO.Geometry) in release_graph
        wkts = list(release_graph.objects(point, GEO.asWKT))
        assert len(wkts) == 1 and wkts[0].datatype == GEO.wktLiteral, point
        m = POINT.fullmatch(str(wkts[0]))
        assert m, wkts[0]
        lon, lat = m.groups()
        assert 73 <= float(lon) <= 136 and 3 <= float(lat) <= 54, wkts[0]
        row = table_rows[str(release_graph.value(d, CKG.adcode))]
        assert (lon, lat) == (row["longitude"], row["latitude"])  # CRS84 order, digits as in the table
    assert len(set(release_graph.subjects(RDF.type, GEO.Geometry))) == 375


def test_340124_has_a_qid_but_no_point(release_graph):
    """庐江县 carries 庐阳区's coordinates in the snapshot: its link is kept, its point is not published."""
    from cnipa_kg.graph.enrich import enrich

    if (division("340124"), None, None) in release_graph:  # not designated in 2022: checked below on its own
        assert (division("340124"), OWL.sameAs, WD.Q1334871) in release_graph
        assert (division("340124"), GEO.hasGeometry, None) not in release_graph
    g = Graph()
    g.add((division("340124"), CKG.adcode, Literal("340124")))
    g = enrich(g, [], shared=False)
    assert set(g.objects(division("340124"), OWL.sameAs)) == {WD.Q1334871}
    assert (division("340124"), GEO.hasGeometry, None) not in g
    assert (division("340100"), GEO.hasGeometry, None) in g  # its parent has its own point


def test_geometry_iri_under_a_hash_base():
    assert iris.geometry_iri(iris.division_iri("https://example.org/kg#", "110108")) == URIRef(
        "https://example.org/kg#division/110108/point")


def test_turtle_and_jsonld_use_the_geo_and_wd_prefixes(release_dir):
    ttl = (release_dir / "cnipa-kg.ttl").read_text(encoding="utf-8")
    assert "@prefix geo: <http://www.opengis.net/ont/geosparql#> ." in ttl
    assert "@prefix wd: <http://www.wikidata.org/entity/> ." in ttl
    assert "owl:sameAs wd:Q393454" in ttl
    doc = json.loads((release_dir / "cnipa-kg.jsonld").read_text(encoding="utf-8"))
    node = next(n for n in doc["@graph"] if n.get("id") == f"{BASE}division/110108")
    assert node["sameAs"] == "wd:Q393454" and node["hasGeometry"] == f"{BASE}division/110108#point"


def test_a_query_lists_designated_divisions_with_their_qid_and_point(release_dir):
    """The README's example query."""
    from cnipa_kg.query.release import check_release
    from cnipa_kg.query.results import query

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"## Links to Wikidata and coordinates.*?```sparql\n(.*?)```", readme, re.S)
    assert m, "README has no example query in its Wikidata section"
    _, store = check_release(release_dir)
    rows = list(csv.DictReader(io.StringIO(query(store, m.group(1), format="csv").decode("utf-8"))))
    assert len(rows) == 109
    haidian = next(r for r in rows if r["adcode"] == "110108")
    assert haidian["qid"] == "Q393454" and haidian["wkt"] == "POINT(116.29214 39.95812)"


# -- designations.csv -------------------------------------------------------------------------------


def test_designations_csv_has_the_qid_of_the_division(release_dir, release_graph):
    reader = csv.DictReader(io.StringIO((release_dir / "designations.csv").read_text(encoding="utf-8")))
    rows = list(reader)
    # the wikidata column ends the columns of earlier releases; the document and evidence columns follow it
    assert reader.fieldnames.index("wikidata") == reader.fieldnames.index("designee") + 1 and "latitude" not in reader.fieldnames
    by_code = {r["adcode"]: r["wikidata"] for r in rows}
    assert by_code["110108"] == "Q393454" and by_code["340500"] == ""
    assert sum(1 for r in rows if r["wikidata"]) == 109
    for r in rows:
        want = {str(o)[len(str(WD)):] for o in release_graph.objects(URIRef(r["division"]), OWL.sameAs)}
        assert ({r["wikidata"]} if r["wikidata"] else set()) == want, r["adcode"]
    meta = json.loads((release_dir / "designations.csv-metadata.json").read_text(encoding="utf-8"))
    col = next(c for c in meta["tableSchema"]["columns"] if c.get("name") == "wikidata")
    assert col["propertyUrl"] == "owl:sameAs" and col["valueUrl"] == "http://www.wikidata.org/entity/{wikidata}"
    assert col["aboutUrl"] == "{+division}" and col["required"] is False


# -- void.ttl ---------------------------------------------------------------------------------------


def test_void_linkset_counts_the_sameas_links(release_dir, release_graph):
    void = Graph().parse(release_dir / "void.ttl", format="turtle")
    dataset = URIRef(f"{BASE}dataset")
    linksets = list(void.subjects(RDF.type, VOID.Linkset))
    assert len(linksets) == 1
    ls = linksets[0]
    assert (dataset, VOID.subset, ls) in void
    assert void.value(ls, VOID.linkPredicate) == OWL.sameAs
    assert WIKIDATA in set(void.objects(ls, VOID.target)) and void.value(ls, VOID.objectsTarget) == WIKIDATA
    assert list(void.subjects(RDF.type, VOID.Dataset)) == [dataset]  # Wikidata is named, not typed: one dataset here
    assert len(list(void.objects(None, VOID.uriSpace))) == 1
    assert int(void.value(ls, VOID.triples)) == len(list(release_graph.triples((None, OWL.sameAs, None)))) == 375


def test_void_names_the_reference_table_with_its_licence_and_hash(release_dir):
    void = Graph().parse(release_dir / "void.ttl", format="turtle")
    table = URIRef(f"{BASE}dataset/source/division-wikidata.csv")
    assert (URIRef(f"{BASE}dataset"), PROV.wasDerivedFrom, table) in void
    assert void.value(table, DCTERMS.license) == CC0 and void.value(table, DCTERMS.source) == WIKIDATA
    checksum = void.value(table, SPDX.checksum)
    assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(TABLE.read_bytes()).hexdigest()


# -- the shapes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["division-wikidata--qid-without-q.ttl", "division-geometry--two-geometries.ttl",
                                  "geometry-wkt--point-outside-china.ttl"])
def test_invalid_examples_fail_the_shapes(name):
    report = check_files([ROOT / "data" / "examples" / "invalid" / name])
    assert not report.conforms
    assert {r.rule for r in report.results} == {name.split("--")[0]}


# -- the ontology -----------------------------------------------------------------------------------


def test_ontology_declares_the_geosparql_terms_and_says_how_sameas_is_used():
    from rdflib.namespace import RDFS

    onto = Graph().parse(ROOT / "ontology" / "cnipa-kg.ttl", format="turtle")
    for term, kind in ((GEO.hasGeometry, OWL.ObjectProperty), (GEO.asWKT, OWL.DatatypeProperty), (GEO.Geometry, OWL.Class)):
        assert (term, RDF.type, kind) in onto
        assert {c.language for c in onto.objects(term, RDFS.comment)} == {"zh", "en"}, term
    header = " ".join(str(c) for c in onto.objects(URIRef("https://w3id.org/cnipa-kg/def"), RDFS.comment))
    assert "owl:sameAs" in header and "http://www.wikidata.org/entity/Q" in header and "geo:asWKT" in header
