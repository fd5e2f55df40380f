"""QC queries (``queries/qc/*-violation.rq``) on pyoxigraph: each row is a violation.

They check what needs counting or comparing across nodes (serials 1..N per annex, N = the
declared count, a division designated twice by one notice …). Each selects ``?focus`` and
optionally ``?path``, ``?value`` and ``?message``. The data is the store's default graph; the
ministry's code table is the named graph :data:`~cnipa_kg.core.iris.CODE_TABLE_GRAPH`.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from ..core.iris import CODE_TABLE_GRAPH, code_table_iri
from ..core.labels import store_label
from ..core.ntriples import graph_lines, load_lines
from ..core.resources import qc_queries, query_header
from ..core.sparql import run
from ..core.vocab import CKG, DIVISION_LEVEL_CONCEPT, curie
from ..reference import history
from ..reference.divisions import code_table
from .report import Result


def code_table_ntriples() -> bytes:
    """The ministry's code table and every code of the division history (a division as it was is no error)
    as triples ``<…/code-table/{code}> ckg:adcode "…" ; ckg:divisionLevel …``."""
    levels = {code: d.level for code, d in code_table().by_code.items()}
    for span in history.spans():
        levels.setdefault(span.code, span.level)
    lines = []
    for code, level in sorted(levels.items()):
        node = f"<{code_table_iri(code)}>"
        lines.append(f'{node} <{CKG.adcode}> "{code}" .')
        lines.append(f"{node} <{CKG.divisionLevel}> <{DIVISION_LEVEL_CONCEPT[level]}> .")
    return ("\n".join(lines) + "\n").encode()


def _term_text(term) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    return curie(URIRef(term.value)) if isinstance(term, ox.NamedNode) else term.value


def run_qc(graph: Graph | None = None, *, store=None) -> list[Result]:
    """Run every QC query; give ``graph`` (copied into a new store) or ``store`` (used as it is;
    the code table graph is removed again afterwards)."""
    import pyoxigraph as ox

    if store is None:
        store = load_lines(graph_lines(graph))
    table = ox.NamedNode(CODE_TABLE_GRAPH)
    store.bulk_load(code_table_ntriples(), format=ox.RdfFormat.N_TRIPLES, to_graph=table)
    try:
        return _qc_rows(store)
    finally:
        store.remove_graph(table)


def _qc_rows(store) -> list[Result]:
    results = []
    for name, path in qc_queries().items():
        description = query_header(path).get("description") or name
        solutions = run(store, path.read_text(encoding="utf-8"))
        variables = {v.value for v in solutions.variables}
        for row in solutions:
            cell = {var: (row[var] if var in variables else None) for var in ("focus", "path", "value", "message")}
            focus = cell["focus"].value if cell["focus"] is not None else ""
            results.append(Result(
                rule=name, focus=focus, path=_term_text(cell["path"]), value=_term_text(cell["value"]),
                message=_term_text(cell["message"]) or description,
                focus_label=store_label(store, focus, "zh") if focus.startswith(("http:", "https:")) else "", kind="qc",
            ))
    return results
