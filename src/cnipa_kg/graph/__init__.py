"""Records → RDF: :mod:`~cnipa_kg.graph.mint` (stable IRIs), :mod:`~cnipa_kg.graph.enrich`
(hierarchy, names, provenance) and :mod:`~cnipa_kg.graph.assemble` (many notices made part by
part in worker processes and collected into one pyoxigraph store).
"""
