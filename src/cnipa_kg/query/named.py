"""The named query library (``queries/*.rq``): lookup by name and the ``--list`` text.

Each file opens with a header comment::

    # title: Designations of a province
    # description: …
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from ..core.decode import read_bytes
from ..core.errors import BadQuery, InputError
from ..core.resources import named_queries, query_header


#: what a name (or a path) looks like, as opposed to query text: no spaces, braces, <IRI>s or ?variables
_NAME_LIKE = re.compile(r"[\w./-]{1,200}")


def describe_named() -> str:
    queries = named_queries()
    if not queries:
        return "(no named queries)"
    width = max(map(len, queries))
    return "\n".join(f"{name:<{width}}  {query_header(path).get('title', '')}" for name, path in queries.items())


def resolve_query(arg: str) -> str:
    """A named query's text, a file's text, or ``arg`` itself (the query text).

    :raises BadQuery: ``arg`` looks like a name but is neither a named query nor a file (with the
        closest name, if any)
    """
    queries = named_queries()
    if arg in queries:
        return queries[arg].read_text(encoding="utf-8")
    candidate = Path(arg)
    if len(arg) < 4096 and "\n" not in arg and candidate.suffix in (".rq", ".sparql") and _exists(candidate):
        data = read_bytes(candidate)  # a directory, a FIFO, an unreadable file: one line each
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(arg, data[: exc.start].count(b"\n") + 1, "a query file must be UTF-8") from None
    if candidate.suffix in (".rq", ".sparql") and "\n" not in arg and not _exists(candidate):
        raise InputError(arg, None, "no such query file")
    if _NAME_LIKE.fullmatch(arg) and not _exists(candidate):
        # a mistyped name (pilot-city) would otherwise be parsed as SPARQL: "expected CONSTRUCT"
        close = difflib.get_close_matches(arg, list(queries), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise BadQuery(f"no named query {arg!r}{hint} (cnipa-kg query --list)")
    return arg


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long for the file system is no file
        return False
