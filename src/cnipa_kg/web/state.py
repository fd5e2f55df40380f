"""The release as the app serves it: loaded once into a read-only pyoxigraph store (for the pages
and linked-data lookups: fixed, bounded queries), with its base IRI and the named queries."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request

from ..core import iris
from ..core.errors import CnipaKgError
from ..core.resources import named_queries, query_header
from ..core.sparql import with_prefixes
from ..query.params import bind
from ..query.release import check_release, release_base
from .cache import LRU
from .pages import Links


def _with_defaults(text: str) -> str:
    """A named query for the editor: its parameters bound to their defaults (the text as it is when a
    parameter is required: the user fills it in)."""
    try:
        return bind(text, {})
    except CnipaKgError:
        return text


class ServedRelease:
    def __init__(self, release: Path) -> None:
        self.path = release
        self.base = release_base(release)
        self.graph_name = str(iris.dataset_iri(self.base))
        self.data_file, self.store = check_release(release, graph_name=self.graph_name)
        self.cache = LRU()
        self.named = {name: (query_header(p).get("title", ""), _with_defaults(p.read_text(encoding="utf-8")))
                      for name, p in named_queries().items()}

    def links(self, request: Request) -> Links:
        return Links(self.base, request.scope.get("root_path", ""))

    def select(self, query: str) -> list[dict[str, str]]:
        """Rows of a SELECT over every graph (the app's own queries, never a user's)."""
        import pyoxigraph as ox

        result = self.store.query(with_prefixes(query), use_default_graph_as_union=True)
        names = [v.value for v in result.variables]
        return [{n: (s[n].value if s[n] is not None else "") for n in names} for s in result
                if isinstance(result, ox.QuerySolutions)]
