"""``cnipa-kg site``: the release's linked-data site as files, for any static host or CDN.

Every resource minted under the release's base gets ``{path}.html`` (the page the server shows),
``{path}.ttl``, ``{path}.jsonld`` and ``{path}.nt`` (its description); the site has the home page
(``index.html``), the search page and its index (``search-index.json``), the ontology
documentation (``def.html``), the VoID description (``.well-known/void``), the downloads
(``dist/``), the packaged assets (``assets/``: style, scripts, map) and the configuration for
content negotiation (``.htaccess`` with a type map ``PATH.var`` per resource, ``nginx.conf`` with
``cnipa-kg-negotiate.js``, the 404 answers: :mod:`.hosting`). Links are relative, so the site works at
any path of a host and from the file system (the configurations assume the root of a host).

Deterministic (the same release gives byte-identical files: the status of designations is shown
on the date of the newest document, and the browser updates it to today) and atomic (written
beside ``--out`` and swapped in whole, like the release; files of the user's in a site folder,
e.g. a ``CNAME``, are kept; a folder that is not a site is refused).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from ..core.errors import BadOption, InputError
from ..core.release_files import DOCS, DOWNLOADS, VOID
from ..release.staging import Staging
from ..web import pages
from ..web.linked_data import LinkedData
from ..web.negotiate import SUFFIXES
from ..web.search import index_json
from ..web.site import home_view, summary
from ..web.state import ServedRelease
from . import hosting

#: assets of the server's query page only (a static site has no SPARQL endpoint to edit queries for)
SERVER_ONLY_ASSETS = frozenset({"query.js", "editor.js", "editor.js.LICENSE"})
MANIFEST = ".cnipa-kg-site"  #: the list of the files a site consists of (what a rebuild may replace)
Progress = Callable[[str, int, int], None]


def site_files(out: Path) -> frozenset:
    """The files of the site in ``out`` (from its manifest); anything else there is the user's."""
    try:
        listed = (out / MANIFEST).read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset({MANIFEST})
    return frozenset([MANIFEST, *(line for line in listed if line and not line.startswith("#"))])


@dataclass(frozen=True)
class SiteResult:
    out: Path
    resources: int
    files: int
    on: str

    def summary(self) -> str:
        return (f"Wrote a static site of {self.resources:,} resources ({self.files:,} files) to {self.out}; "
                f"status shown on {self.on} (the browser updates it to today)")


def _resources(release: ServedRelease) -> list[str]:
    """Paths (below the base) of every resource with a description here; hash IRIs belong to their page."""
    found = set()
    for store in (release.store, release.void_store):
        for (s,) in store.query("SELECT DISTINCT ?s WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } "
                                "FILTER(isIRI(?s)) }"):
            iri = s.value
            if iri.startswith(release.base):
                path = iri[len(release.base):].partition("#")[0]
                if path and ".." not in path.split("/") and not path.endswith("/"):
                    found.add(path)
    return sorted(found)


def _status_date(release: ServedRelease) -> date:
    rows = release.select("SELECT (MAX(STR(?d)) AS ?last) WHERE { ?doc eli:date_document ?d }")
    last = rows[0]["last"] if rows else ""
    try:
        return date.fromisoformat(last)
    except ValueError:
        return date(1970, 1, 1)


def check_sparql_url(url: str) -> str:
    """An endpoint URL for every page's SPARQL link: absolute http(s) with a host, nothing that runs
    (``javascript:``) or breaks out of the attribute.

    :raises BadOption: anything else (the message says what is expected)
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(c in url for c in "\"'<> \t\r\n"):
        raise BadOption(f"--sparql {url!r}: expected an absolute http(s) URL, e.g. https://example.org/sparql")
    return url


def write_site(data: str | Path, out: str | Path, *, sparql: str | None = None,
               progress: Progress | None = None) -> SiteResult:
    """Write the static site of the release in ``data`` to ``out``.

    :param sparql: the URL of a SPARQL endpoint serving the same data, linked from every page
    :raises InputError: ``data`` is not a release, ``out`` is refused or cannot be written
    """
    data, out = Path(data), Path(out)
    if sparql is not None:
        check_sparql_url(sparql)
    if out.resolve() == data.resolve() or data.resolve() in out.resolve().parents:
        raise InputError(out, None, "is inside the release; write the site to a folder of its own, e.g. --out site")
    release = ServedRelease(data)
    linked = LinkedData(release, None)
    on = _status_date(release)
    paths = _resources(release)
    downloads = frozenset(f"dist/{n}" for n in (*DOWNLOADS, DOCS) if (data / n).is_file())

    def links_for(page: str) -> pages.Links:
        return pages.Links(release.base, page=page, sparql=sparql, pages=frozenset(paths), files=downloads)

    written: list[str] = []
    with Staging(out, owned=site_files, what="static site", sync_each=False) as staging:
        def put(name: str, body: bytes) -> None:
            staging.write(name, body)
            written.append(name)

        for i, path in enumerate(paths):
            iri = release.base + path
            triples = linked.describe(iri)
            if not triples:
                continue
            stem = posixpath.basename(path)
            links = links_for(f"{path}.html")
            alternates = {suffix[1:].upper(): stem + suffix for suffix in (".ttl", ".jsonld", ".nt")}
            put(f"{path}.html", linked.page(iri, triples, links, alternates=alternates, on=on).encode())
            for suffix, media in SUFFIXES.items():
                if suffix != ".html":
                    put(f"{path}{suffix}", linked.serialise(triples, media))
            put(f"{path}{hosting.TYPE_MAP}", hosting.type_map(stem).encode())
            if progress and (i % 50 == 0 or i == len(paths) - 1):
                progress("pages", i + 1, len(paths))
        home = links_for("index.html")
        put("index.html", pages.home_page(summary(release), home, **home_view(release, home, on)).encode())
        put("search.html", pages.search_page(links_for("search.html"), query="", hits=None).encode())
        put("search-index.json", index_json(release.search_index))
        if release.docs is not None and "def" not in paths:
            put("def.html", pages.docs_page(release.docs, links_for("def.html")).encode())
        for name in sorted(downloads):
            put(name, (data / name[len("dist/"):]).read_bytes())
        if (data / VOID).is_file():
            put(".well-known/void", (data / VOID).read_bytes())
        for asset in sorted(resources.files("cnipa_kg.web").joinpath("assets").iterdir(), key=lambda a: a.name):
            if asset.is_file() and asset.name not in SERVER_ONLY_ASSETS:
                put(f"assets/{asset.name}", asset.read_bytes())
        missing = pages.Links(release.base, page=hosting.NOT_FOUND_PAGE, sparql=sparql, pages=frozenset(paths),
                              files=downloads, root="/")  # shown at any depth of the host
        put(hosting.NOT_FOUND_PAGE, pages.not_found_page("", missing).encode())
        put(hosting.NOT_FOUND_TEXT, b"not found\n")
        put(hosting.NOT_FOUND_MAP, hosting.not_found_map().encode())
        put(hosting.NOT_ACCEPTABLE_TEXT, (hosting.NOT_ACCEPTABLE + "\n").encode())
        put(hosting.HTACCESS_FILE, hosting.htaccess().encode())
        put(hosting.NGINX_FILE, hosting.nginx_conf().encode())
        put(hosting.NJS_FILE, hosting.negotiate_js().encode())
        staging.write(MANIFEST, ("# the files of this cnipa-kg static site (others here are kept on a rebuild)\n"
                                 + "".join(f"{n}\n" for n in sorted(written))).encode())
        staging.commit()
    return SiteResult(out, len(paths), len(written) + 1, on.isoformat())
