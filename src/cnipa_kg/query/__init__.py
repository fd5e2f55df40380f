"""Queries over a release: the release loaded into pyoxigraph, the named queries, results in
every W3C format. Imports nothing of the pipeline (extract, graph, check, release)."""
