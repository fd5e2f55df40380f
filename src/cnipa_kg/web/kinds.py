"""Which page a resource gets, and what that page shows: a notice (its facts and its annexes as
the tables the notice prints), an annex, a designation (what, when, status, source row), a
division or a park (its designations as a timeline with a status badge, its place on the map; a
province lists its designated divisions), an organisation, a policy document; anything else the
generic description (every page ends with all its statements)."""

from __future__ import annotations

from datetime import date

from ..core.vocab import CKG
from . import views
from .views import Select

ORG = "http://www.w3.org/ns/org#Organization"
KINDS = [  # (type, template): the first type a resource has decides
    (str(CKG.Notice), "notice.html"), (str(CKG.PublicNotice), "notice.html"), (str(CKG.Annex), "annex.html"),
    (str(CKG.Designation), "designation.html"), (str(CKG.ProposedDesignation), "designation.html"),
    (str(CKG.AdministrativeDivision), "division.html"), (str(CKG.Park), "division.html"),
    (ORG, "organisation.html"), (str(CKG.PolicyDocument), "policy.html"),
    ("http://rdfs.org/ns/void#Dataset", "dataset.html"), (str(CKG.Holdings), "holdings.html"),
]
PROVINCE_LEVEL = str(CKG.provinceLevel)


def template_for(types: set[str]) -> str:
    for kind, template in KINDS:
        if kind in types:
            return template
    return "resource.html"


def view_of(select: Select, iri: str, types: set[str], on: date) -> tuple[str, dict]:
    """``(template, view)`` of the page of ``iri`` (whose ``rdf:type``\\ s are ``types``) on the date ``on``."""
    template = template_for(types)
    make = {"notice.html": _notice, "annex.html": _annex, "designation.html": _designation,
            "division.html": _division, "organisation.html": _organisation, "policy.html": _policy,
            "dataset.html": _dataset, "holdings.html": _holdings}.get(template)
    view = make(select, iri, on) if make else {}
    return template, {"on": on.isoformat(), **view}


def _annex_tables(rows: list[dict], names: dict) -> list[dict]:
    tables: dict[str, dict] = {}
    for r in rows:
        key = r["annex"] or ""
        table = tables.setdefault(key, {"iri": key, "number": r["annexNo"], "name": names.get(key, {}), "rows": []})
        table["rows"].append(r)
    return sorted(tables.values(), key=lambda t: (views._int(t["number"]) if t["number"] else 0, t["iri"]))


def _notice(select: Select, iri: str, on: date) -> dict:
    f = views.facts(select, iri, {
        "number": "eli:id_local", "date": "eli:date_document", "issuer": "eli:passed_by", "printed_by": "ckg:printedBy",
        "addressees": "ckg:addressee", "copy_to": "ckg:copyTo", "cites": "eli:cites", "cited_by": "^eli:cites",
        "start": "ckg:periodStart", "end": "ckg:periodEnd", "procedure": "ckg:selectionProcedure",
        "notice_start": "ckg:publicNoticeStart", "notice_end": "ckg:publicNoticeEnd", "parts": "eli:has_part",
        "status_text": "ckg:publicationStatus", "print_date": "ckg:printDate"})
    rows = views.designation_rows(select, doc=iri, on=on)
    names = views.labels(select, [*f["issuer"], *f["printed_by"], *f["addressees"], *f["copy_to"], *f["cites"],
                                  *f["cited_by"], *f["parts"]])
    procedure = views.by_language(select, iri, "ckg:selectionProcedure")
    copies = select(f"""SELECT ?url (SAMPLE(?c) AS ?comment) WHERE {{ <{iri}> prov:wasDerivedFrom ?source .
                          ?source ckg:copyOf ?url . OPTIONAL {{ ?source rdfs:comment ?c }} }} GROUP BY ?url ORDER BY ?url""")
    return {"facts": f, "names": names, "tables": _annex_tables(rows, names), "rows": rows,
            "points": views.points(rows), "procedure": procedure, "copies": copies}


