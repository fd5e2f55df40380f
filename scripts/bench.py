#!/usr/bin/env python3
"""Scaling benchmark: build, validate, named queries and serialisations on 1, 10, 100, 1,000 synthetic notices.

Each size runs in a fresh child process (so peak memory is per size), stage by stage, each next to the
obvious alternative in the same process: queries on pyoxigraph vs rdflib's SPARQL engine on the same
release; `validate` vs pySHACL alone running every rule (scripts/bench_validate.py); the release's
N-Triples and Turtle (rdflib, sorted) vs pyoxigraph's writers. Writes bench/results.csv and bench/scaling.png (log-log, one line per stage) and prints a table.

    python scripts/bench.py [--sizes 1 10 100 1000] [--alternatives-up-to 100]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ("designations-by-province", "pilot-cities", "provinces-without-designation")


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(n: int, corpus: Path, alternatives: bool) -> list[dict]:
    """Run every stage on ``corpus`` in this process; one row per stage."""
    sys.path.insert(0, str(ROOT / "src"))
    import pyoxigraph as ox

    from cnipa_kg.build import extract_all, graph_of
    from cnipa_kg.release import render
    from cnipa_kg.resources import named_queries
    from cnipa_kg.store import with_prefixes
    from cnipa_kg.validate import validate

    rows = []

    def stage(name: str, fn, *, triples: int | None = None):
        start = time.perf_counter()
        value = fn()
        rows.append({"notices": n, "stage": name, "seconds": round(time.perf_counter() - start, 3),
                     "peak_rss_mib": round(rss_mib(), 1), "triples": triples if triples is not None else ""})
        return value

    sources = sorted(corpus.glob("*.txt"))
    notices = stage("extract", lambda: extract_all(sources))
    graph = stage("mint + enrich", lambda: graph_of(notices))
    size = len(graph)
    for row in rows:
        row["triples"] = size
    report = stage("validate (cnipa-kg)", lambda: validate(graph), triples=size)
    assert report.conforms, report.text[:2000]
    from cnipa_kg.panel import to_panel_csv
    from cnipa_kg.release import WRITERS

    files = {}
    for name, writer in WRITERS.items():
        files[name] = stage(f"write {name}", lambda writer=writer: writer(graph), triples=size)
    stage("write city-year-panel.csv", lambda: to_panel_csv(graph), triples=size)
    stage("write all files (render)", lambda: render(graph, notices, base="https://w3id.org/cnipa-kg/"), triples=size)
    nt = files["cnipa-kg.nt"]
    store = ox.Store()
    stage("load pyoxigraph", lambda: store.bulk_load(nt, format=ox.RdfFormat.N_TRIPLES), triples=size)
    texts = {name: with_prefixes(path.read_text(encoding="utf-8")) for name, path in named_queries().items() if name in QUERIES}
    stage("named queries (pyoxigraph)", lambda: [list(store.query(t)) for t in texts.values()], triples=size)
    stage("N-Triples (pyoxigraph)", lambda: store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()), triples=size)
    stage("Turtle (pyoxigraph)", lambda: store.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph()), triples=size)
    if alternatives:
        sys.path.insert(0, str(ROOT / "scripts"))
        from bench_validate import plain_pyshacl

        from cnipa_kg.validate import shapes_graph

        stage("named queries (rdflib)", lambda: [list(graph.query(t)) for t in texts.values()], triples=size)
        stage("validate (pySHACL alone)", lambda: plain_pyshacl(graph, shapes_graph()), triples=size)
    return rows


def plot(rows: list[dict], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot (pip install matplotlib; `make bench` does it)")
        return
    stages = sorted({r["stage"] for r in rows})
    fig, ax = plt.subplots(figsize=(9, 6))
    styles = ("-", "--", ":")
    for i, name in enumerate(stages):
        points = sorted((r["notices"], r["seconds"]) for r in rows if r["stage"] == name and r["seconds"] > 0)
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="os^"[i // 10 % 3],
                    linestyle=styles[i // 10 % 3], label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("notices (≈110 designations each)")
    ax.set_ylabel("seconds")
    ax.set_title("cnipa-kg scaling (2 cores)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100, 1000])
    parser.add_argument("--alternatives-up-to", type=int, default=100,
                        help="run the slow alternatives (rdflib queries, pySHACL alone) only up to this many notices")
    parser.add_argument("--out", type=Path, default=ROOT / "bench")
    parser.add_argument("--child", nargs=3, metavar=("N", "CORPUS", "ALTERNATIVES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        n, corpus, alternatives = args.child
        print(json.dumps(child(int(n), Path(corpus), alternatives == "1")))
        return 0
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            corpus = Path(tmp) / f"corpus-{n}"
            subprocess.run([sys.executable, str(ROOT / "scripts" / "synth_corpus.py"), str(n), str(corpus)],
                           check=True, stdout=subprocess.DEVNULL)
            alternatives = "1" if n <= args.alternatives_up_to else "0"
            start = time.perf_counter()
            out = subprocess.run([sys.executable, __file__, "--child", str(n), str(corpus), alternatives],
                                 check=True, capture_output=True, text=True).stdout
            size_rows = json.loads(out.strip().splitlines()[-1])
            rows.extend(size_rows)
            print(f"{n:>5} notices: {size_rows[0]['triples']:>10,} triples, {time.perf_counter() - start:7.1f} s, "
                  f"peak {max(r['peak_rss_mib'] for r in size_rows):,.0f} MiB", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "results.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["notices", "stage", "seconds", "peak_rss_mib", "triples"])
        writer.writeheader()
        writer.writerows(rows)
    stages = list(dict.fromkeys(r["stage"] for r in rows))
    sizes = sorted({r["notices"] for r in rows})
    print()
    print(f"{'stage':<28}" + "".join(f"{n:>10}" for n in sizes))
    for name in stages:
        cells = {r["notices"]: r["seconds"] for r in rows if r["stage"] == name}
        print(f"{name:<28}" + "".join(f"{cells[n]:>10.2f}" if n in cells else f"{'':>10}" for n in sizes))
    print(f"{'peak RSS (MiB)':<28}" + "".join(f"{max(r['peak_rss_mib'] for r in rows if r['notices'] == n):>10,.0f}" for n in sizes))
    print(f"wrote {args.out / 'results.csv'}")
    plot(rows, args.out / "scaling.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
