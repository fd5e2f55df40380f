"""The ground floor: vocabulary and CURIEs, minted IRIs, plain records, packaged resources,
decoding and RDF input, the table of formats, SPARQL helpers and one way to run worker processes.

Everything above imports from here; nothing here imports from above (``make test`` checks it
with import-linter).
"""
