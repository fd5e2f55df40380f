"""What a query may not do before it runs: ``SERVICE`` (federated query), decided by oxigraph's own
SPARQL parser (the one that would run the query), never by reading the text with a lexer of our
own; and a nesting too deep to parse (:func:`.sparql.nesting_refusal`), decided first, since the
parser would overflow its stack on it. The endpoint (``web/``) refuses ``SERVICE`` always, the
``query`` command unless ``--allow-service``; both by :func:`refusal`.

pyoxigraph exposes no parsed form of a query, and another parser (rdflib's) reads some queries
differently from oxigraph (``\\u`` escapes, comments ended by CR, …) and costs 1–70 ms a query. So:
every case-insensitive occurrence of the word ``service`` is replaced by ``zzzzzzz`` (of the same
length, never a keyword), and oxigraph parses that copy against an empty store. If the copy parses,
the query had no ``SERVICE`` keyword; if it fails where a word was replaced, the query used
``SERVICE``. The query itself never runs before this check (the endpoint runs it in the query
worker, under the query's deadline: parsing and evaluating the copy on an empty store is cheap,
but a crafted ``ASK`` is not free). The same probe tells whether a query names its own dataset
(``FROM``). ``SERVICE`` spelled with ``\\uXXXX`` escapes is refused outright.

>>> uses_service("SELECT * WHERE { SERVICE <http://127.0.0.1:1/x> { ?s ?p ?o } }")
True
>>> uses_service("SELECT * WHERE { ?s <http://e/service> '''A\\\\'''\\"''' }")
False
>>> uses_service("SELECT * WHERE {SERVICE<http://127.0.0.1:1/x>{?s ?p ?o}}")
True
>>> uses_service("SELECT * WHERE { ?s ?p ?o } # SERVICE <x> {}")
False
>>> refusal("SELECT * WHERE { ?s <http://e/service> ?o ")[0]
400
>>> refusal("ASK " + "{" * 5000 + "}" * 5000)[0]
400
>>> has_dataset_clause("SELECT * FROM <http://e/g> WHERE { ?s ?p ?o }"), has_dataset_clause("SELECT ?from WHERE { ?from ?p ?o }")
(True, False)
"""

from __future__ import annotations

import re
from functools import cache

from .sparql import nesting_refusal

SERVICE_REFUSED = "SERVICE (federated query) is not allowed"
_SERVICE = re.compile("service", re.IGNORECASE)
_FROM = re.compile("from", re.IGNORECASE)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_POSITION = re.compile(r"error at (\d+):(\d+)")


@cache
def _probe_store():
    import pyoxigraph as ox

    return ox.Store()


def _unescaped(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(min(int(m.group(1) or m.group(2), 16), 0x10FFFF)), text)


def _probe(text: str, word: re.Pattern, **options) -> tuple[bool, SyntaxError | None, list]:
    """Parse the copy of ``text`` with every occurrence of ``word`` replaced by z's: (any occurrence,
    the copy's syntax error or None, the occurrences). Call it only on a text that
    :func:`.sparql.nesting_refusal` lets through."""
    matches = list(word.finditer(text))
    if not matches:
        return False, None, matches
    copy = word.sub(lambda m: "z" * len(m.group(0)), text)
    try:
        _probe_store().query(copy, **options)
    except SyntaxError as exc:
        return True, exc, matches
    except Exception:  # noqa: BLE001 - the copy parsed; how it evaluates on an empty store does not matter
        pass
    return True, None, matches


def _near(text: str, error: SyntaxError, matches: list) -> bool:
    """Whether the parser stopped at (or just after) one of the replaced words."""
    where = _POSITION.search(str(error))
    if where is None:
        return True
    lines = text.split("\n")
    at = sum(len(line) + 1 for line in lines[: int(where.group(1)) - 1]) + int(where.group(2)) - 1
    return any(m.start() <= at <= m.end() + 2 + len(text[m.end():]) - len(text[m.end():].lstrip()) for m in matches)


def refusal(text: str, **options) -> tuple[int, str] | None:
    """Why ``text`` must not run, as (HTTP status, message), or None when it may run.

    Nested too deep to parse: 400, before any parse. Then fail-closed: whenever the copy does not
    parse, the query is refused, ``SERVICE`` (403) when the parser stopped at a replaced word, else
    malformed (400, with the parser's message). ``options`` go to ``Store.query`` (``prefixes``,
    ``base_iri``).
    """
    if (deep := nesting_refusal(text)) is not None:
        return 400, deep
    if "\\" in text and len(_SERVICE.findall(_unescaped(text))) != len(_SERVICE.findall(text)):
        return 403, f"{SERVICE_REFUSED} (nor the word spelled with \\u escapes)"
    _, error, matches = _probe(text, _SERVICE, **options)
    if error is None:
        return None
    if _near(text, error, matches):
        return 403, SERVICE_REFUSED
    return 400, f"malformed query: {error}"


def uses_service(text: str, **options) -> bool:
    """True when ``text`` may not run because of ``SERVICE`` (or cannot be told apart from one)."""
    return refusal(text, **options) is not None


def has_dataset_clause(text: str, **options) -> bool:
    """True when the query names its own dataset (``FROM`` / ``FROM NAMED``); call it after :func:`refusal`."""
    if nesting_refusal(text) is not None:
        return True
    found, error, _ = _probe(text, _FROM, **options)
    return found and error is not None
