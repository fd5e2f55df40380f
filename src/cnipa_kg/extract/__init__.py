"""Extraction: a notice file → plain records (:mod:`cnipa_kg.core.records`), checked; no RDF."""

from .notice import extract, extract_text
from .text import parse_docno

__all__ = ["extract", "extract_text", "parse_docno"]
