"""Content negotiation: ``negotiate(accept, kind)`` and ``parse_accept(header)`` as pure functions."""

from __future__ import annotations

import pytest

from cnipa_kg.web.negotiate import FORMAT_PARAM, OFFERS, SUFFIXES, negotiate, parse_accept

# What browsers send for a page load (Chrome/Edge, Firefox, Safari).
CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
          "application/signed-exchange;v=b3;q=0.7")
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# What common clients send.
CURL = "*/*"
RDFLIB = "application/rdf+xml, text/n3, text/turtle, application/n-triples, application/ld+json;q=0.9"
SPARQLWRAPPER_JSON = "application/sparql-results+json,application/json,text/javascript,application/javascript"
JENA_SELECT = ("application/sparql-results+json, application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.7, "
               "text/csv;q=0.5, application/json;q=0.2, application/xml;q=0.2, */*;q=0.1")

SRJ = "application/sparql-results+json"
SRX = "application/sparql-results+xml"

NEGOTIATE_CASES = [
    # --- browsers get HTML for everything
    (CHROME, "solutions", "text/html"),
    (CHROME, "graph", "text/html"),
    (CHROME, "page", "text/html"),
    (FIREFOX, "solutions", "text/html"),
    (SAFARI, "page", "text/html"),
    # --- no header, empty header, */*: the server's first preference
    (None, "solutions", SRJ),
    (None, "graph", "text/turtle"),
    (None, "page", "text/html"),
    ("", "solutions", SRJ),
    ("   ", "graph", "text/turtle"),
    (CURL, "solutions", SRJ),
    (CURL, "graph", "text/turtle"),
    (CURL, "page", "text/html"),
    # --- exact types
    (SRJ, "solutions", SRJ),
    (SRX, "solutions", SRX),
    ("text/csv", "solutions", "text/csv"),
    ("text/tab-separated-values", "solutions", "text/tab-separated-values"),
    ("text/turtle", "graph", "text/turtle"),
    ("application/n-triples", "graph", "application/n-triples"),
    ("application/ld+json", "graph", "application/ld+json"),
    ("application/rdf+xml", "graph", "application/rdf+xml"),
    ("text/turtle", "page", "text/turtle"),
    ("application/ld+json", "page", "application/ld+json"),
    ("application/n-triples", "page", "application/n-triples"),
    ("text/html", "page", "text/html"),
    # --- parameters and case are ignored
    ("text/turtle; charset=utf-8", "graph", "text/turtle"),
    ('application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"', "page", "application/ld+json"),
    ("Text/Turtle", "page", "text/turtle"),
    ("APPLICATION/SPARQL-RESULTS+JSON", "solutions", SRJ),
    # --- q-values decide, ties keep header order
    ("text/turtle;q=0.5, application/ld+json", "graph", "application/ld+json"),
    (f"{SRJ};q=0.5, text/csv", "solutions", "text/csv"),
    (f"text/csv;q=0.4, {SRX};q=0.6", "solutions", SRX),
    ("application/n-triples, text/turtle", "graph", "application/n-triples"),
    ("text/turtle, application/n-triples", "graph", "text/turtle"),
    ("text/html;q=0.1, text/turtle;q=0.9", "page", "text/turtle"),
    ("text/turtle;q=1.0, application/ld+json;q=0.99", "page", "text/turtle"),
    ("text/turtle;Q=0.2, application/n-triples;q=0.3", "graph", "application/n-triples"),
    (JENA_SELECT, "solutions", SRJ),
    (SPARQLWRAPPER_JSON, "solutions", SRJ),
    (RDFLIB, "graph", "application/rdf+xml"),
    # --- wildcards
    ("text/*", "solutions", "text/csv"),
    ("text/*", "graph", "text/turtle"),
    ("text/*", "page", "text/html"),
    ("application/*", "solutions", SRJ),
    ("application/*", "graph", "application/n-triples"),
    ("image/png, */*;q=0.1", "graph", "text/turtle"),
    (f"text/*;q=0.3, {SRX}", "solutions", SRX),
    # --- generic aliases
    ("application/json", "solutions", SRJ),
    ("application/json", "graph", "application/ld+json"),
    ("application/json", "page", "application/ld+json"),
    ("application/xml", "solutions", SRX),
    ("text/xml", "solutions", SRX),
    ("application/xml", "graph", "application/rdf+xml"),
    ("text/plain", "graph", "application/n-triples"),
    ("text/plain", "page", "application/n-triples"),
    # --- q=0 means "not acceptable" (RFC 9110 §12.4.2), even when a wildcard would match it
    ("text/turtle;q=0, */*", "graph", "application/n-triples"),
    (f"{SRJ};q=0, */*;q=0.5", "solutions", SRX),
    ("text/html;q=0, */*", "page", "text/turtle"),
    # --- a more specific range overrides the wildcard that covers it (RFC 9110 §12.5.1)
    ("text/*;q=0.9, text/csv;q=0.1", "solutions", "text/tab-separated-values"),
    # --- unacceptable -> None (the server answers 406)
    ("image/png", "graph", None),
    ("image/png", "solutions", None),
    ("image/*", "page", None),
    ("application/pdf, video/*", "solutions", None),
    (SRJ, "graph", None),
    ("text/turtle", "solutions", None),
    (f"{SRJ};q=0", "solutions", None),
    ("text/turtle;q=0.0", "graph", None),
    ("text/*;q=0", "page", None),
    ("*/*;q=0", "graph", None),
]


