"""RDF input, safely: files into an rdflib Graph (validation, reasoning) or a pyoxigraph store
(queries, the server); the packaged ontology as a canonical rdflib graph.

Format by file suffix (or given explicitly, :mod:`cnipa_kg.core.formats`); parse errors become an
:class:`~cnipa_kg.core.errors.InputError` with the file and, where the parser tells, the line.
Nothing is ever fetched: a JSON-LD file whose ``@context`` is remote is refused, and
RDF/XML entity declarations (billion-laughs style) are refused before parsing.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from rdflib import Graph

from .decode import MAX_RDF_BYTES, check_readable, read_bytes
from .errors import InputError
from .formats import INPUT_FORMATS, RDF_SUFFIXES, input_format_for, rdflib_name
from .resources import ontology_path


MAX_JSON_DEPTH = 100  #: levels of JSON objects and arrays; a release nests 7, rdflib's parser recurses past ~300


def _too_deep(path: str) -> InputError:
    return InputError(path, None, f"JSON nested too deeply (more than {MAX_JSON_DEPTH} levels of objects and arrays)")


def _check_jsonld(data: bytes, path: str) -> None:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(path, None, "JSON-LD must be UTF-8") from None
    except json.JSONDecodeError as exc:
        raise InputError(path, exc.lineno, f"not JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:  # json's scanner recurses once per level
        raise _too_deep(path) from None

    # the depth first, without recursion: the parsers (and the walk below) recurse once per level
    stack = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _too_deep(path)
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    if not isinstance(doc, (dict, list)):
        return

    def remote(ctx) -> str | None:
        if isinstance(ctx, str):
            return ctx
        if isinstance(ctx, list):
            return next((r for r in map(remote, ctx) if r), None)
        if isinstance(ctx, dict) and "@import" in ctx:
            return str(ctx["@import"])
        return None

    def walk(node) -> None:
        if isinstance(node, dict):
            if "@context" in node and (url := remote(node["@context"])):
                raise InputError(path, None, f"JSON-LD @context refers to {url!r}; remote contexts are never fetched: inline the context")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)


def _line_of(exc: Exception) -> int | None:
    m = re.search(r"line (\d+)", str(exc))
    if m:
        return int(m.group(1))
    if isinstance(getattr(exc, "lines", None), int):  # rdflib's N3/Turtle BadSyntax: newlines before the error
        return exc.lines + 1
    value = getattr(exc, "lineno", None)
    return value if isinstance(value, int) else None


def _why(exc: Exception) -> str:
    text = getattr(exc, "_why", None) or getattr(exc, "msg", None) or str(exc)
    text = str(text).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def check_rdf_bytes(data: bytes, path: str, fmt: str) -> None:
    """Refuse, before any parser sees them: empty input, text formats that are not UTF-8 (with the
    line), JSON-LD with a remote context, XML with entity declarations (anywhere in the file)."""
    if not data.strip():
        raise InputError(path, None, "empty file")
    if fmt == "xml":
        if re.search(rb"<!ENTITY", data, re.IGNORECASE):
            raise InputError(path, None, "RDF/XML with entity declarations (<!ENTITY …>) is refused")
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(path, line, f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}") from None
    if fmt == "json-ld":
        _check_jsonld(data, path)


def parse_into(graph: Graph, path: str | Path, *, format: str | None = None) -> Graph:
    """Parse one file into ``graph``."""
    p = Path(path)
    check_readable(path, limit=MAX_RDF_BYTES)  # a missing file is missing, whatever its suffix
    fmt = format or input_format_for(p)
    if fmt is None:
        raise InputError(path, None, f"unknown RDF file type {p.suffix!r}; use --input-format ({', '.join(INPUT_FORMATS)})")
    data = read_bytes(path, limit=MAX_RDF_BYTES)
    check_rdf_bytes(data, str(path), fmt)
    try:
        graph.parse(data=data, format=fmt, publicID=p.resolve().as_uri())
    except Exception as exc:  # every rdflib parser has its own exception class
        raise InputError(path, _line_of(exc), f"cannot parse as {fmt}: {_why(exc)}") from None
    return graph


def load_graph(paths: Sequence[str | Path], *, format: str | None = None) -> Graph:
    # an ill-typed literal ("2022-13-45"^^xsd:date) is the shapes' business; rdflib would print
    # a traceback for it on stderr
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    graph = Graph()
    for path in paths:
        parse_into(graph, path, format=format)
    return graph


def load_into_store(store, path: str | Path, *, format=None, to_graph=None) -> None:
    """Load one RDF file into a pyoxigraph store (``format``: an ``RdfFormat``, default by suffix),
    refusing non-files, oversized, empty, non-UTF-8 and entity-laden input."""
    import pyoxigraph as ox

    from .formats import rdf_format_for

    p = Path(path)
    check_readable(path, limit=MAX_RDF_BYTES)  # a missing file is missing, whatever its suffix
    if format is None:
        format = rdf_format_for(p)
        if format is None:
            raise InputError(path, None, f"unknown RDF file type {p.suffix!r} (expected one of {', '.join(sorted(RDF_SUFFIXES))})")
    data = read_bytes(path, limit=MAX_RDF_BYTES)  # a regular, readable file of bounded size
    check_rdf_bytes(data, str(path), rdflib_name(format) if format in (ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD) else "text")
    try:
        if to_graph is not None:
            store.bulk_load(data, format=format, base_iri=p.resolve().as_uri(), to_graph=to_graph)
        else:
            store.bulk_load(data, format=format, base_iri=p.resolve().as_uri())
    except SyntaxError as exc:
        m = re.search(r"(?:at |line )(\d+)", str(exc))
        raise InputError(path, int(m.group(1)) if m else None, f"cannot parse as {format}: {str(exc)[:300]}") from None


@cache
def _ontology() -> Graph:
    from rdflib.compare import to_canonical_graph

    # canonical blank-node labels, so that the serialisations are byte-identical across runs
    return to_canonical_graph(Graph().parse(ontology_path(), format="turtle"))


def ontology_graph() -> Graph:
    """The packaged ontology (``ontology/cnipa-kg.ttl``), parsed once, with canonical blank nodes.
    Shared: add its triples to another graph, never change it."""
    return _ontology()
