"""One query, evaluated in a query worker: refused if it uses ``SERVICE`` (:mod:`.guard`), run on
the dataset the request and the query name, serialised in the first acceptable format, and cut
off with a clear error when the answer grows past its byte limit.
"""

from __future__ import annotations

from typing import NamedTuple

from ..core.formats import GRAPH_MEDIA, SOLUTION_MEDIA, graph_format, solutions_format
from ..core.sparql import shift_position
from .guard import has_dataset_clause, looks_like_update, refusal

TEXT = "text/plain; charset=utf-8"


class Job(NamedTuple):
    query: str
    accept: tuple[str, ...]  #: media types, preferred first; the first that fits the result is used
    default_graphs: tuple[str, ...] = ()  #: ``default-graph-uri`` (none: the union of every graph)
    named_graphs: tuple[str, ...] = ()  #: ``named-graph-uri``
    base_iri: str | None = None  #: relative IRIs in the query resolve against it (the endpoint's IRI)
    prefixes: tuple[tuple[str, str], ...] = ()  #: predeclared prefixes (name, IRI)
    max_bytes: int = 64 << 20  #: the largest answer


class Answer(NamedTuple):
    status: int  #: 200, or 400 (bad query), 403 (refused), 406 (no acceptable format), 422 (too large), 500
    media_type: str
    body: bytes
    kind: str = ""  #: "solutions", "boolean" or "graph"


class TooLarge(Exception):
    pass


class _Bounded:
    """A writer that keeps what pyoxigraph serialises and stops it past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit, self.size, self.parts = limit, 0, []

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge()
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def _serialise(result, fmt, limit: int) -> bytes:
    out = _Bounded(limit)
    result.serialize(out, fmt)
    return b"".join(out.parts)


def evaluate(store, job: Job) -> Answer:
    """Run ``job`` on ``store`` (its data in named graphs) and serialise the answer."""
    import pyoxigraph as ox

    options: dict = {"prefixes": dict(job.prefixes), "base_iri": job.base_iri}
    try:
        if (refused := refusal(job.query, **options)) is not None:
            return Answer(refused[0], TEXT, shift_position(refused[1], 0).encode())
        if job.default_graphs or job.named_graphs:  # the request's dataset wins over the query's FROM
            options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
            options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
        elif not has_dataset_clause(job.query, **options):
            options["use_default_graph_as_union"] = True
        result = store.query(job.query, **options)
    except SyntaxError as exc:
        hint = " (an update? this endpoint answers queries only)" if looks_like_update(job.query) else ""
        return Answer(400, TEXT, f"malformed query: {shift_position(str(exc), 0)}{hint}".encode())
    except ValueError as exc:
        return Answer(400, TEXT, f"bad request: {exc}".encode())
    try:
        return _answer(result, job)
    except TooLarge:
        return Answer(422, TEXT, (f"the answer is over {job.max_bytes:,} bytes, the limit of this endpoint: "
                                  "ask for less (LIMIT, fewer variables) or download the release files").encode())


def _answer(result, job: Job) -> Answer:
    import pyoxigraph as ox

    if isinstance(result, ox.QueryTriples):
        media = next((m for m in job.accept if m in GRAPH_MEDIA), None)
        if media is None:
            return Answer(406, TEXT, b"no acceptable format for a graph result", "graph")
        return Answer(200, media, _serialise(result, graph_format(media), job.max_bytes), "graph")
    kind = "boolean" if isinstance(result, ox.QueryBoolean) else "solutions"
    media = next((m for m in job.accept if m in SOLUTION_MEDIA), None)
    if media is None:
        return Answer(406, TEXT, b"no acceptable format for a SELECT/ASK result", kind)
    if kind == "boolean" and SOLUTION_MEDIA[media] in ("CSV", "TSV"):
        return Answer(200, media, b"true\n" if bool(result) else b"false\n", kind)
    return Answer(200, media, _serialise(result, solutions_format(media), job.max_bytes), kind)
