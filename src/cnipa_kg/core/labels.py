"""Labels of a node in one language: from an rdflib graph or a pyoxigraph store.

>>> from rdflib import Graph, Literal, URIRef
>>> from rdflib.namespace import SKOS
>>> g = Graph(); g.add((URIRef("x:a"), SKOS.prefLabel, Literal("海淀区", lang="zh")))
<Graph identifier=... (<class 'rdflib.graph.Graph'>)>
>>> label(g, URIRef("x:a"), "zh"), label(g, URIRef("x:a"), "en")
('海淀区', '')
"""

from __future__ import annotations

from rdflib.namespace import SKOS

PREF_LABEL = str(SKOS.prefLabel)


def label(graph, node, lang: str, *, props=(SKOS.prefLabel,)) -> str:
    """The first literal tagged ``lang`` of ``node`` under the first of ``props`` that has one; ""."""
    for prop in props:
        for o in graph.objects(node, prop):
            if getattr(o, "language", None) == lang:
                return str(o)
    return ""


def store_label(store, iri: str, lang: str) -> str:
    """The ``skos:prefLabel`` tagged ``lang`` of ``iri`` in a pyoxigraph store's default graph; ""."""
    import pyoxigraph as ox

    for quad in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(PREF_LABEL), None, ox.DefaultGraph()):
        if isinstance(quad.object, ox.Literal) and quad.object.language == lang:
            return quad.object.value
    return ""
