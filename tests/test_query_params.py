"""Parameters of queries (issue 14, item 4): declared in the header, checked, bound by a VALUES
block inserted in the WHERE group (never by pasting a value into the query), and every misuse
through the command line one line on stderr with exit 2."""

from __future__ import annotations

import datetime as dt
import json

import pyoxigraph as ox
import pytest
from conftest import ROOT, invoke

from cnipa_kg.core.errors import BadQuery, InputError
from cnipa_kg.query.params import (
    Param,
    assignments,
    bind,
    declared,
    insert_values,
    term,
    variables,
)

XSD = "http://www.w3.org/2001/XMLSchema#"
CKG = "https://w3id.org/cnipa-kg/def#"


# -- the header ---------------------------------------------------------------------------------------


def test_declarations_are_read_from_the_header():
    text = ("# title: t\n# description: d\n"
            "# param: province (string, default 江苏) — the province, short or full Chinese name\n"
            "# param: on (date, default today) — the date the status is taken on\n"
            "# param: adcode (string, required) — a code\n"
            "# param: n (integer) - a number\n"
            "# param: tier (iri, optional)\n"
            "SELECT * WHERE { ?a ?b ?province , ?on , ?adcode , ?n , ?tier }\n")
    got = declared(text)
    assert got == [
        Param("province", "string", "江苏", False, "the province, short or full Chinese name"),
        Param("on", "date", "today", False, "the date the status is taken on"),
        Param("adcode", "string", None, True, "a code"),
        Param("n", "integer", None, True, "a number"),
        Param("tier", "iri", None, False, ""),
    ]
    assert got[0].usage() == "province (string, default 江苏) — the province, short or full Chinese name"
    assert got[2].usage() == "adcode (string, required) — a code"
    assert got[4].usage() == "tier (iri, optional)"


def test_only_the_header_declares():
    text = "# title: t\nSELECT ?x WHERE { ?x ?p ?o }\n# param: x (string)\n"
    assert declared(text) == []
    assert declared("SELECT ?x WHERE { ?x ?p ?o }") == []


@pytest.mark.parametrize(("line", "needle"), [
    ("# param: province", "malformed parameter"),
    ("# param: province string", "malformed parameter"),
    ("# param: 1x (string)", "malformed parameter"),
    ("# param: province (text)", "unknown type 'text'"),
    ("# param: province (string, maybe)", "'maybe' is none of"),
    ("# param: on (date, default 2025-02-30)", "bad default"),
    ("# param: n (integer, default ten)", "bad default"),
    ("# param: unused (string)", "never uses ?unused"),
])
def test_malformed_declarations_name_the_line(line, needle):
    text = f"# title: t\n{line}\nSELECT ?province ?on ?n WHERE {{ ?province ?on ?n }}\n"
    with pytest.raises(InputError) as err:
        declared(text, "q.rq")
    assert str(err.value).startswith("q.rq:2: "), err.value
    assert needle in str(err.value)


def test_a_parameter_declared_twice_is_refused():
    with pytest.raises(InputError, match="declared twice"):
        declared("# param: x (string)\n# param: x (date)\nSELECT ?x {}")


def test_a_mention_in_a_comment_or_string_is_no_use():
    with pytest.raises(InputError, match="never uses"):
        declared('# param: x (string)\nSELECT ?y WHERE { ?y ?p "?x" } # ?x\n')


# -- values -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("type_", "value", "expected"), [
    ("string", "广东", ox.Literal("广东")),
    ("string", 'a "quoted" \\ } { # value', ox.Literal('a "quoted" \\ } { # value')),
    ("integer", "42", ox.Literal("42", datatype=ox.NamedNode(XSD + "integer"))),
    ("integer", "-007", ox.Literal("-7", datatype=ox.NamedNode(XSD + "integer"))),
    ("date", "2026-11-28", ox.Literal("2026-11-28", datatype=ox.NamedNode(XSD + "date"))),
    ("date", "2024-02-29", ox.Literal("2024-02-29", datatype=ox.NamedNode(XSD + "date"))),
    ("iri", "ckg:pilot", ox.NamedNode(CKG + "pilot")),
    ("iri", "https://w3id.org/cnipa-kg/division/320100", ox.NamedNode("https://w3id.org/cnipa-kg/division/320100")),
    ("iri", "<urn:x:1>", ox.NamedNode("urn:x:1")),
])
def test_values_become_terms_of_their_type(type_, value, expected):
    assert term(Param("p", type_), value) == expected