def _case_id(case) -> str:
    accept, kind, _ = case
    short = "None" if accept is None else (accept if len(accept) <= 50 else accept[:47] + "...")
    return f"{kind}:{short}"


@pytest.mark.parametrize(("accept", "kind", "expected"), NEGOTIATE_CASES, ids=[_case_id(c) for c in NEGOTIATE_CASES])
def test_negotiate(accept, kind, expected):
    assert negotiate(accept, kind) == expected


@pytest.mark.parametrize("kind", sorted(OFFERS))
def test_every_offer_is_chosen_when_asked_for_exactly(kind):
    for media in OFFERS[kind]:
        got = negotiate(media, kind)
        # application/json is an alias of the preferred JSON type of the kind
        assert got == media or (media == "application/json" and got == SRJ)


@pytest.mark.parametrize("kind", sorted(OFFERS))
def test_negotiate_never_returns_what_it_does_not_offer(kind):
    for accept in [c[0] for c in NEGOTIATE_CASES]:
        got = negotiate(accept, kind)
        assert got is None or got in OFFERS[kind]


PARSE_CASES = [
    (None, [("*/*", 1.0)]),
    ("", [("*/*", 1.0)]),
    ("   ", [("*/*", 1.0)]),
    ("text/html", [("text/html", 1.0)]),
    ("text/*;q=0.3, text/html, */*;q=0.1", [("text/html", 1.0), ("text/*", 0.3), ("*/*", 0.1)]),
    (FIREFOX, [("text/html", 1.0), ("application/xhtml+xml", 1.0), ("application/xml", 0.9), ("*/*", 0.8)]),
    # ties keep the header's order
    ("a/b, c/d, e/f", [("a/b", 1.0), ("c/d", 1.0), ("e/f", 1.0)]),
    ("a/b;q=0.5, c/d;q=0.5, e/f", [("e/f", 1.0), ("a/b", 0.5), ("c/d", 0.5)]),
    # parameters other than q are dropped; q found among them, any case
    ("text/html;level=1;q=0.5", [("text/html", 0.5)]),
    ("text/turtle; charset=utf-8 ; Q=0.7", [("text/turtle", 0.7)]),
    (" text/csv ; q=0.5 ,  text/tab-separated-values ", [("text/tab-separated-values", 1.0), ("text/csv", 0.5)]),
    # media types are lower-cased
    ("TEXT/HTML", [("text/html", 1.0)]),
    # q is clamped to [0, 1]; a q that is not a number counts as 0
    ("text/csv;q=7", [("text/csv", 1.0)]),
    ("text/csv;q=-1", [("text/csv", 0.0)]),
    ("text/csv;q=abc, text/html", [("text/html", 1.0), ("text/csv", 0.0)]),
    # entries that are not media ranges are skipped; nothing valid left = anything
    ("foo, text/csv", [("text/csv", 1.0)]),
    (",,, text/csv,", [("text/csv", 1.0)]),
    ("garbage", [("*/*", 1.0)]),
    (";q=0.5", [("*/*", 1.0)]),
]


@pytest.mark.parametrize(("header", "expected"), PARSE_CASES, ids=[str(i) for i in range(len(PARSE_CASES))])
def test_parse_accept(header, expected):
    assert parse_accept(header) == expected


def test_format_param_aliases_are_offered():
    offered = set(OFFERS["solutions"]) | set(OFFERS["graph"])
    for alias, media in FORMAT_PARAM.items():
        assert media in offered, alias
    assert FORMAT_PARAM["json"] == SRJ and FORMAT_PARAM["xml"] == SRX
    assert FORMAT_PARAM["csv"] == "text/csv" and FORMAT_PARAM["tsv"] == "text/tab-separated-values"
    assert FORMAT_PARAM["ttl"] == "text/turtle" and FORMAT_PARAM["nt"] == "application/n-triples"
    assert FORMAT_PARAM["jsonld"] == "application/ld+json" and FORMAT_PARAM["html"] == "text/html"


def test_suffixes_cover_the_linked_data_formats():
    assert SUFFIXES[".ttl"] == "text/turtle"
    assert SUFFIXES[".jsonld"] == "application/ld+json"
    assert SUFFIXES[".nt"] == "application/n-triples"
    assert SUFFIXES[".html"] == "text/html"
    for media in SUFFIXES.values():
        assert media in OFFERS["page"]
