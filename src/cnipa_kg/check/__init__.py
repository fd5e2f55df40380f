"""Checks: the SHACL shapes (pySHACL), the QC queries (``queries/qc/*-violation.rq`` on
pyoxigraph), the report they share, and the OWL reasoner (owlready2 + HermiT).
"""
