"""The files of a release directory: written by :mod:`cnipa_kg.release`, read by
:mod:`cnipa_kg.query`, :mod:`cnipa_kg.web` and ``publish``."""

TURTLE = "cnipa-kg.ttl"
NTRIPLES = "cnipa-kg.nt"
JSONLD = "cnipa-kg.jsonld"
DESIGNATIONS_CSV = "designations.csv"
CSVW_METADATA = "designations.csv-metadata.json"
#: the research panels (issue 23): CSV, CSVW metadata and a codebook each (cnipa_kg.research)
PANEL_LEVELS = ("prefecture", "county")
PANELS = tuple(f"panel-{level}.csv" for level in PANEL_LEVELS)
PANEL_FILES = tuple(f for name in PANELS for f in (name, f"{name}-metadata.json", name.removesuffix(".csv") + ".md"))
VOID = "void.ttl"
DOCS = "docs/index.html"
#: the downloads of a release, in the order a page lists them
DOWNLOADS = (TURTLE, NTRIPLES, JSONLD, DESIGNATIONS_CSV, CSVW_METADATA, *PANEL_FILES, VOID)
#: files earlier releases wrote and this one does not: still ours, so a rebuild removes them
RETIRED = ("city-year-panel.csv",)
