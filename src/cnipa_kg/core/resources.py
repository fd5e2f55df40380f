"""Package data: ontology, shapes, named queries, reference tables, shipped notices.

The checkout keeps one copy of each at the top level (``ontology/``, ``shapes/``,
``queries/``, ``data/reference/``, ``data/notices/``); the wheel maps them to
``cnipa_kg/resources/…``. This module finds them in either place, never relative
to the working directory.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

# name inside cnipa_kg/resources -> path inside a source checkout
_CHECKOUT = {
    "ontology": "ontology",
    "shapes": "shapes",
    "queries": "queries",
    "reference": "data/reference",
    "notices": "data/notices",
}


@cache
def resource_dir(name: str) -> Path:
    """Return the directory holding the package data ``name``.

    >>> resource_dir("ontology").joinpath("cnipa-kg.ttl").is_file()
    True
    """
    if name not in _CHECKOUT:
        raise ValueError(f"unknown resource {name!r}; expected one of {sorted(_CHECKOUT)}")
    installed = Path(str(resources.files("cnipa_kg") / "resources" / name))
    if installed.is_dir():
        return installed
    checkout = Path(__file__).resolve().parents[3] / _CHECKOUT[name]
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"package data {name!r} is missing from this installation")


def ontology_path() -> Path:
    return resource_dir("ontology") / "cnipa-kg.ttl"


def context_path() -> Path:
    return resource_dir("ontology") / "context.jsonld"


def shapes_path() -> Path:
    return resource_dir("shapes") / "cnipa-kg.shacl.ttl"


def reference_path(filename: str) -> Path:
    return resource_dir("reference") / filename


ROSTERS = ("demonstration-cities-2012-2016.csv",)  #: the rosters of facts among the reference tables


def shipped_notices() -> list[Path]:
    """The sources shipped with the package: the documents (the checkout's ``data/notices/*.txt``, each
    with its sidecar ``.toml`` where it has one) and the rosters of facts (``data/reference``, :data:`ROSTERS`)."""
    return sorted(resource_dir("notices").glob("*.txt")) + [reference_path(name) for name in ROSTERS]


def named_queries() -> dict[str, Path]:
    """Named SPARQL queries: file stem -> path (``queries/*.rq``, not the QC ones)."""
    return {p.stem: p for p in sorted(resource_dir("queries").glob("*.rq"))}


def query_header(path: Path) -> dict[str, str]:
    """The ``# key: value`` lines at the top of a query file (named and QC queries alike).

    >>> query_header(named_queries()["pilot-cities"])["title"]
    'Pilot cities with their codes'
    """
    fields: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        key, sep, value = line[1:].partition(":")
        if sep and key.strip().isidentifier():
            fields[key.strip().lower()] = value.strip()
    return fields


def qc_queries() -> dict[str, Path]:
    """Quality-check queries ``queries/qc/*-violation.rq``: each must return no rows."""
    return {p.stem: p for p in sorted(resource_dir("queries").joinpath("qc").glob("*-violation.rq"))}
