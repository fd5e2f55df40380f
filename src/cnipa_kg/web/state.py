"""The release as the app serves it: loaded once into a read-only pyoxigraph store (for the pages
and linked-data lookups: fixed, bounded queries), with its base IRI and the named queries."""

from __future__ import annotations

import logging
from datetime import date
from functools import cached_property
from pathlib import Path

from starlette.requests import Request

from ..core import iris
from ..core.errors import CnipaKgError
from ..core.release_files import DOCS, VOID
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
        #: name -> (title, text as written), read once
        self._named_texts = {name: (query_header(p).get("title", ""), p.read_text(encoding="utf-8"))
                             for name, p in named_queries().items()}
        self._named: tuple[date, dict[str, tuple[str, str]]] | None = None

    @property
    def named(self) -> dict[str, tuple[str, str]]:
        """The named queries for the editor, name -> (title, text with its parameters' defaults bound),
        bound again when the day changes (a date's default ``today`` is the day of the request)."""
        today = date.today()
        if self._named is None or self._named[0] != today:
            self._named = (today, {name: (title, _with_defaults(text)) for name, (title, text) in self._named_texts.items()})
        return self._named[1]

    def links(self, request: Request) -> Links:
        return Links(self.base, request.scope.get("root_path", ""))

    @cached_property
    def void_store(self):
        """The release's VoID description (``void.ttl``) in a store of its own: the dataset, its
        partitions and distributions and its publisher dereference from it."""
        import pyoxigraph as ox

        store = ox.Store()
        path = self.path / VOID
        try:
            if path.is_file():
                store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        except (OSError, SyntaxError, ValueError) as exc:  # a damaged void.ttl: the data is still served
            logging.getLogger("cnipa_kg.web").warning("%s cannot be read (%s): /dataset is not described", path, exc)
            return ox.Store()
        return store

    @cached_property
    def docs(self) -> str | None:
        """The ontology documentation of the release (``docs/index.html``): the page of ``/def``."""
        path = self.path / DOCS
        return path.read_bytes().decode("utf-8") if path.is_file() else None

    @cached_property
    def terms(self) -> list[list[str]]:
        """The classes, properties and ontology terms the query editor completes (:mod:`.terms`)."""
        from .terms import completion_terms

        return completion_terms(self.select)

    @cached_property
    def search_index(self) -> list[list[str]]:
        from .search import build_index

        return build_index(self.select, self.base)

    def select(self, query: str, *, store=None) -> list[dict[str, str]]:
        """Rows of a SELECT over every graph of the data (or of ``store``, e.g. :attr:`void_store`): the
        app's own queries, never a user's."""
        import pyoxigraph as ox

        result = (store or self.store).query(with_prefixes(query), use_default_graph_as_union=True)
        names = [v.value for v in result.variables]
        return [{n: (s[n].value if s[n] is not None else "") for n in names} for s in result
                if isinstance(result, ox.QuerySolutions)]
