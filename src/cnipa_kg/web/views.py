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


_CORE = """SELECT ?d ?type ?designee ?by ?proposedBy ?tier ?programme ?start ?end ?annex ?serial ?previous ?next WHERE {
  %s
  VALUES ?type { ckg:Designation ckg:ProposedDesignation }
  ?d a ?type ; ckg:designee ?designee .
  OPTIONAL { ?d ckg:designatedBy ?by } OPTIONAL { ?d ckg:proposedBy ?proposedBy }
  OPTIONAL { ?d ckg:tier ?tier } OPTIONAL { ?d ckg:programme ?programme }
  OPTIONAL { ?d ckg:periodStart ?start } OPTIONAL { ?d ckg:periodEnd ?end }
  OPTIONAL { ?d ckg:inAnnex ?annex } OPTIONAL { ?d ckg:serialNumber ?serial }
  OPTIONAL { ?d ckg:previousDesignation ?previous } OPTIONAL { ?next ckg:previousDesignation ?d }
}"""


def _which(d: str | None, doc: str | None, annex: str | None, designee: str | None, province: str | None) -> str:
    """The graph pattern that picks the designations of a page (all of them when nothing is given)."""
    if d:
        return f"VALUES ?d {{ <{d}> }}"
    if doc:
        return f"{{ ?d ckg:designatedBy <{doc}> }} UNION {{ ?d ckg:proposedBy <{doc}> }}"
    if annex:
        return f"?d ckg:inAnnex <{annex}> ."
    if designee:
        return f"?d ckg:designee <{designee}> ."
    if province:  # the places in a province (a park by the division it lies in), not the province itself
        return (f"?d ckg:designee ?z . {{ ?z ckg:province <{province}> }} UNION "
                f"{{ ?z ckg:locatedIn/ckg:province <{province}> }} UNION {{ ?z ckg:locatedIn <{province}> }} "
                f"FILTER(?z != <{province}>)")
    return ""


def _by(select: Select, query: str, key: str, iris: Iterable[str]) -> dict[str, dict[str, str]]:
    """Rows of ``query`` (with ``%s`` for a VALUES list of ``iris`` bound to ``?{key}``) by ``key``."""
    values = _iri_list(iris)
    if not values:
        return {}
    return {r[key]: r for r in select(query % f"VALUES ?{key} {{ {values} }}")}


def designation_rows(select: Select, *, on: date, d: str | None = None, doc: str | None = None,
                     annex: str | None = None, designee: str | None = None, province: str | None = None,
                     limit: int = MAX_ROWS) -> list[dict]:
    """The designations (and proposed designations) of one designation ``d``, document, annex,
    designee or province (all when none is given), in document order, with their documents, the
    division (a park's: the one it lies in), province, labels and status on ``on``; at most
    ``limit`` (the first in document order). A few simple queries joined here: one big query with
    these OPTIONALs is slow in oxigraph."""
    core = {r["d"]: r for r in select(_CORE % _which(d, doc, annex, designee, province))}
    for r in core.values():
        r["doc"] = r["by"] or r["proposedBy"]
    docs = _by(select, """SELECT ?doc ?number ?date ?start ?end WHERE { %s
        OPTIONAL { ?doc eli:id_local ?number } OPTIONAL { ?doc eli:date_document ?date }
        OPTIONAL { ?doc ckg:periodStart ?start } OPTIONAL { ?doc ckg:periodEnd ?end } }""", "doc",
               {r["doc"] for r in core.values()})
    annexes = _by(select, "SELECT ?annex ?number WHERE { %s OPTIONAL { ?annex ckg:annexNumber ?number } }", "annex",
                  {r["annex"] for r in core.values()})
    empty = {"number": "", "date": "", "start": "", "end": ""}
    for r in core.values():
        doc_row = docs.get(r["doc"], empty)
        r.update(number=doc_row["number"], date=doc_row["date"], start=r["start"] or doc_row["start"],
                 end=r["end"] or doc_row["end"], annexNo=annexes.get(r["annex"], {"number": ""})["number"])
    rows = sorted(core.values(), key=lambda r: (r["date"], r["doc"], _int(r["annexNo"]), _int(r["serial"]), r["d"]))
    rows = rows[:limit]
    parks = _by(select, "SELECT ?designee ?in WHERE { %s OPTIONAL { ?designee ckg:locatedIn ?in } }", "designee",
                {r["designee"] for r in rows})
    for r in rows:
        r["division"] = parks.get(r["designee"], {}).get("in") or r["designee"]
    divisions = _by(select, f"""SELECT ?division ?code ?province ?wkt WHERE {{ %s
        OPTIONAL {{ ?division ckg:adcode ?code }} OPTIONAL {{ ?division ckg:province ?province }}
        OPTIONAL {{ ?division <{GEO}hasGeometry>/<{GEO}asWKT> ?wkt }} }}""", "division", {r["division"] for r in rows})
    names = labels(select, [i for r in rows for i in (r["designee"], r["tier"], r["programme"], r["doc"], r["annex"],
                                                      r["division"])]
                   + [v["province"] for v in divisions.values() if v["province"]])
    out = []
    for r in rows:
        div = divisions.get(r["division"], {"code": "", "province": "", "wkt": ""})
        province = div["province"] or r["division"]
        proposed = r["type"] == str(CKG.ProposedDesignation)
        out.append({**r, "code": div["code"], "province": province, "wkt": div["wkt"], "proposed": proposed,
                    "status": status(r["start"], r["end"], on, proposed=proposed),
                    "name": names.get(r["designee"], {}), "province_name": names.get(province, {}),
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


def points(rows: list[dict]) -> list[dict]:
    """Map points of the divisions in ``rows`` (one per division): href target, names, WKT."""
    seen: dict[str, dict] = {}
    for r in rows:
        if r["wkt"] and r["division"] not in seen:
            seen[r["division"]] = {"iri": r["division"], "wkt": r["wkt"], "name": r["division_name"],
                                   "tier": r["tier"].rsplit("#", 1)[-1]}
    return [seen[k] for k in sorted(seen)]
