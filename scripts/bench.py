#!/usr/bin/env python3
"""Scaling benchmark: build + validate, named queries and serialisations on 1, 10, 100, 1,000 synthetic notices.

Each size runs in a fresh child process. The build runs as `cnipa-kg build` does, timed stage by stage
(extract; mint + enrich + shapes, part by part in worker processes; QC queries; each file). Memory is the
peak of the whole process tree (the build and its workers), as the sum of their proportional set sizes
(PSS, shared pages counted once), sampled every 0.1 s; also the build process's own peak RSS.
Next to each stage, in the same process, the obvious alternative: the named queries on pyoxigraph vs
rdflib's SPARQL engine on the same release; validate vs pySHACL alone running every rule on one rdflib
graph (scripts/bench_validate.py); the release's Turtle and JSON-LD vs rdflib's writers on one rdflib
graph of the whole release. Writes bench/results.csv and bench/scaling.png (log-log, one line per
stage) and prints a table.

    python scripts/bench.py [--sizes 1 10 100 1000] [--alternatives-up-to 100]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from results import write_rows

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ("designations-by-province", "pilot-cities", "provinces-without-designation")


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return pids


def tree_pss_mib(pid: int) -> float:
    """Proportional set size of a process and all its descendants (Linux), in MiB."""
    total = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration):
            continue
    return total / 1024


class PeakMemory:
    """Samples :func:`tree_pss_mib` of this process in a thread; ``peak`` since the last ``reset``."""

    def __init__(self, every: float = 0.1) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            self.peak = max(self.peak, tree_pss_mib(os.getpid()))

    def reset(self) -> None:
        self.peak = tree_pss_mib(os.getpid())

    def stop(self) -> None:
        self._stop.set()


def child(n: int, corpus: Path, alternatives: bool) -> list[dict]:
    """Run every stage on ``corpus`` in this process; one row per stage."""
    sys.path.insert(0, str(ROOT / "src"))
    import pyoxigraph as ox

    from cnipa_kg.pipeline import build
    from cnipa_kg.core.resources import named_queries
    from cnipa_kg.core.sparql import with_prefixes

    rows = []
    memory = PeakMemory()

    @contextmanager
    def timer(name: str, triples: int | None = None):
        memory.reset()
        start = time.perf_counter()
        yield
        rows.append({"notices": n, "stage": name, "seconds": round(time.perf_counter() - start, 3),
                     "peak_pss_mib": round(max(memory.peak, tree_pss_mib(os.getpid())), 1),
                     "peak_rss_mib": round(rss_mib(), 1), "triples": triples or ""})

    def stage(name: str, fn):
        with timer(name):
            return fn()

    sources = sorted(corpus.glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "dist"
        with timer("build + validate (all)"):
            result = build(sources, out=out, base="https://w3id.org/cnipa-kg/", timer=timer)
        # the total's peak is the peak of its stages
        rows[-1]["peak_pss_mib"] = max(r["peak_pss_mib"] for r in rows)
        size = result.triples
        nt = (out / "cnipa-kg.nt").read_bytes()
        store = ox.Store()
        stage("load pyoxigraph", lambda: store.bulk_load(nt, format=ox.RdfFormat.N_TRIPLES))
        texts = {name: with_prefixes(path.read_text(encoding="utf-8")) for name, path in named_queries().items() if name in QUERIES}
        stage("named queries (pyoxigraph)", lambda: [list(store.query(t)) for t in texts.values()])
        if alternatives:
            sys.path.insert(0, str(ROOT / "scripts"))
            from bench_validate import plain_pyshacl
            from rdflib import Graph

            from cnipa_kg.release.jsonld import jsonld_context
            from cnipa_kg.check.shapes import shapes_graph

            graph = stage("load rdflib", lambda: Graph().parse(data=nt.decode("utf-8"), format="nt"))
            stage("named queries (rdflib)", lambda: [list(graph.query(t)) for t in texts.values()])
            stage("Turtle (rdflib, whole graph)", lambda: graph.serialize(format="turtle", encoding="utf-8"))
            stage("JSON-LD (rdflib, whole graph)", lambda: graph.serialize(format="json-ld", context=jsonld_context(),
                                                                            auto_compact=True, encoding="utf-8"))
            stage("validate (pySHACL alone)", lambda: plain_pyshacl(graph, shapes_graph()))
    memory.stop()
    for row in rows:
        row["triples"] = size
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
    fig, ax = plt.subplots(figsize=(12, 6))
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
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path}")


def median_seconds(cmd: list[str], runs: int = 21) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return sorted(times)[runs // 2]


def help_ratio(out: Path) -> None:
    """`cnipa-kg --help` against a bare `python -c pass` (median of 21 runs each): the target is ≤ 6×."""
    bare = median_seconds([sys.executable, "-c", "pass"])
    cli = median_seconds([sys.executable, "-m", "cnipa_kg.cli", "--help"])
    print(f"cnipa-kg --help: {cli * 1000:.0f} ms, python -c pass: {bare * 1000:.0f} ms, ratio {cli / bare:.1f}× (target ≤ 6×)")
    with (out / "help.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["command", "median_seconds"], ["python -c pass", round(bare, 4)],
                                 ["cnipa-kg --help", round(cli, 4)], ["ratio", round(cli / bare, 2)]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100, 1000])
    parser.add_argument("--alternatives-up-to", type=int, default=100,
                        help="run the slow alternatives (rdflib queries, pySHACL alone) only up to this many notices")
    parser.add_argument("--out", type=Path, default=ROOT / "bench")
    parser.add_argument("--replot", action="store_true", help="only redraw scaling.png from results.csv")
    parser.add_argument("--child", nargs=3, metavar=("N", "CORPUS", "ALTERNATIVES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.replot:
        with (args.out / "results.csv").open(encoding="utf-8") as f:
            rows = [{**r, "notices": int(r["notices"]), "seconds": float(r["seconds"])} for r in csv.DictReader(f)]
        plot(rows, args.out / "scaling.png")
        return 0
    if args.child:
        n, corpus, alternatives = args.child
        print(json.dumps(child(int(n), Path(corpus), alternatives == "1")))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    help_ratio(args.out)
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
            total = next(r for r in size_rows if r["stage"] == "build + validate (all)")
            print(f"{n:>5} notices: {size_rows[0]['triples']:>10,} triples, build + validate {total['seconds']:7.1f} s, "
                  f"peak {total['peak_pss_mib']:,.0f} MiB (PSS of the build and its workers); "
                  f"{time.perf_counter() - start:7.1f} s with the alternatives", flush=True)
    write_rows(args.out / "results.csv", rows, ["notices", "stage", "seconds", "peak_pss_mib", "peak_rss_mib", "triples"])
    stages = list(dict.fromkeys(r["stage"] for r in rows))
    sizes = sorted({r["notices"] for r in rows})
    print()
    print(f"{'seconds':<34}" + "".join(f"{n:>10}" for n in sizes))
    for name in stages:
        cells = {r["notices"]: r["seconds"] for r in rows if r["stage"] == name}
        print(f"{name:<34}" + "".join(f"{cells[n]:>10.2f}" if n in cells else f"{'':>10}" for n in sizes))
    print(f"{'peak PSS, build + workers (MiB)':<34}" + "".join(
        f"{next(r['peak_pss_mib'] for r in rows if r['notices'] == n and r['stage'] == 'build + validate (all)'):>10,.0f}" for n in sizes))
    print(f"{'peak RSS, whole run (MiB)':<34}" + "".join(f"{max(r['peak_rss_mib'] for r in rows if r['notices'] == n):>10,.0f}" for n in sizes))
    print(f"wrote {args.out / 'results.csv'}")
    plot(rows, args.out / "scaling.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
