"""RDF files of the release: Turtle (pyoxigraph's streaming writer), sorted N-Triples, and one
graph written to a file atomically (the reasoner's output), which replaces a regular file only.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from rdflib import Graph

from ..core.errors import CnipaKgError, InputError
from ..core.vocab import PREFIXES
from ..graph.assemble import of_graph
from .jsonld import to_jsonld
from .staging import kind_of


def to_turtle(graph: Graph) -> bytes:
    """Turtle of a small rdflib graph (void.ttl, the reasoner's output)."""
    return graph.serialize(format="turtle", encoding="utf-8")


def release_turtle(ntriples: Path) -> bytes:
    """The release's Turtle, by pyoxigraph's streaming writer from the sorted N-Triples file: a
    subject's triples are together, subjects in N-Triples order; vocabulary IRIs with prefixes,
    data IRIs in full."""
    import pyoxigraph as ox

    prefixes = {p: str(ns) for p, ns in sorted(PREFIXES.items())}
    text = ox.serialize(ox.parse(path=ntriples, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.TURTLE,
                        prefixes=prefixes)
    # the writer orders its prefix lines as it likes: put them in a fixed order
    at = 0
    while text.startswith(b"@prefix ", at):
        at = text.index(b"\n", at) + 1
    return b"".join(sorted(text[:at].splitlines(keepends=True))) + text[at:]


def to_ntriples(graph: Graph) -> bytes:
    """Sorted, unique N-Triples of an rdflib graph."""
    return of_graph(graph).ntriples


def check_file_out(path: str | Path) -> None:
    """Refuse an output file that :func:`write_graph_file` must not replace: anything at ``path`` but a
    regular file (a symbolic link, not followed, a FIFO, a device, a socket, a directory). A new path
    is fine.

    :raises InputError: ``path`` is not a regular file (one line: the path and what it is)
    :raises CnipaKgError: ``path`` cannot be looked at (the system's reason)
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise CnipaKgError(f"{path}: cannot write: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        raise InputError(path, None, f"is {kind_of(mode)}, not a regular file; refusing to replace it: "
                                     "give a new path or a regular file")


def write_graph_file(graph: Graph, path: str | Path) -> Path:
    """Write one graph file atomically, format by suffix (.nt, .jsonld, else Turtle), with the mode
    a new file gets (0666 less the umask). ``path`` must be new or a regular file (checked before the
    graph is serialised and again just before the rename: :func:`check_file_out`); nothing else is
    ever replaced, opened or followed.

    :raises InputError: ``path`` is a symbolic link, a FIFO, a device, a socket or a directory
    :raises CnipaKgError: the file cannot be written (one line: the path and the system's reason)
    """
    path = Path(path)
    check_file_out(path)
    writer = {".nt": to_ntriples, ".jsonld": to_jsonld}.get(path.suffix.lower(), to_turtle)
    data = writer(graph)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o666 & ~_umask())  # mkstemp makes it 0600
            f.write(data)
        check_file_out(path)  # again: it may have been replaced while the graph was written
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise CnipaKgError(f"{path}: cannot write: {exc.strerror or exc}") from None
        raise
    return path


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it
    os.umask(mask)
    return mask
