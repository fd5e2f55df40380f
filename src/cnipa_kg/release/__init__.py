"""The release files of a graph: N-Triples, Turtle, JSON-LD, designations.csv + CSVW,
city-year-panel.csv, void.ttl, the ontology docs; written atomically (:mod:`.staging`)."""