def _annex(select: Select, iri: str, on: date) -> dict:
    f = views.facts(select, iri, {"notice": "eli:is_part_of", "number": "ckg:annexNumber",
                                  "declared": "ckg:declaredCount", "tier": "ckg:tier", "programme": "ckg:programme"})
    rows = views.designation_rows(select, annex=iri, on=on)
    names = views.labels(select, [iri, *f["notice"], *f["tier"], *f["programme"]])
    return {"facts": f, "names": names, "tables": _annex_tables(rows, names), "rows": rows,
            "points": views.points(rows)}


def _designation(select: Select, iri: str, on: date) -> dict:
    rows = views.designation_rows(select, d=iri, on=on)
    source = select(f"""SELECT ?text ?line ?page WHERE {{ <{iri}> prov:wasDerivedFrom ?s .
                        OPTIONAL {{ ?s ckg:rowText ?text }} OPTIONAL {{ ?s ckg:sourceLine ?line }}
                        OPTIONAL {{ ?s ckg:sourcePage ?page }} }}""")
    f = views.facts(select, iri, {"confirms": "ckg:confirms", "confirmed_by": "^ckg:confirms", "evidence": "ckg:evidenceGrade"})
    source_page = select(f"""SELECT ?url ?comment WHERE {{ <{iri}> prov:wasDerivedFrom ?s . ?s dcterms:source ?url
                             OPTIONAL {{ ?s rdfs:comment ?comment }} }}""")
    names = views.labels(select, [*f["confirms"], *f["confirmed_by"], *f["evidence"],
                                  *(r[k] for r in rows for k in ("previous", "next"))])
    return {"row": rows[0] if rows else None, "source": source[0] if source else None, "facts": f, "names": names,
            "source_page": source_page[0] if source_page else None}


def _division(select: Select, iri: str, on: date) -> dict:
    f = views.facts(select, iri, {"code": "ckg:adcode", "level": "ckg:divisionLevel", "province": "ckg:province",
                                  "parent": "skos:broader", "children": "^skos:broader", "same_as": "owl:sameAs",
                                  "located_in": "ckg:locatedIn", "kind": "ckg:parkKind", "parks": "^ckg:locatedIn",
                                  "from": "ckg:existedFrom", "until": "ckg:existedUntil", "replaced_by": "dcterms:isReplacedBy",
                                  "replaces": "^dcterms:isReplacedBy"})
    changes = select(f"""SELECT ?to ?year ?type ?approval WHERE {{ ?c ckg:changedFrom <{iri}> ; ckg:changedTo ?to ;
                         ckg:changeYear ?year OPTIONAL {{ ?c ckg:changeType ?type }} OPTIONAL {{ ?c ckg:approval ?approval }} }}
                         ORDER BY ?year ?to""")
    wkt = select(f"SELECT ?w WHERE {{ <{iri}> <{views.GEO}hasGeometry>/<{views.GEO}asWKT> ?w }}")
    own = views.designation_rows(select, designee=iri, on=on)
    own.sort(key=lambda r: (r["start"] or r["date"], r["date"], r["d"]))
    province = PROVINCE_LEVEL in f["level"]
    within = views.designation_rows(select, province=iri, on=on) \
        if province else []
    names = views.labels(select, [*f["level"], *f["province"], *f["parent"], *f["children"], *f["located_in"],
                                  *f["parks"], *f["replaced_by"], *f["replaces"]])
    point = [{"iri": iri, "wkt": wkt[0]["w"], "name": views.labels(select, [iri]).get(iri, {}), "tier": "here"}] if wkt else []
    return {"facts": f, "names": names, "timeline": own, "within": within, "province": province, "changes": changes,
            "points": point + [p for p in views.points(within) if p["iri"] != iri],
            "wikidata": [q for q in f["same_as"] if q.startswith("http://www.wikidata.org/entity/")],
            "wkt": wkt[0]["w"] if wkt else ""}


def _organisation(select: Select, iri: str, on: date) -> dict:
    f = views.facts(select, iri, {"parent": "org:subOrganizationOf", "units": "^org:subOrganizationOf",
                                  "passed": "^eli:passed_by", "printed": "^ckg:printedBy",
                                  "addressed": "^ckg:addressee", "copied": "^ckg:copyTo"})
    return {"facts": f, "names": views.labels(select, [i for v in f.values() for i in v])}


