"""The site around the data: the home page, search, the VoID description, the release files and
the packaged assets (served by Starlette's ``StaticFiles``: streamed, with ETag and ranges), 404s."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from ..core.formats import MEDIA_BY_SUFFIX, graph_format
from ..core.release_files import DOCS, DOWNLOADS, VOID
from . import pages, views
from .linked_data import DOCS_CSP, on_date
from .negotiate import negotiate
from .responses import error, respond
from .search import index_json, search
from .state import ServedRelease

#: what each download is for (zh, en)
DOWNLOAD_NOTES = {
    "cnipa-kg.ttl": ("整个图谱（Turtle）", "the whole graph in Turtle, for rdflib, Jena or any RDF tool"),
    "cnipa-kg.jsonld": ("整个图谱（JSON-LD）", "the whole graph in JSON-LD, for JSON tools and the Web"),
    "cnipa-kg.nt": ("整个图谱（N-Triples）", "the whole graph, one triple a line, for bulk loading into a triple store"),
    "designations.csv": ("每项认定一行", "one row per designation, for spreadsheets and pandas"),
    "designations.csv-metadata.json": ("CSV 的列说明（CSVW）", "what each column of designations.csv means (CSVW)"),
    "panel-prefecture.csv": ("地级—年份面板", "every prefecture-level unit × year: designation status, for economists"),
    "panel-prefecture.csv-metadata.json": ("地级面板的列说明（CSVW）", "what each column of the prefecture panel means (CSVW)"),
    "panel-prefecture.md": ("地级面板的编码手册", "the prefecture panel's codebook: rules, columns, rows per year"),
    "panel-county.csv": ("县级—年份面板", "every county-level unit × year: designation status, for economists"),
    "panel-county.csv-metadata.json": ("县级面板的列说明（CSVW）", "what each column of the county panel means (CSVW)"),
    "panel-county.md": ("县级面板的编码手册", "the county panel's codebook: rules, columns, rows per year"),
    "void.ttl": ("数据集描述（VoID/DCAT）", "the dataset description: sources, licence, counts, files"),
}


def size_text(n: int) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return f"{n:,} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return ""


class ReleaseFiles(StaticFiles):
    """The release's downloads (and its ontology docs) under ``/dist``; nothing else of the directory."""

    ALLOWED = frozenset(DOWNLOADS) | {DOCS}

    async def get_response(self, path: str, scope) -> Response:
        if path not in self.ALLOWED:
            return error(404, "not found")
        return await super().get_response(path, scope)

    def file_response(self, full_path, stat_result, scope, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        media = MEDIA_BY_SUFFIX.get(Path(full_path).suffix, "application/octet-stream")
        response.headers["content-type"] = media + ("; charset=utf-8" if media.startswith("text/") else "")
        response.headers["cache-control"] = "public, max-age=3600"
        if full_path.endswith(".html"):  # the ontology docs: a standalone file with its own <style>
            response.headers["content-security-policy"] = DOCS_CSP
        return response


def assets() -> StaticFiles:
    """The stylesheet, the scripts and the map, from the package."""
    return StaticFiles(packages=[("cnipa_kg.web", "assets")])


def summary(release: ServedRelease) -> dict:
    """Counts and the documents with their designations by tier (zh)."""
    cached = release.cache.get(("summary",))
    if cached:
        return cached
    rows = release.select("""
        SELECT ?notice ?number ?title ?date ?issuer ?level (COUNT(?d) AS ?n) WHERE {
          VALUES ?type { ckg:Notice ckg:PublicNotice }
          ?notice a ?type ; eli:date_document ?date ; skos:prefLabel ?title . FILTER(lang(?title) = "zh")
          OPTIONAL { ?notice eli:id_local ?number }
          OPTIONAL { ?notice eli:passed_by/skos:prefLabel ?issuer FILTER(lang(?issuer) = "zh") }
          OPTIONAL { { ?d ckg:designatedBy ?notice } UNION { ?d ckg:proposedBy ?notice }
                     ?d ckg:tier/skos:prefLabel ?level . FILTER(lang(?level) = "zh") }
        } GROUP BY ?notice ?number ?title ?date ?issuer ?level ORDER BY ?date ?number ?notice ?level""")
    notices: dict = {}
    for r in rows:
        n = notices.setdefault(r["notice"], {"iri": r["notice"], "number": r["number"], "title": r["title"],
                                             "date": r["date"], "issuer": r["issuer"], "counts": []})
        if r["level"]:
            n["counts"].append(f"{r['level']} {r['n']}")
    for n in notices.values():
        n["counts"] = "，".join(n["counts"])
    counts = release.select("""SELECT (COUNT(*) AS ?t) (SUM(IF(?p = ckg:designee, 1, 0)) AS ?d)
                               (SUM(IF(?p = ckg:divisionLevel, 1, 0)) AS ?v) WHERE { ?s ?p ?o }""")[0]
    out = {"notices": list(notices.values()), "triples": int(counts["t"]), "designations": int(counts["d"]),
           "divisions": int(counts["v"]), "files": [f for f in DOWNLOADS if (release.path / f).is_file()]}
    release.cache.put(("summary",), out)
    return out


def home_view(release: ServedRelease, links: pages.Links, on: date) -> dict:
    """What the home page shows besides :func:`summary`: every designation, the map, the downloads."""
    rows = views.designation_rows(release.select, on=on, limit=views.MAX_ROWS + 1)
    downloads = []
    for name in summary(release)["files"]:
        zh, en = DOWNLOAD_NOTES.get(name, ("", ""))
        downloads.append({"name": name, "size": size_text((release.path / name).stat().st_size), "zh": zh, "en": en})
    return {"rows": rows[:views.MAX_ROWS], "truncated": len(rows) > views.MAX_ROWS, "on": on.isoformat(),
            "points": pages.map_points(views.points(rows), links), "downloads": downloads}


class Site:
    def __init__(self, release: ServedRelease) -> None:
        self.release = release

    async def home(self, request: Request) -> Response:
        media = negotiate(request.headers.get("accept"), "page")
        if media and media != "text/html":
            return await self.void(request)
        on = on_date(request)
        if isinstance(on, Response):
            return on
        links = self.release.links(request)
        key = ("home", links.prefix, on)
        html = self.release.cache.get(key)
        if html is None:
            html = (await run_in_threadpool(self._home, links, on)).encode()
            self.release.cache.put(key, html)
        return respond(request, html, "text/html")

    def _home(self, links: pages.Links, on: date) -> str:
        return pages.home_page(summary(self.release), links, **home_view(self.release, links, on))

    async def void(self, request: Request) -> Response:
        path = self.release.path / VOID
        if not path.is_file():
            return error(404, "this release has no void.ttl")
        accept = request.headers.get("accept")
        media = (negotiate(accept, "page") if accept and "text/html" in accept else None) or \
            negotiate(accept, "graph") or "text/turtle"
        if media == "text/html":  # a browser: the dataset's page
            from starlette.responses import RedirectResponse

            return RedirectResponse(self.release.links(request).url("dataset"), status_code=303)
        if media == "text/turtle":
            return respond(request, path.read_bytes(), "text/turtle")
        key = ("void", media)
        body = self.release.cache.get(key)
        if body is None:
            import pyoxigraph as ox

            triples = ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE)
            body = ox.serialize(triples, format=graph_format(media))
            self.release.cache.put(key, body)
        return respond(request, body, media)

    async def search(self, request: Request) -> Response:
        """``/search?q=…``: the hits as a page, or as JSON (``Accept: application/json`` or ``format=json``)."""
        query = request.query_params.get("q", "")[:200]
        hits = await run_in_threadpool(lambda: search(self.release.search_index, query)) if query else None
        accept = request.headers.get("accept") or ""
        wants_json = request.query_params.get("format") == "json" or ("json" in accept and "text/html" not in accept)
        if wants_json:
            import json

            body = json.dumps({"query": query, "hits": [{**h, "iri": self.release.base + h["path"]} for h in hits or []]},
                              ensure_ascii=False).encode()
            return respond(request, body, "application/json")
        html = pages.search_page(self.release.links(request), query=query, hits=hits)
        return respond(request, html.encode(), "text/html")

    async def search_index(self, request: Request) -> Response:
        key = ("search-index",)
        body = self.release.cache.get(key)
        if body is None:
            body = await run_in_threadpool(lambda: index_json(self.release.search_index))
            self.release.cache.put(key, body)
        return respond(request, body, "application/json")

    def not_found(self, request: Request) -> Response:
        if negotiate(request.headers.get("accept"), "page") == "text/html":
            html = pages.not_found_page(request.url.path, self.release.links(request))
            return Response(html, status_code=404, media_type="text/html; charset=utf-8")
        return error(404, "not found")
