"""A release (or any RDF files) loaded into an in-memory pyoxigraph store.

pyoxigraph answers SPARQL 13–250× faster than rdflib on the same data, so every query
(the CLI, the QC checks, the server) goes through it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from ..core.rdfio import load_into_store


def load_store(paths: Sequence[str | Path]) -> ox.Store:
    """An in-memory pyoxigraph store holding ``paths`` (RDF files, format by suffix).

    :raises InputError: a file that is missing or does not parse (with its line)
    """
    store = ox.Store()
    for path in paths:
        load_into_store(store, path)
    return store