def _policy(select: Select, iri: str, on: date) -> dict:
    f = views.facts(select, iri, {"number": "eli:id_local", "date": "eli:date_document", "issuer": "eli:passed_by",
                                  "cited_by": "^eli:cites", "cites": "eli:cites", "replaced_by": "dcterms:isReplacedBy"})
    return {"facts": f, "names": views.labels(select, [*f["issuer"], *f["cited_by"], *f["cites"], *f["replaced_by"]])}


def _dataset(select: Select, iri: str, on: date) -> dict:
    """The VoID/DCAT description (``select`` runs on the VoID store): counts, licence, sources, the
    class and property partitions, the files, the linksets."""
    f = views.facts(select, iri, {"license": "dcterms:license", "publisher": "dcterms:publisher",
                                  "source": "dcterms:source", "derived": "prov:wasDerivedFrom",
                                  "triples": "void:triples", "entities": "void:entities",
                                  "endpoint": "void:sparqlEndpoint", "uri_space": "void:uriSpace"})
    description = views.by_language(select, iri, "dcterms:description")
    title = views.by_language(select, iri, "dcterms:title")
    classes = select(f"""SELECT ?part ?class ?n WHERE {{ <{iri}> void:classPartition ?part .
                         ?part void:class ?class OPTIONAL {{ ?part void:entities ?n }} }}""")
    properties = select(f"""SELECT ?part ?property ?n WHERE {{ <{iri}> void:propertyPartition ?part .
                            ?part void:property ?property OPTIONAL {{ ?part void:triples ?n }} }}""")
    files = select(f"""SELECT ?dist ?title ?url ?media ?size WHERE {{ <{iri}> dcat:distribution ?dist .
                       OPTIONAL {{ ?dist dcterms:title ?title }} OPTIONAL {{ ?dist dcat:downloadURL ?url }}
                       OPTIONAL {{ ?dist dcat:mediaType ?media }} OPTIONAL {{ ?dist dcat:byteSize ?size }} }}""")
    linksets = select(f"""SELECT ?set ?target ?predicate ?n WHERE {{ <{iri}> void:subset ?set . ?set a void:Linkset .
                          OPTIONAL {{ ?set void:target ?target FILTER(?target != <{iri}>) }} OPTIONAL {{ ?set void:linkPredicate ?predicate }}
                          OPTIONAL {{ ?set void:triples ?n }} }}""")
    by_count = lambda r: (-int(r["n"] or 0), r["part"])  # noqa: E731
    return {"facts": f, "description": description, "title_zh": title.get("zh", ""), "title_en": title.get("en", ""),
            "classes": sorted(classes, key=by_count),
            "property_parts": sorted(properties, key=by_count), "files": sorted(files, key=lambda r: r["title"]),
            "linksets": linksets, "names": views.labels(select, [*f["publisher"], *f["source"]])}


def _holdings(select: Select, iri: str, on: date) -> dict:
    """Every known batch with its declared and held counts, in the table's order."""
    batches = select(f"""SELECT ?b ?programme ?tier ?number ?date ?declared ?held ?holding ?source ?doc ?comment ?row WHERE {{
                         <{iri}> ckg:batch ?b . ?b ckg:programmeCode ?programme ; ckg:tierText ?tier ; ckg:heldCount ?held ;
                         ckg:tableRow ?row .
                         OPTIONAL {{ ?b eli:id_local ?number }} OPTIONAL {{ ?b dcterms:date ?date }}
                         OPTIONAL {{ ?b ckg:declaredCount ?declared }} OPTIONAL {{ ?b ckg:holding ?holding }}
                         OPTIONAL {{ ?b dcterms:source ?source }} OPTIONAL {{ ?b ckg:batchDocument ?doc }}
                         OPTIONAL {{ ?b rdfs:comment ?comment }} }}""")
    batches.sort(key=lambda b: views._int(b["row"]))
    totals = views.facts(select, iri, {"declared": "ckg:declaredCount", "held": "ckg:heldCount"})
    names = views.labels(select, [b["doc"] for b in batches if b.get("doc")])
    return {"batches": batches, "totals": totals, "names": names,
            "comment": views.by_language(select, iri, "rdfs:comment")}
