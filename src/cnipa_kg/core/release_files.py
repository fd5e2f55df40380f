"""The files of a release directory: written by :mod:`cnipa_kg.release`, read by
:mod:`cnipa_kg.query`, :mod:`cnipa_kg.web` and ``publish``."""

TURTLE = "cnipa-kg.ttl"
NTRIPLES = "cnipa-kg.nt"
JSONLD = "cnipa-kg.jsonld"
DESIGNATIONS_CSV = "designations.csv"
CSVW_METADATA = "designations.csv-metadata.json"
PANEL_CSV = "city-year-panel.csv"
VOID = "void.ttl"
DOCS = "docs/index.html"
#: the downloads of a release, in the order a page lists them
DOWNLOADS = (TURTLE, NTRIPLES, JSONLD, DESIGNATIONS_CSV, CSVW_METADATA, PANEL_CSV, VOID)
