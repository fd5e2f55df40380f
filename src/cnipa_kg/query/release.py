"""Reading a release directory: its N-Triples loaded (and so checked) into a store, and the base
IRI it was built with."""

from __future__ import annotations

import re
from pathlib import Path

from ..core.decode import MAX_RDF_BYTES, read_bytes
from ..core.errors import InputError
from ..core.rdfio import load_into_store
from ..core.release_files import NTRIPLES, VOID
from ..core.vocab import DEFAULT_BASE


def check_release(release: str | Path, *, graph_name: str | None = None):
    """Load the release's N-Triples into a new store, or fail with a clear message.

    :returns: ``(path of cnipa-kg.nt, pyoxigraph store)``; the data goes into ``graph_name`` if given
    :raises InputError: not a release directory; the file is empty, unreadable or does not parse
    """
    import pyoxigraph as ox

    data = Path(release) / NTRIPLES
    if not data.exists():
        raise InputError(release, None, f"no {NTRIPLES} here: build a release first (cnipa-kg build --out DIR)")
    store = ox.Store()
    load_into_store(store, data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph_name) if graph_name else None)
    if next(iter(store), None) is None:
        raise InputError(data, None, "no triples: not a release")
    return data, store


def release_base(release: str | Path) -> str:
    """The base IRI the release was built with (``void:uriSpace`` of its void.ttl)."""
    void = Path(release) / VOID
    if not void.exists():
        return DEFAULT_BASE
    data = read_bytes(void, limit=MAX_RDF_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(void, data[: exc.start].count(b"\n") + 1, "not UTF-8 Turtle") from None
    m = re.search(r'void:uriSpace\s+"(https?://[^"\s]+)"', text)
    return m.group(1) if m else DEFAULT_BASE
