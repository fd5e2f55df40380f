"""The static site: the whole linked-data site of a release written as files (:mod:`.writer`),
with the configuration for content negotiation on common static hosts (:mod:`.hosting`)."""