def test_today_is_the_date_it_is_run():
    assert term(Param("on", "date"), "today").value == dt.date.today().isoformat()


@pytest.mark.parametrize(("type_", "value", "needle"), [
    ("date", "2026-13-01", "is not a date (YYYY-MM-DD"),
    ("date", "2026-02-30", "is not a date"),
    ("date", "28/11/2026", "is not a date"),
    ("date", "2026-1-28", "is not a date"),
    ("integer", "1.5", "is not an integer"),
    ("integer", "", "no value given"),
    ("iri", "not an iri", "is not an absolute IRI"),
    ("iri", "relative/path", "is not an absolute IRI"),
    ("string", "", "no value given"),
])
def test_values_that_do_not_fit_are_refused(type_, value, needle):
    with pytest.raises(ValueError, match=needle.replace("(", r"\(")):
        term(Param("p", type_), value)


def test_assignments():
    assert assignments(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    with pytest.raises(BadQuery, match="expected NAME=VALUE"):
        assignments(["province"])
    with pytest.raises(BadQuery, match="given twice"):
        assignments(["on=2026-01-01", "on=2026-01-02"])


# -- binding: where the VALUES block goes and what it binds -------------------------------------------


@pytest.fixture(scope="module")
def small():
    store = ox.Store()
    e = "http://e/"
    for name, day in (("a", "2020-01-01"), ("b", "2023-05-01"), ("c", "2026-01-01")):
        store.add(ox.Quad(ox.NamedNode(e + name), ox.NamedNode(e + "date"), ox.Literal(day, datatype=ox.NamedNode(XSD + "date"))))
        store.add(ox.Quad(ox.NamedNode(e + name), ox.NamedNode(e + "label"), ox.Literal(name)))
    return store


ON = "# param: on (date, default 2023-01-01) — a day\nPREFIX e: <http://e/>\n"


@pytest.mark.parametrize(("body", "expected"), [
    ("SELECT ?s WHERE { ?s e:date ?d FILTER(?d > ?on) } ORDER BY ?s", ["b", "c"]),
    ("SELECT ?s { ?s e:date ?d BIND(IF(?d > ?on, 'later', 'earlier') AS ?x) FILTER(?x = 'earlier') }", ["a"]),
    ("SELECT ?s WHERE { ?s e:label ?l OPTIONAL { ?s e:date ?d FILTER(?d > ?on) } FILTER(!BOUND(?d)) }", ["a"]),
    ("SELECT ?s WHERE { ?s e:label ?l FILTER NOT EXISTS { ?s e:date ?d FILTER(?d > ?on) } }", ["a"]),
    ("SELECT ?s WHERE { VALUES ?on { '2023-01-01'^^xsd:date } ?s e:date ?d FILTER(?d < ?on) }", ["a"]),
    ("SELECT ?s WHERE { VALUES ?on { '1999-01-01'^^xsd:date } ?s e:date ?d }", []),
    ("SELECT (COUNT(?s) AS ?s) WHERE { ?s e:date ?d FILTER(?d > ?on) }", ["2"]),
    ("SELECT ?s WHERE { { SELECT ?s ?d WHERE { ?s e:date ?d } } FILTER(?d > ?on) }", ["b", "c"]),
    ("SELECT ?s (EXISTS { ?s e:date ?on } AS ?x) WHERE { ?s e:label 'a' }", ["a"]),
])
def test_a_bound_parameter_is_in_scope_in_the_where_group(small, body, expected):
    from cnipa_kg.core.sparql import run

    result = run(small, bind(ON + body, {}, "q"))
    assert sorted(s["s"].value.removeprefix("http://e/") for s in result) == expected


def test_ask_and_construct_see_the_parameter(small):
    from cnipa_kg.core.sparql import run

    assert bool(run(small, bind(ON + "ASK { ?s e:date ?d FILTER(?d > ?on) }", {"on": "2025-12-31"})))
    assert not bool(run(small, bind(ON + "ASK { ?s e:date ?d FILTER(?d > ?on) }", {"on": "2026-01-01"})))
    triples = list(run(small, bind(ON + "CONSTRUCT { ?s e:after ?on } WHERE { ?s e:date ?d FILTER(?d > ?on) }", {})))
    assert len(triples) == 2 and {t.object.value for t in triples} == {"2023-01-01"}
    with_from = bind(ON + "CONSTRUCT { ?s e:after ?on } FROM <urn:g> { ?s e:date ?on }", {})
    assert with_from.endswith('FROM <urn:g> { VALUES (?on) { ("2023-01-01"^^<http://www.w3.org/2001/XMLSchema#date>) }  ?s e:date ?on }')
    with pytest.raises(BadQuery, match="short form"):
        bind(ON + "CONSTRUCT WHERE { ?s e:date ?on }", {})


@pytest.mark.parametrize("value", [
    'say "hi"', "back\\slash", "\\u0022", "brace } { and # hash", "line\nbreak\r\t", "'single' '''triple'''",
    "<http://e/x>", "?on", "\x01\x7f", "江苏\u2028", "} } DELETE WHERE { ?s ?p ?o } #",
])
def test_a_string_value_arrives_intact(small, value):
    """The value goes in as pyoxigraph's serialisation of a literal, and comes back unchanged."""
    text = bind("# param: s (string)\nSELECT ?s ?n WHERE { BIND(STRLEN(?s) AS ?n) }", {"s": value}, "q")
    rows = list(small.query(text))
    assert len(rows) == 1
    assert rows[0]["s"].value == value
    assert int(rows[0]["n"].value) == len(value)


def test_the_values_block_goes_after_the_first_where_brace_only():
    text = ('# param: x (string)\nPREFIX e: <http://e/{x}>\n# { a brace in a comment\n'
            'SELECT ?x ("{" AS ?b) (IF(?x < 3, 1, 0) AS ?c) WHERE { ?s e:p "}" . { ?s e:q ?x } }')
    bound = bind(text, {"x": "v"})
    assert bound.count("VALUES") == 1
    assert 'WHERE { VALUES (?x) { ("v") }  ?s e:p "}"' in bound
    assert bound.count("\n") == text.count("\n")  # lines of syntax errors stay where the user wrote them


def test_a_where_that_is_a_sub_select_is_wrapped(small):
    text = "# param: on (date)\nPREFIX e: <http://e/>\nSELECT ?s WHERE { SELECT ?s ?on WHERE { ?s e:date ?on } }"
    rows = list(small.query(bind(text, {"on": "2020-01-01"})))
    assert [r["s"].value for r in rows] == ["http://e/a"]


def test_no_parameters_leaves_the_query_alone():
    text = "SELECT ?s WHERE { ?s ?p ?o }"
    assert bind(text, {}) is text
    assert bind("# param: x (string, optional)\nSELECT ?x WHERE { ?x ?p ?o }", {}) .endswith("SELECT ?x WHERE { ?x ?p ?o }")


def test_insert_values_needs_a_where_group():
    with pytest.raises(BadQuery, match="no WHERE"):
        insert_values("DESCRIBE <http://e/a>", {"x": ox.Literal("v")})
    with pytest.raises(BadQuery, match="no SELECT"):
        insert_values("PREFIX e: <http://e/>", {"x": ox.Literal("v")})


def test_variables():
    assert variables('SELECT ?a $b WHERE { ?a <http://e/?x> "?y" } # ?z') == {"a", "b"}


# -- misuse through the command line: one line, exit 2 ------------------------------------------------


@pytest.fixture(scope="module")
def data(release_dir):
    return str(release_dir / "cnipa-kg.nt")


def one_line_error(result, *needles: str) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


PROVINCE = "province (string, default 江苏) — the province, short or full Chinese name (广东 or 广东省)"


@pytest.mark.parametrize(("args", "needles"), [
    (["designations-of-province", "--param", "provence=广东"],
     ["designations-of-province has no parameter 'provence'", f"it declares: {PROVINCE}"]),
    (["designations-of-province", "--on", "2026-11-28"], ["has no parameter 'on'", "it declares: province"]),
    (["pilot-cities", "--param", "province=广东"], ["pilot-cities has no parameter 'province'; it declares: none"]),
    (["pilot-cities", "--on", "2026-11-28"], ["pilot-cities has no parameter 'on'; it declares: none"]),
    (["SELECT ?x WHERE { ?x ?p ?o }", "--param", "x=1"], ["the query has no parameter 'x'; it declares: none"]),
    (["division-history"], ["division-history needs --param adcode=VALUE", "it declares: adcode (string, required)"]),
    (["status", "--on", "2026-13-01"], ["parameter 'on' of status: '2026-13-01' is not a date (YYYY-MM-DD", "it declares: on (date, default today)"]),
    (["status", "--param", "on=28.11.2026"], ["parameter 'on' of status", "is not a date"]),
    (["status", "--on", ""], ["parameter 'on' of status: no value given"]),
    (["status", "--on", "2026-11-28", "--param", "on=2023-01-01"], ["parameter 'on' is given twice"]),
    (["designations-of-province", "--param", "province"], ["--param 'province': expected NAME=VALUE"]),
    (["designations-of-province", "--param", "province="], ["parameter 'province' of designations-of-province: no value given"]),
])
def test_misuse_is_one_line_and_exit_2(runner, data, args, needles):
    one_line_error(invoke(runner, "query", *args, "--data", data), *needles)


def test_misuse_is_reported_before_the_data_is_read(runner, tmp_path):
    """A wrong parameter is named even when the data would fail too (it is checked first, fast)."""
    one_line_error(invoke(runner, "query", "status", "--on", "yesterday", "--data", tmp_path / "missing.nt"), "'yesterday' is not a date")


def test_a_malformed_declaration_in_a_query_file_names_its_line(runner, data, tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("# title: t\n# param: on (dat)\nSELECT ?on WHERE { }\n", encoding="utf-8")
    one_line_error(invoke(runner, "query", path, "--data", data), f"{path}:2: parameter 'on': unknown type 'dat'")


def test_a_query_file_declares_parameters_too(runner, data, tmp_path):
    path = tmp_path / "count.rq"
    path.write_text("# title: count of a level\n# param: tier (iri, default ckg:pilot) — the level\n"
                    "SELECT (COUNT(?d) AS ?n) WHERE { ?d a ckg:Designation ; ckg:designationLevel ?tier }\n", encoding="utf-8")
    counts = {}
    for args in ([], ["--param", "tier=ckg:demonstration"], ["--param", f"tier={CKG}demonstration"]):
        result = invoke(runner, "query", path, "--data", data, "--format", "csv", *args)
        assert result.exit_code == 0, result.output
        counts[tuple(args)] = result.stdout.split()[1]
    assert list(counts.values()) == ["72", "38", "38"]


def test_province_parameter_through_the_command_line(runner, data):
    result = invoke(runner, "query", "designations-of-province", "--param", "province=广东", "--data", data, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout_bytes)["results"]["bindings"]
    assert len(rows) == 8
    assert {r["adcode"]["value"][:2] for r in rows} == {"44"}


def test_list_shows_the_parameters(runner):
    result = invoke(runner, "query", "--list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("designations-of-province "))
    assert lines[at + 1].split(None, 1) == ["param", PROVINCE]
    status = next(i for i, line in enumerate(lines) if line.startswith("status "))
    assert lines[status + 1].strip().startswith("param on (date, default today) — ")
    history = next(i for i, line in enumerate(lines) if line.startswith("division-history "))
    assert lines[history + 1].strip().startswith("param adcode (string, required) — ")


def test_every_named_query_declares_well_formed_parameters():
    for path in sorted((ROOT / "queries").glob("*.rq")):
        for p in declared(path.read_text(encoding="utf-8"), str(path)):
            assert p.description, f"{path.name}: parameter {p.name} has no description"
