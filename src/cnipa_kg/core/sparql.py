"""SPARQL helpers shared by the QC checks, the query command and the server: the project's
prefixes, and evaluation with errors a person can act on.

>>> print(with_prefixes("PREFIX ckg: <x:> ASK {}").splitlines()[0])
PREFIX eli: <http://data.europa.eu/eli/ontology#>
"""

from __future__ import annotations

import re

from .errors import BadQuery
from .vocab import sparql_prefixes


def with_prefixes(text: str) -> str:
    """Prepend the project's prefixes (ckg:, eli:, skos: …) unless the query declares them itself."""
    declared = {line.split()[1] for line in text.splitlines() if line.strip().upper().startswith("PREFIX") and len(line.split()) > 1}
    return "".join(line for line in sparql_prefixes().splitlines(keepends=True) if line.split()[1] not in declared) + text


def run(store, text: str, *, use_prefixes: bool = True, **options):
    """Evaluate a query on a pyoxigraph store; :class:`BadQuery` with the parser's line and column
    (in the user's text) on a syntax error. ``options`` go to ``Store.query``."""
    prefixed = with_prefixes(text) if use_prefixes else text
    try:
        return store.query(prefixed, **options)
    except SyntaxError as exc:
        shift = prefixed.count("\n") - text.count("\n")
        raise BadQuery(f"malformed query: {shift_position(str(exc), shift)}") from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise BadQuery(f"query failed: {exc}") from None


def shift_position(message: str, lines: int) -> str:
    """Report positions relative to the user's text, not the prefixes prepended to it.

    >>> shift_position("error at 17:5: expected", 14)
    'error at line 3, column 5: expected'
    """

    def fix(m: re.Match) -> str:
        return f"error at line {max(1, int(m.group(1)) - lines)}, column {m.group(2)}"

    return re.sub(r"error at (\d+):(\d+)", fix, message, count=1)
