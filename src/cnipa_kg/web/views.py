"""What the purpose-built pages show, read from the release's store with fixed SPARQL queries:
designations as rows (one query for every table of the site), labels in zh / en / pinyin, and the
status of a designation on a date.

A view is plain data (dicts, lists, strings); :mod:`.pages` renders it. ``select`` is a callable
that runs a SELECT over every graph and returns rows of strings (``ServedRelease.select``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date

from ..core.vocab import CKG

Select = Callable[[str], list[dict[str, str]]]

GEO = "http://www.opengis.net/ont/geosparql#"
OWL_SAMEAS = "http://www.w3.org/2002/07/owl#sameAs"
MAX_ROWS = 5000  #: rows a table of designations shows (the rest: designations.csv)

#: a status in zh and en, as the pages show it (``assets/site.js`` has the same table for the browser)
STATUS_TEXT = {
    "active": ("进行中", "active"),
    "ended": ("已结束", "ended"),
    "future": ("尚未开始", "not yet started"),
    "proposed": ("拟认定", "proposed"),
    "unknown": ("时限不详", "period not stated"),
}


def status(start: str, end: str, on: date, *, proposed: bool = False) -> str:
    """``active`` | ``ended`` | ``future`` | ``proposed`` | ``unknown`` of a designation on ``on``
    (the period is inclusive: a designation ending 2025-06-30 is active on that day)."""
    if proposed:
        return "proposed"
    if not start:
        return "unknown"
    day = on.isoformat()
    if day < start:
        return "future"
    if end and day > end:
        return "ended"
    return "active"


def _iri_list(iris: Iterable[str]) -> str:
    return " ".join(f"<{i}>" for i in sorted(set(iris)) if i)


def labels(select: Select, iris: Iterable[str]) -> dict[str, dict[str, str]]:
    """``iri -> {"zh", "en", "py"}`` from skos:prefLabel (rdfs:label where there is none); pinyin is
    the ``zh-Latn-pinyin`` label."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    values = _iri_list(iris)
    if not values:
        return out
    rows = select(f"""SELECT ?s ?l (LANG(?l) AS ?lang) WHERE {{ VALUES ?s {{ {values} }}
                       {{ ?s skos:prefLabel ?l }} UNION {{ ?s rdfs:label ?l }} }}""")
    for r in sorted(rows, key=lambda r: (r["s"], r["lang"], r["l"])):
        key = {"zh": "zh", "en": "en", "zh-latn-pinyin": "py"}.get(r["lang"].lower())
        if key:
            out[r["s"]].setdefault(key, r["l"])
    return out


_ROWS = """SELECT ?d ?type ?designee ?division ?code ?province ?tier ?programme ?start ?end ?doc ?number ?date
       ?annex ?annexNo ?serial ?wkt ?previous ?next WHERE {
  VALUES ?type { ckg:Designation ckg:ProposedDesignation }
  ?d a ?type ; ckg:designee ?designee .
  OPTIONAL { ?d ckg:designatedBy ?by } OPTIONAL { ?d ckg:proposedBy ?proposedBy }
  BIND(COALESCE(?by, ?proposedBy) AS ?doc)
  OPTIONAL { ?designee ckg:locatedIn ?in }
  BIND(COALESCE(?in, ?designee) AS ?division)
  OPTIONAL { ?division ckg:adcode ?code }
  OPTIONAL { ?division ckg:province ?p }
  BIND(COALESCE(?p, ?division) AS ?province)
  %s
  OPTIONAL { ?d ckg:tier ?tier } OPTIONAL { ?d ckg:programme ?programme }
  OPTIONAL { ?d ckg:periodStart ?s1 } OPTIONAL { ?doc ckg:periodStart ?s2 } BIND(COALESCE(?s1, ?s2, "") AS ?start)
  OPTIONAL { ?d ckg:periodEnd ?e1 } OPTIONAL { ?doc ckg:periodEnd ?e2 } BIND(COALESCE(?e1, ?e2, "") AS ?end)
  OPTIONAL { ?doc eli:id_local ?number } OPTIONAL { ?doc eli:date_document ?date }
  OPTIONAL { ?d ckg:inAnnex ?annex OPTIONAL { ?annex ckg:annexNumber ?annexNo } }
  OPTIONAL { ?d ckg:serialNumber ?serial }
  OPTIONAL { ?d ckg:previousDesignation ?previous } OPTIONAL { ?next ckg:previousDesignation ?d }
  OPTIONAL { ?division <%shasGeometry>/<%sasWKT> ?wkt }
}"""


