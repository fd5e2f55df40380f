"""Reference tables about documents and organisations: organisation slugs and English names,
translations of printed titles, slugs of policy documents without a 文号, and document types.
"""

from __future__ import annotations

import re
from functools import cache

from rdflib import URIRef

from ..core.vocab import CKG
from .csvfiles import rows

_DOC_TYPES = (
    ("通知", CKG.documentTypeNotice),
    ("纲要", CKG.documentTypeOutline),
    ("规划", CKG.documentTypePlan),
    ("意见", CKG.documentTypeOpinion),
    ("决定", CKG.documentTypeDecision),
    ("办法", CKG.documentTypeMeasures),
)


@cache
def organisations() -> dict[str, dict[str, str]]:
    """Printed organisation name -> its row (slug, zh, en, parent) in ``organisations.csv``."""
    table = rows("organisations.csv")
    first = {}
    for row in table:
        first.setdefault(row["slug"], row)
    return {row["zh"]: {**first[row["slug"]]} for row in table}


@cache
def translations() -> dict[str, str]:
    return {row["zh"]: row["en"] for row in rows("translations.csv")}


@cache
def policy_slugs() -> dict[str, str]:
    return {row["zh"]: row["slug"] for row in rows("policy-documents.csv")}


def document_type(title: str) -> URIRef | None:
    """The ``ckg:DocumentTypes`` concept of a title, from its last word (ignoring a trailing bracket).

    >>> document_type("知识产权强国建设纲要（2021—2035年）")
    rdflib.term.URIRef('https://w3id.org/cnipa-kg/def#documentTypeOutline')
    """
    bare = re.sub(r"[（(][^（）()]*[）)]$", "", title)
    for word, concept in _DOC_TYPES:
        if bare.endswith(word):
            return concept
    return None
