"""The named query library (``queries/*.rq``): lookup by name, parameters bound, the ``--list`` text.

Each file opens with a header comment (``param`` lines only if it has parameters, see
:mod:`.params`)::

    # title: Designations of a province
    # description: …
    # param: province (string, default 江苏) — the province, short or full Chinese name
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from ..core.decode import read_bytes
from ..core.errors import BadQuery, InputError
from ..core.resources import named_queries, query_header
from ..core.sparql import query_text
from .params import assignments, bind, declared

#: what a name (or a path) looks like, as opposed to query text: no spaces, braces, <IRI>s or ?variables
_NAME_LIKE = re.compile(r"[\w./-]{1,200}")


def describe_named() -> str:
    queries = named_queries()
    if not queries:
        return "(no named queries)"
    width = max(map(len, queries))
    lines = []
    for name, path in queries.items():
        lines.append(f"{name:<{width}}  {query_header(path).get('title', '')}")
        lines += [f"{'':<{width}}    param {p.usage()}" for p in declared(path.read_text(encoding="utf-8"), str(path))]
    return "\n".join(lines)


def query_with_parameters(arg: str, params: list[str]) -> str:
    """:func:`resolve_query`, with the parameters its header declares bound to ``params``
    (``NAME=VALUE`` strings) or to their defaults.

    :raises BadQuery: see :func:`.params.bind`; and those of :func:`resolve_query`
    """
    text, label = _resolve(arg)
    return bind(text, assignments(params), label)


def resolve_query(arg: str) -> str:
    """A named query's text, a file's text, or ``arg`` itself (the query text); without the
    U+FEFF it may start with (:func:`cnipa_kg.core.sparql.query_text`).

    :raises BadQuery: ``arg`` looks like a name but is neither a named query nor a file (with the
        closest name, if any)
    """
    return _resolve(arg)[0]


def _resolve(arg: str) -> tuple[str, str]:
    """(the query text, what to call it in a message: its name, its file, or "the query")."""
    queries = named_queries()
    if arg in queries:
        return query_text(queries[arg].read_text(encoding="utf-8")), arg
    candidate = Path(arg)
    if len(arg) < 4096 and "\n" not in arg and candidate.suffix in (".rq", ".sparql") and _exists(candidate):
        data = read_bytes(candidate)  # a directory, a FIFO, an unreadable file: one line each
        try:
            return query_text(data.decode("utf-8")), arg  # without a leading BOM, as the endpoint reads a query
        except UnicodeDecodeError as exc:
            raise InputError(arg, data[: exc.start].count(b"\n") + 1, "a query file must be UTF-8") from None
    if candidate.suffix in (".rq", ".sparql") and "\n" not in arg and not _exists(candidate):
        raise InputError(arg, None, "no such query file")
    if _NAME_LIKE.fullmatch(arg) and not _exists(candidate):
        # a mistyped name (pilot-city) would otherwise be parsed as SPARQL: "expected CONSTRUCT"
        close = difflib.get_close_matches(arg, list(queries), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise BadQuery(f"no named query {arg!r}{hint} (cnipa-kg query --list)")
    return query_text(arg), "the query"


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long for the file system is no file
        return False
