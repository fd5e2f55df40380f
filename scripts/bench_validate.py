#!/usr/bin/env python3
"""Benchmark: `cnipa-kg validate` (pySHACL core shapes + QC queries on pyoxigraph) against plain
pySHACL running every rule (the same shapes, and each QC query on rdflib's SPARQL engine, which is
what pySHACL evaluates SHACL-SPARQL constraints with), side by side in one process, on 1 and 40
notices (the real one, then synthetic ones).

    python scripts/bench_validate.py [--sizes 1 40] [--out bench/validate.csv]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rdflib import Dataset, Graph, URIRef  # noqa: E402

from cnipa_kg.graph.assemble import graph_of  # noqa: E402
from cnipa_kg.pipeline import extract_all  # noqa: E402
from cnipa_kg.core.resources import qc_queries, shipped_notices  # noqa: E402
from cnipa_kg.check.shapes import shapes_graph  # noqa: E402
from cnipa_kg.check.validate import validate  # noqa: E402
from results import write_rows  # noqa: E402  scripts/results.py



def rdflib_dataset(graph: Graph) -> Dataset:
    """The data as the default graph and the code table as a named graph, for rdflib's engine."""
    from cnipa_kg.check.qc import code_table_ntriples
    from cnipa_kg.core.iris import CODE_TABLE_GRAPH

    ds = Dataset()
    ds.default_graph += graph
    ds.graph(URIRef(CODE_TABLE_GRAPH)).parse(data=code_table_ntriples().decode(), format="nt")
    return ds


def plain_pyshacl(graph: Graph, shapes: Graph) -> bool:
    """pySHACL alone: the shapes, and every QC rule on rdflib's SPARQL engine (the engine pySHACL
    runs SHACL-SPARQL constraints on)."""
    import pyshacl

    conforms, _, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    ds = rdflib_dataset(graph)
    for path in qc_queries().values():
        # (rdflib yields a row for the trailing BIND of an empty UNION: count rows with a focus)
        rows = [row for row in ds.query(path.read_text(encoding="utf-8")) if row.focus is not None]
        conforms = conforms and not rows
    return conforms


def corpus(n: int, tmp: Path) -> list[Path]:
    if n == 1:
        return shipped_notices()
    out = tmp / f"corpus-{n}"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "synth_corpus.py"), str(n), str(out)], check=True,
                   stdout=subprocess.DEVNULL)
    return sorted(out.glob("*.txt"))


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 40])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "validate.csv")
    args = parser.parse_args(argv)
    shapes = shapes_graph()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            graph = graph_of(extract_all(corpus(n, Path(tmp))))
            ours, report = timed(lambda: validate(graph))
            theirs, conforms = timed(lambda: plain_pyshacl(graph, shapes))
            assert report.conforms and conforms, "the benchmark graph must conform"
            rows.append({"notices": n, "triples": len(graph), "cnipa_kg_validate_s": round(ours, 2),
                         "pyshacl_all_rules_s": round(theirs, 2), "speedup": round(theirs / ours, 1)})
            print(f"{n:>5} notices {len(graph):>9,} triples   cnipa-kg validate {ours:8.2f} s   "
                  f"pySHACL (all rules) {theirs:8.2f} s   {theirs / ours:5.1f}x", flush=True)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(f"growth {first['notices']}→{last['notices']} notices: cnipa-kg ×{last['cnipa_kg_validate_s'] / first['cnipa_kg_validate_s']:.1f}, "
              f"pySHACL ×{last['pyshacl_all_rules_s'] / first['pyshacl_all_rules_s']:.1f} (triples ×{last['triples'] / first['triples']:.1f})")
    write_rows(args.out, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
