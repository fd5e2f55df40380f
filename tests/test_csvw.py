"""designations.csv-metadata.json (W3C CSV on the Web, issue 6).

Besides checking the metadata against the CSV, the metadata is applied by hand: a tiny CSVW
"minimal mode" CSV→RDF conversion (W3C "Generating RDF from Tabular Data on the Web"), with
URI templates (RFC 6570 levels 1-2) expanded per row. Prefixed names in URI template
properties are expanded only with the prefixes of the CSVW default context (the RDFa initial
context), as a conforming processor does; a metadata file cannot declare its own prefixes.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from urllib.parse import quote, urljoin

import pytest
from rdflib import BNode, Graph, Literal, URIRef

META = "designations.csv-metadata.json"
CSVW = "http://www.w3.org/ns/csvw"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
CKG = "https://w3id.org/cnipa-kg/def#"
ELI = "http://data.europa.eu/eli/ontology#"
DESIGNATION_1_1 = URIRef("https://w3id.org/cnipa-kg/eli/notice/gzfyz/2022/33/annex/1/1")
HAIDIAN = URIRef("https://w3id.org/cnipa-kg/division/110108")

# prefixes of the CSVW default context (= RDFa 1.1 initial context), the only ones a processor expands
CSVW_PREFIXES = {
    "as": "https://www.w3.org/ns/activitystreams#", "cc": "http://creativecommons.org/ns#",
    "csvw": "http://www.w3.org/ns/csvw#", "dc": "http://purl.org/dc/terms/", "dc11": "http://purl.org/dc/elements/1.1/",
    "dcat": "http://www.w3.org/ns/dcat#", "dcterms": "http://purl.org/dc/terms/", "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#", "owl": "http://www.w3.org/2002/07/owl#", "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "schema": "http://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#", "void": "http://rdfs.org/ns/void#", "xsd": XSD,
}
# properties a metadata document may have at its top level (Metadata Vocabulary for Tabular Data §5)
TABLE_KEYS = {"@context", "@id", "@type", "url", "notes", "tableDirection", "tableSchema", "transformations",
              "dialect", "suppressOutput", "aboutUrl", "datatype", "default", "lang", "null", "ordered",
              "propertyUrl", "required", "separator", "textDirection", "valueUrl"}
BUILTIN_TYPES = {"string": "string", "integer": "integer", "date": "date", "anyURI": "anyURI",
                 "decimal": "decimal", "boolean": "boolean"}


# -- a tiny CSVW processor ------------------------------------------------------------------------


def expand_template(template: str, values: dict[str, str]) -> str:
    """RFC 6570 {var}, {+var}, {#var}."""
    def sub(m: re.Match) -> str:
        op, name = m.group(1), m.group(2)
        value = values.get(name)
        if value is None:
            return ""
        if op == "+":
            return quote(value, safe=":/?#[]@!$&'()*+,;=-._~%")
        if op == "#":
            return "#" + quote(value, safe=":/?#[]@!$&'()*+,;=-._~%")
        return quote(value, safe="-._~")
    return re.sub(r"\{([+#]?)([A-Za-z0-9_.%]+)\}", sub, template)


def _expand_url(template: str, values: dict[str, str], base: str, prefixes: dict[str, str] = CSVW_PREFIXES) -> URIRef:
    text = expand_template(template, values)
    prefix, sep, rest = text.partition(":")
    if sep and prefix in prefixes and not rest.startswith("//"):
        text = prefixes[prefix] + rest
    return URIRef(urljoin(base, text))


def datatype_of(column: dict) -> str:
    dt = column.get("datatype", "string")
    base = dt.get("base", "string") if isinstance(dt, dict) else dt
    return BUILTIN_TYPES[base]


def convert(meta: dict, rows: list[dict[str, str]], table_url: str, *, lenient: bool = False) -> Graph:
    """Minimal-mode CSV→RDF: one subject per row (aboutUrl), one triple per non-empty cell.

    ``lenient`` also honours the file's own non-standard ``prefixes`` key (what its authors meant).
    """
    prefixes = dict(CSVW_PREFIXES, **meta.get("prefixes", {})) if lenient else CSVW_PREFIXES

    def expand_url(template, values, base):
        return _expand_url(template, values, base, prefixes)

    g = Graph()
    schema = meta["tableSchema"]
    columns = schema["columns"]
    for n, row in enumerate(rows, 1):
        values = dict(row, _row=str(n))
        default_subject = BNode()
        for col in columns:
            if col.get("suppressOutput"):
                continue
            about = col.get("aboutUrl", schema.get("aboutUrl"))
            subject = expand_url(about, values, table_url) if about else default_subject
            cells = dict(values, _name=col.get("name", ""))
            prop_t = col.get("propertyUrl", schema.get("propertyUrl"))
            prop = expand_url(prop_t, cells, table_url) if prop_t else URIRef(f"{table_url}#{quote(col['name'], safe='')}")
            if col.get("virtual"):
                g.add((subject, prop, expand_url(col["valueUrl"], cells, table_url)))
                continue
            cell = row[col["name"]]
            if cell == "":
                continue
            value_t = col.get("valueUrl", schema.get("valueUrl"))
            if value_t:
                g.add((subject, prop, expand_url(value_t, cells, table_url)))
            elif datatype_of(col) == "string":
                g.add((subject, prop, Literal(cell)))
            else:
                g.add((subject, prop, Literal(cell, datatype=URIRef(XSD + datatype_of(col)))))
    return g


# -- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def meta(release_dir) -> dict:
    return json.loads((release_dir / META).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def table(release_dir) -> tuple[list[str], list[dict[str, str]]]:
    with (release_dir / "designations.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        header = list(reader.fieldnames or [])
    assert len(rows) == 110
    return header, rows


@pytest.fixture(scope="module")
def table_url(release_dir, meta) -> str:
    return urljoin((release_dir / META).as_uri(), meta["url"])


@pytest.fixture(scope="module")
def converted(meta, table, table_url) -> Graph:
    return convert(meta, table[1], table_url)


def _columns(meta: dict) -> list[dict]:
    return [c for c in meta["tableSchema"]["columns"] if not c.get("virtual")]


# -- the metadata against the CSV -----------------------------------------------------------------


def test_csvw_metadata_is_json_with_csvw_context(meta):
    context = meta["@context"]
    assert context == CSVW or (isinstance(context, list) and context[0] == CSVW)
    if isinstance(context, list):
        for extra in context[1:]:
            assert set(extra) <= {"@base", "@language"}, extra  # all a CSVW context object may hold


def test_csvw_metadata_url_names_the_csv(meta, release_dir):
    assert meta["url"] == "designations.csv"
    assert (release_dir / meta["url"]).is_file()


def test_csvw_columns_match_csv_header_in_order(meta, table):
    header, _ = table
    names = [c["name"] for c in _columns(meta)]
    assert names == header
    for c in _columns(meta):
        titles = c.get("titles")
        assert c["name"] in ([titles] if isinstance(titles, str) else list(titles or [])), c


def test_csvw_every_named_column_exists_in_csv(meta, table):
    header, _ = table
    named = {c["name"] for c in _columns(meta)}
    named |= set(meta["tableSchema"].get("primaryKey", []))
    for c in meta["tableSchema"]["columns"]:
        for template in (c.get("aboutUrl"), c.get("propertyUrl"), c.get("valueUrl"), meta["tableSchema"].get("aboutUrl")):
            named |= {n for n in re.findall(r"\{[+#]?([A-Za-z0-9_]+)\}", template or "") if not n.startswith("_")}
    assert named and named <= set(header), named - set(header)


def test_csvw_primary_key_identifies_rows(meta, table):
    _, rows = table
    key = meta["tableSchema"]["primaryKey"]
    assert key == ["designation"]  # a notice may lack its 文号, a roster row its serial
    keys = [tuple(r[k] for k in key) for r in rows]
    assert len(set(keys)) == len(rows)


def test_csvw_datatypes_declared(meta):
    types = {c["name"]: datatype_of(c) for c in _columns(meta)}
    assert types["annex"] == types["serial"] == "integer"
    assert types["period_start"] == types["period_end"] == "date"
    assert types["notice"] == types["name"] == "string"
    assert types["adcode"] == "string"


def test_csvw_cells_conform_to_datatypes_and_formats(meta, table):
    _, rows = table
    for c in _columns(meta):
        dt = c.get("datatype")
        pattern = dt.get("format") if isinstance(dt, dict) else None
        for r in rows:
            cell = r[c["name"]]
            if cell == "":
                assert not c.get("required"), (c["name"], r["serial"])
                continue
            kind = datatype_of(c)
            if kind == "integer":
                assert re.fullmatch(r"-?[0-9]+", cell), (c["name"], cell)
            elif kind == "date":
                date.fromisoformat(cell)
            elif kind == "anyURI":
                assert cell.startswith("https://"), (c["name"], cell)
            if pattern:
                assert re.fullmatch(pattern, cell), (c["name"], cell, pattern)


def test_csvw_metadata_uses_only_keys_csvw_defines(meta):
    """Non-CSVW keys must be common properties (prefixed names or absolute IRIs); "prefixes" is not one."""
    bad = [k for k in meta if k not in TABLE_KEYS and ":" not in k]
    assert bad == []


def test_csvw_url_templates_use_only_prefixes_csvw_knows(meta):
    """A processor expands only the prefixes of the CSVW context; ckg: or eli: would stay as IRIs `ckg:…`."""
    unknown = []
    for c in meta["tableSchema"]["columns"]:
        for key in ("propertyUrl", "valueUrl", "aboutUrl"):
            template = c.get(key)
            if not template:
                continue
            m = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", template)
            if m and m.group(1) not in CSVW_PREFIXES and m.group(1) not in ("http", "https", "urn"):
                unknown.append((c.get("name", "(virtual)"), key, template))
    assert unknown == []


# -- the metadata applied: CSV → RDF ----------------------------------------------------------------


def test_csvw_conversion_row1_designation_triples(converted):
    d = DESIGNATION_1_1
    assert (d, RDF_TYPE, URIRef(CKG + "Designation")) in converted
    assert (d, URIRef(CKG + "serialNumber"), Literal("1", datatype=URIRef(XSD + "integer"))) in converted
    assert (d, URIRef(CKG + "tier"), URIRef(CKG + "demonstration")) in converted  # the level column is the tier
    assert (d, URIRef(CKG + "programme"), URIRef(CKG + "strongCityProgramme")) in converted
    assert (d, URIRef(CKG + "designee"), HAIDIAN) in converted
    assert (d, URIRef(CKG + "periodStart"), Literal("2022-07-01", datatype=URIRef(XSD + "date"))) in converted
    assert (d, URIRef(CKG + "periodEnd"), Literal("2025-06-30", datatype=URIRef(XSD + "date"))) in converted


def test_csvw_conversion_subjects_are_the_designations_and_their_divisions(converted, table):
    _, rows = table
    subjects = {s for s in converted.subjects() if isinstance(s, URIRef)}
    # each row describes its designation; the adcode column (aboutUrl {+division}) its division
    assert subjects == {URIRef(r["designation"]) for r in rows} | {URIRef(r["division"]) for r in rows}
    assert not any(isinstance(s, BNode) for s in converted.subjects())


def test_csvw_conversion_default_properties_are_csv_fragments(converted, table_url):
    d = DESIGNATION_1_1
    assert (d, URIRef(f"{table_url}#name"), Literal("海淀区")) in converted
    assert (d, URIRef(f"{table_url}#name_en"), Literal("Haidian District")) in converted


def test_csvw_conversion_ckg_triples_are_in_release_graph(meta, table, table_url, graph):
    """What the CSV says in the ontology's terms must be what the graph says (no contradicting model).

    Converted leniently (ckg:/eli: expanded as the file means them), so that this checks the model,
    not the prefixes (test_csvw_url_templates_use_only_prefixes_csvw_knows checks those).
    """
    converted = convert(meta, table[1], table_url, lenient=True)
    ckg_triples = [t for t in converted if str(t[1]).startswith((CKG, ELI)) or t[1] == RDF_TYPE]
    assert len(ckg_triples) >= 110 * 4
    missing = [t for t in ckg_triples if t not in graph]
    assert sorted({str(p) for _, p, _ in missing}) == [], missing[:3]