def designation_rows(select: Select, where: str = "", *, on: date, limit: int = MAX_ROWS) -> list[dict]:
    """Every designation (and proposed designation) matching the SPARQL pattern ``where`` (over the
    variables ``?d ?designee ?division ?province ?doc``), in document order, with labels and status."""
    rows = select(_ROWS % (where, GEO, GEO) + f" LIMIT {limit + 1}")
    unique = {r["d"]: r for r in rows}  # a designation has one of each; OPTIONALs cannot multiply rows
    rows = sorted(unique.values(), key=lambda r: (r["date"], r["doc"], _int(r["annexNo"]), _int(r["serial"]), r["d"]))
    names = labels(select, [i for r in rows for i in (r["designee"], r["province"], r["tier"], r["programme"],
                                                      r["doc"], r["annex"], r["division"])])
    out = []
    for r in rows[:limit]:
        proposed = r["type"] == str(CKG.ProposedDesignation)
        out.append({**r, "proposed": proposed, "status": status(r["start"], r["end"], on, proposed=proposed),
                    "name": names.get(r["designee"], {}), "province_name": names.get(r["province"], {}),
                    "tier_name": names.get(r["tier"], {}), "programme_name": names.get(r["programme"], {}),
                    "doc_name": names.get(r["doc"], {}), "annex_name": names.get(r["annex"], {}),
                    "division_name": names.get(r["division"], {})})
    return out


def _int(text: str) -> int:
    return int(text) if text.isdigit() else 0


def facts(select: Select, iri: str, properties: dict[str, str]) -> dict[str, list[str]]:
    """``name -> [values]`` of ``iri`` for the properties given as ``name -> CURIE`` (``^CURIE``: the
    resources pointing to ``iri`` by it), sorted."""
    def values(inverse: bool) -> str:
        return " ".join(f'({p.lstrip("^")} "{n}")' for n, p in properties.items() if p.startswith("^") == inverse)

    rows = select(f"""SELECT ?n ?o WHERE {{ {{ VALUES (?p ?n) {{ {values(False)} }} <{iri}> ?p ?o }}
                       UNION {{ VALUES (?p ?n) {{ {values(True)} }} ?o ?p <{iri}> }} }}""")
    out: dict[str, list[str]] = {n: [] for n in properties}
    for r in rows:
        out[r["n"]].append(r["o"])
    for v in out.values():
        v.sort()
    return out


def by_language(select: Select, iri: str, prop: str) -> dict[str, str]:
    """``lang -> text`` of the literals of ``iri`` by ``prop`` (a CURIE)."""
    rows = select(f"SELECT ?o (LANG(?o) AS ?lang) WHERE {{ <{iri}> {prop} ?o }}")
    return {r["lang"]: r["o"] for r in sorted(rows, key=lambda r: (r["lang"], r["o"]))}


def first(values: dict[str, list[str]], name: str) -> str:
    found = values.get(name) or [""]
    return found[0]


def types_of(select: Select, iri: str) -> set[str]:
    return {r["t"] for r in select(f"SELECT ?t WHERE {{ <{iri}> a ?t }}")}


def points(rows: list[dict]) -> list[dict]:
    """Map points of the divisions in ``rows`` (one per division): href target, names, WKT."""
    seen: dict[str, dict] = {}
    for r in rows:
        if r["wkt"] and r["division"] not in seen:
            seen[r["division"]] = {"iri": r["division"], "wkt": r["wkt"], "name": r["division_name"],
                                   "tier": r["tier"].rsplit("#", 1)[-1], "status": r["status"]}
    return [seen[k] for k in sorted(seen)]
