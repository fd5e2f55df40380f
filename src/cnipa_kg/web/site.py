"""The site around the data: the home page, the VoID description, the release files and the
packaged assets (served by Starlette's ``StaticFiles``: streamed, with ETag and ranges), 404s."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from ..core.formats import MEDIA_BY_SUFFIX, graph_format
from ..core.release_files import DOCS, DOWNLOADS, VOID
from . import pages
from .negotiate import negotiate
from .responses import error, respond
from .state import ServedRelease


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
        return response


def assets() -> StaticFiles:
    """The stylesheet and the query editor's script, from the package."""
    return StaticFiles(packages=[("cnipa_kg.web", "assets")])


class Site:
    def __init__(self, release: ServedRelease) -> None:
        self.release = release

    def summary(self) -> dict:
        cached = self.release.cache.get(("summary",))
        if cached:
            return cached
        rows = self.release.select("""
            SELECT ?notice ?number ?title ?date ?issuer ?level (COUNT(?d) AS ?n) WHERE {
              ?notice a ckg:Notice ; eli:id_local ?number ; eli:date_document ?date ; eli:passed_by/skos:prefLabel ?issuer ;
                      skos:prefLabel ?title .
              FILTER(lang(?title) = "zh" && lang(?issuer) = "zh")
              ?d ckg:designatedBy ?notice ; ckg:tier/skos:prefLabel ?level . FILTER(lang(?level) = "zh")
            } GROUP BY ?notice ?number ?title ?date ?issuer ?level ORDER BY ?number ?level""")
        notices: dict = {}
        for r in rows:
            n = notices.setdefault(r["notice"], {"iri": r["notice"], "number": r["number"], "title": r["title"],
                                                 "date": r["date"], "issuer": r["issuer"], "counts": []})
            n["counts"].append(f"{r['level']} {r['n']}")
        for n in notices.values():
            n["counts"] = "，".join(n["counts"])
        counts = self.release.select("""SELECT (COUNT(*) AS ?t) (SUM(IF(?p = ckg:designatedBy, 1, 0)) AS ?d)
                                        (SUM(IF(?p = ckg:divisionLevel, 1, 0)) AS ?v) WHERE { ?s ?p ?o }""")[0]
        summary = {"notices": list(notices.values()), "triples": int(counts["t"]), "designations": int(counts["d"]),
                   "divisions": int(counts["v"]), "files": [f for f in DOWNLOADS if (self.release.path / f).is_file()]}
        self.release.cache.put(("summary",), summary)
        return summary

    async def home(self, request: Request) -> Response:
        media = negotiate(request.headers.get("accept"), "page")
        if media and media != "text/html":
            return await self.void(request)
        html = pages.home_page(self.summary(), self.release.links(request))
        return respond(request, html.encode(), "text/html")

    async def void(self, request: Request) -> Response:
        path = self.release.path / VOID
        if not path.is_file():
            return error(404, "this release has no void.ttl")
        media = negotiate(request.headers.get("accept"), "graph") or "text/turtle"
        if media in ("text/turtle", "text/html"):
            return respond(request, path.read_bytes(), "text/turtle")
        key = ("void", media)
        body = self.release.cache.get(key)
        if body is None:
            import pyoxigraph as ox

            triples = ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE)
            body = ox.serialize(triples, format=graph_format(media))
            self.release.cache.put(key, body)
        return respond(request, body, media)

    def not_found(self, request: Request) -> Response:
        if negotiate(request.headers.get("accept"), "page") == "text/html":
            html = pages.not_found_page(request.url.path, self.release.links(request))
            return Response(html, status_code=404, media_type="text/html; charset=utf-8")
        return error(404, "not found")
