"""Minted IRIs (DESIGN.md "IRIs"): one function per kind of thing, all under ``base``; every
IRI the project makes is made here.

>>> from cnipa_kg.core.records import DocNumber
>>> notice_iri("https://w3id.org/cnipa-kg/", DocNumber("国知发运字〔2022〕33号", "国知发运字", 2022, 33))
rdflib.term.URIRef('https://w3id.org/cnipa-kg/eli/notice/gzfyz/2022/33')
>>> series_slug("国知办函运字")
'gzbhyz'
"""

from __future__ import annotations

import hashlib
import re
from functools import cache

from rdflib import URIRef

from .records import ROSTER, DocNumber, Notice


def check_base(base: str) -> str:
    """A base IRI must be absolute (http/https) and end with ``/`` or ``#``."""
    if not re.match(r"^https?://[^\s<>\"{}|\\^`]+[/#]$", base):
        raise ValueError(f"base IRI {base!r} must be an absolute http(s) IRI ending in '/' or '#'")
    return base


@cache
def series_slug(series: str) -> str:
    """Pinyin initials of a 文号 series (国知发运字 → gzfyz)."""
    from pypinyin import Style, lazy_pinyin

    letters = lazy_pinyin(series, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(letters).lower() or "doc"


def notice_iri(base: str, number: DocNumber) -> URIRef:
    return URIRef(f"{base}eli/notice/{series_slug(number.series)}/{number.year}/{number.number}")


def proposal_iri(base: str, notice: Notice) -> URIRef:
    """A public notice (公示), which has no 文号: by its date and its title's pinyin.

    >>> from datetime import date
    >>> n = Notice(None, None, "关于拟确定的公示", (), (), None, None, (), None, None, (), "", date(2023, 12, 1), None, None, (), None, ())
    >>> proposal_iri("https://e/", n)
    rdflib.term.URIRef('https://e/proposal/2023-12-01/guan-yu-ni-que-ding-de-gong-shi')
    """
    return URIRef(f"{base}proposal/{notice.date.isoformat()}/{pinyin_slug(notice.subject)}")


def unnumbered_notice_iri(base: str, notice: Notice) -> URIRef:
    """A notice whose 文号 the copy lacks (and no sidecar states): by its date and what is known of it, its
    title or else what its list designates (never a guessed 文号)."""
    return URIRef(f"{base}notice/{notice.signed}/{pinyin_slug(notice.subject)}")


def document_iri(base: str, notice: Notice) -> URIRef:
    """A designation document: the ELI notice pattern by its 文号, or (a 公示) :func:`proposal_iri`, or (a
    notice whose 文号 is not known) :func:`unnumbered_notice_iri`."""
    if notice.number is not None:
        return notice_iri(base, notice.number)
    return proposal_iri(base, notice) if notice.proposal else unnumbered_notice_iri(base, notice)


def annex_iri(notice: URIRef, n: int) -> URIRef:
    return URIRef(f"{notice}/annex/{n}")


def designation_iri(notice: URIRef, annex: int, serial: int) -> URIRef:
    """Row ``serial`` of annex ``annex``; annex 0 is a list printed inline in the body (``…/list/{serial}``),
    annex -1 (:data:`~cnipa_kg.core.records.ROSTER`) the rows of a roster of facts (``…/roster/{serial}``: the
    roster's order, not a serial the notice prints)."""
    if annex == ROSTER:
        return URIRef(f"{notice}/roster/{serial}")
    return URIRef(f"{notice}/list/{serial}" if annex == 0 else f"{notice}/annex/{annex}/{serial}")


def park_iri(base: str, adcode: str, name: str) -> URIRef:
    """A park (not a division): under the division it lies in, by its name's pinyin."""
    return URIRef(f"{base}park/{adcode}/{pinyin_slug(name)}")


def division_iri(base: str, adcode: str) -> URIRef:
    return URIRef(f"{base}division/{adcode}")


def division_change_iri(division: URIRef, year: int, successor: str) -> URIRef:
    """A change that ended ``division``: ``{division}/change/{year}/{successor's code}``."""
    return URIRef(f"{division}/change/{year}/{successor}")


def geometry_iri(division: URIRef) -> URIRef:
    """The point of a division (a ``geo:Geometry``): ``{division}#point`` (``/point`` under a ``#`` base).

    >>> geometry_iri(division_iri("https://w3id.org/cnipa-kg/", "110108"))
    rdflib.term.URIRef('https://w3id.org/cnipa-kg/division/110108#point')
    """
    return URIRef(f"{division}/point" if "#" in division else f"{division}#point")


def org_iri(base: str, slug: str) -> URIRef:
    return URIRef(f"{base}org/{slug}")


def policy_iri(base: str, slug: str) -> URIRef:
    return URIRef(f"{base}policy/{slug}")


def source_row_iri(notice: URIRef, annex: int, serial: int) -> URIRef:
    return URIRef(f"{designation_iri(notice, annex, serial)}/source")


def notice_source_iri(notice: URIRef) -> URIRef:
    """The source text of a notice (a ``prov:Entity``)."""
    return URIRef(f"{notice}/source")


def build_iri(base: str) -> URIRef:
    """The build (a ``prov:Activity``)."""
    return URIRef(f"{base}build")


def dataset_iri(base: str) -> URIRef:
    """The dataset: the VoID/DCAT description's subject and the named graph ``publish`` writes."""
    return URIRef(f"{base}dataset")


def partition_iri(base: str, kind: str, of: str) -> URIRef:
    """A VoID class or property partition (``kind`` = class | property) of the IRI ``of``."""
    return URIRef(f"{base}dataset/{kind}/{hashlib.sha1(str(of).encode()).hexdigest()[:12]}")


def reference_table_iri(base: str, name: str) -> URIRef:
    """A reference table the build used (``data/reference/{name}``), as a ``prov:Entity`` of the VoID."""
    return URIRef(f"{base}dataset/source/{name}")


def batch_iri(base: str, slug: str) -> URIRef:
    """A known batch of a programme (``{programme}/{batch}/{tier words}``, reference.batches.Batch.slug)."""
    return URIRef(f"{base}batch/{slug}")


def holdings_iri(base: str) -> URIRef:
    """What the dataset holds of the known batches, and what it lacks (a ``ckg:Holdings``)."""
    return URIRef(f"{base}holdings")


def linkset_iri(base: str, target: str) -> URIRef:
    """The VoID linkset of the links to another dataset (``target``: a slug, e.g. wikidata)."""
    return URIRef(f"{base}dataset/linkset/{target}")


def distribution_iri(base: str, name: str) -> URIRef:
    return URIRef(f"{base}dataset/distribution/{name}")


def download_iri(base: str, name: str) -> URIRef:
    return URIRef(f"{base}dist/{name}")


def sparql_endpoint_iri(base: str) -> URIRef:
    return URIRef(f"{base}sparql")


MAINTAINERS_SLUG = "cnipa-kg-maintainers"  #: the organisation that publishes the dataset
CODE_TABLE_GRAPH = "https://w3id.org/cnipa-kg/code-table"  #: named graph of the code table during QC
QC_NS = "https://w3id.org/cnipa-kg/qc#"  #: QC query names in validation reports
SHAPES_NS = "https://w3id.org/cnipa-kg/shapes#"  #: shape names in validation reports


def code_table_iri(code: str) -> str:
    return f"{CODE_TABLE_GRAPH}/{code}"


def pinyin_slug(text: str, *, limit: int = 60) -> str:
    """A kebab-case slug for names that have no entry in the reference tables.

    >>> pinyin_slug("国家知识产权局")
    'guo-jia-zhi-shi-chan-quan-ju'
    """
    from pypinyin import lazy_pinyin

    words = [w for w in lazy_pinyin(text, errors=lambda s: ["".join(c for c in s if c.isascii() and c.isalnum())]) if w.isalnum()]
    slug = "-".join(words).lower()
    if len(slug) > limit:  # whole syllables only (a slug cut inside one reads as another word)
        slug = slug[: limit + 1].rsplit("-", 1)[0] if "-" in slug[: limit + 1] else slug[:limit]
    return slug.strip("-") or "unnamed"
