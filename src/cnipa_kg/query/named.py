"""The named query library (``queries/*.rq``): lookup by name and the ``--list`` text.

Each file opens with a header comment::

    # title: Designations of a province
    # description: …
"""

from __future__ import annotations

from pathlib import Path

from ..core.errors import InputError
from ..core.resources import named_queries, query_header


def describe_named() -> str:
    queries = named_queries()
    if not queries:
        return "(no named queries)"
    width = max(map(len, queries))
    return "\n".join(f"{name:<{width}}  {query_header(path).get('title', '')}" for name, path in queries.items())


def resolve_query(arg: str) -> str:
    """A named query's text, a file's text, or ``arg`` itself (the query text)."""
    queries = named_queries()
    if arg in queries:
        return queries[arg].read_text(encoding="utf-8")
    candidate = Path(arg)
    if len(arg) < 4096 and "\n" not in arg and candidate.suffix in (".rq", ".sparql") and candidate.is_file():
        return candidate.read_text(encoding="utf-8")
    if candidate.suffix in (".rq", ".sparql") and "\n" not in arg and not candidate.exists():
        raise InputError(arg, None, "no such query file")
    return arg
