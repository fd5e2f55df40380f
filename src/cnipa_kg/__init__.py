"""cnipa-kg: a linked-data knowledge graph of China's national IP designations.

One subpackage per stage; data flows one way (each imports only the ones below it)::

    core       vocabulary, IRIs, records, resources, formats, decoding, SPARQL helpers, worker processes
    reference  provinces, the division code table, names in English and pinyin, other reference tables
    extract    notice text -> plain records (no RDF)
    research   unit-year panels: units through time from the division history, rows, CSV/Parquet/Stata
    graph      records -> RDF: mint, enrich, assemble (parts checked in workers, collected in one store)
    check      SHACL shapes, QC queries, the report, the OWL reasoner
    release    the release files: N-Triples, Turtle, JSON-LD, CSV + CSVW, panel, VoID, docs; atomic swap
    query      a release in pyoxigraph, named queries, result formats (nothing of the pipeline)
    web        the HTTP app: SPARQL protocol, linked data, pages (reads a release; nothing of the pipeline)

``pipeline`` runs extract → graph → check → release; ``publish`` sends a release to a store;
``cli`` parses arguments and calls them. :func:`build` runs the whole pipeline; :func:`panel` gives a
research panel as a pandas DataFrame (``research``: units through time, the unit-year rows, their formats).
"""

from .core.version import __version__

__all__ = ["__version__", "build", "extract", "mint", "enrich", "validate", "write_release", "load_store", "query", "panel"]


_LAZY = {  # name -> module: `cnipa-kg --help` must not import rdflib, pySHACL or pyoxigraph
    "build": "pipeline", "extract": "extract", "mint": "graph.mint", "enrich": "graph.enrich",
    "validate": "check.validate", "write_release": "release.writer", "load_store": "query.store",
    "query": "query.results", "panel": "pipeline",
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(name)
    from importlib import import_module

    return getattr(import_module(f".{_LAZY[name]}", __name__), name)
