"""What the endpoint refuses before a query runs: ``SERVICE`` (403) and a nesting too deep to parse
(400), decided in the query worker by :func:`cnipa_kg.core.guard.refusal` (oxigraph's own parser,
after the nesting count), the same decision as the ``query`` command's (which allows ``SERVICE``
with ``--allow-service``); updates are refused by the protocol (:mod:`.sparql`).

>>> refusal("SELECT * WHERE { SERVICE <http://127.0.0.1:1/x> { ?s ?p ?o } }")
(403, 'SERVICE (federated query) is not allowed')
>>> looks_like_update("INSERT DATA { <a:s> <a:p> 1 }"), looks_like_update("SELECT ?insert WHERE {}")
(True, True)
"""

from __future__ import annotations

import re

from ..core.guard import has_dataset_clause, refusal, uses_service

__all__ = ["has_dataset_clause", "looks_like_update", "refusal", "uses_service"]
_UPDATE_WORDS = re.compile(r"\b(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def looks_like_update(text: str) -> bool:
    """A hint for an error message only (never a decision): the text reads like a SPARQL Update."""
    return bool(_UPDATE_WORDS.search(_ESCAPE.sub("", text)))
