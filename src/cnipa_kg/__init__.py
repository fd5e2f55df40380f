"""cnipa-kg: a linked-data knowledge graph of China's national IP-strong-city designations.

The pipeline, one module per stage::

    extract  (notice text -> records)      mint    (records -> rdflib Graph)
    enrich   (hierarchy, labels, provenance)
    assemble (the notices in parts, each checked by the shapes in a worker, into one pyoxigraph store)
    validate (SHACL + QC queries)          release (atomic, deterministic files)
    store    (pyoxigraph load / query)

:func:`build` runs them all.
"""

__version__ = "0.1.0"  # the single source of the version (pyproject reads it): no importlib.metadata at import

__all__ = ["__version__", "build", "extract", "mint", "enrich", "validate", "write_release", "load_store", "query"]


_LAZY = {  # name -> module: `cnipa-kg --help` must not import rdflib, pySHACL or pyoxigraph
    "build": "build", "extract": "extract", "mint": "mint", "enrich": "enrich", "validate": "validate",
    "write_release": "release", "load_store": "store", "query": "store",
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(name)
    from importlib import import_module

    return getattr(import_module(f".{_LAZY[name]}", __name__), name)
