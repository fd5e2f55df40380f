"""cnipa-kg: a linked-data knowledge graph of China's national IP-strong-city designations.

The pipeline, one module per stage::

    extract  (notice text -> records)      mint    (records -> rdflib Graph)
    enrich   (hierarchy, labels, provenance)
    validate (SHACL + QC queries)          release (atomic, deterministic files)
    store    (pyoxigraph load / query)

:func:`build` runs them all.
"""

__version__ = "0.1.0"  # the single source of the version (pyproject reads it): no importlib.metadata at import

__all__ = ["__version__", "build", "extract", "mint", "enrich", "validate", "write_release", "load_store", "query"]


def __getattr__(name: str):
    # lazy re-exports: `cnipa-kg --help` must not import rdflib, pySHACL or pyoxigraph
    if name == "build":
        from .build import build

        return build
    if name == "extract":
        from .extract import extract

        return extract
    if name == "mint":
        from .mint import mint

        return mint
    if name == "enrich":
        from .enrich import enrich

        return enrich
    if name == "validate":
        from .validate import validate

        return validate
    if name == "write_release":
        from .release import write_release

        return write_release
    if name in ("load_store", "query"):
        from . import store

        return getattr(store, name)
    raise AttributeError(name)
