"""What the endpoint refuses before a query reaches a worker: updates and ``SERVICE``.

The query's keywords are found outside its strings, IRIs and comments (a lexer), after
``\\uXXXX`` escapes are decoded.
"""

from __future__ import annotations

import re

_UPDATE = re.compile(r"^(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_PROLOGUE = re.compile(r"^\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s+)*", re.IGNORECASE)  # IRIs already stripped
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)
# strings, IRIs, backslash escapes (ex:p\#x) and only then comments
_STRIP = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s"{}|^`]*>|\\.|[?$]\w+|#[^\n]*')
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _keywords_only(query: str) -> str:
    """The query without strings, IRIs and comments, so keywords are not found inside them."""
    decoded = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)
    return _STRIP.sub(" ", decoded)


def is_update(query: str) -> bool:
    """True when the request (after its PREFIX/BASE prologue) is a SPARQL Update.

    >>> is_update("PREFIX ex: <http://e/> DELETE { ?s ?p ?o } WHERE { { SELECT * WHERE { ?s ?p ?o } } }")
    True
    >>> is_update("SELECT * WHERE { ?s <http://e/insert> ?o }")
    False
    """
    text = _keywords_only(query)
    return bool(_UPDATE.match(text[_PROLOGUE.match(text).end():].lstrip()))


def uses_service(query: str) -> bool:
    """True when the query has a ``SERVICE`` keyword (a federated query)."""
    return bool(_SERVICE.search(_keywords_only(query)))
