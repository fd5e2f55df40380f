#!/usr/bin/env python3
"""Benchmark: requests/s of `cnipa-kg serve`, `oxigraph serve` and `rdflib-endpoint` on the same release,
measured with wrk (8 connections) side by side in one run, for a one-IRI lookup and a GROUP BY per province.

Needs `wrk` (apt), the `oxigraph` command (pip install oxigraph) and `rdflib-endpoint` (pip); `make bench`
installs them. Only 127.0.0.1 is contacted.

    python scripts/bench_endpoint.py [--release dist] [--duration 10] [--out bench/endpoint.csv]
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "src"))

from cnipa_kg.core.vocab import sparql_prefixes  # noqa: E402

LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/cnipa-kg/division/110108> ?p ?o }"
GROUP_BY = (ROOT / "queries" / "designations-by-province.rq").read_text(encoding="utf-8")
ACCEPT = "application/sparql-results+json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except Exception:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": ACCEPT})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def wrk(url: str, duration: int) -> float:
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{duration}s", "-H", f"Accept: {ACCEPT}", url],
                         capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw errors for {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, default=ROOT / "dist")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "endpoint.csv")
    args = parser.parse_args(argv)
    for tool in ("wrk",):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (apt-get install {tool}; `make bench` does it)")
    data = args.release / "cnipa-kg.nt"
    if not data.is_file():
        sys.exit(f"no release at {args.release}: run `cnipa-kg build --out {args.release}` first")
    queries = {"one-IRI lookup": sparql_prefixes() + LOOKUP, "GROUP BY per province": sparql_prefixes() + GROUP_BY}
    processes = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            ports = {name: free_port() for name in ("cnipa-kg", "oxigraph", "rdflib-endpoint")}
            processes.append(subprocess.Popen(
                [str(BIN / "cnipa-kg"), "serve", "--data", str(args.release), "--port", str(ports["cnipa-kg"]), "--workers", "1", "--http-workers", "2"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            location = Path(tmp) / "oxigraph"
            subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(data)],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            processes.append(subprocess.Popen(
                [str(BIN / "oxigraph"), "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{ports['oxigraph']}"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            processes.append(subprocess.Popen(
                [str(BIN / "rdflib-endpoint"), "serve", str(data), "--host", "127.0.0.1", "--port", str(ports["rdflib-endpoint"])],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            endpoints = {
                "cnipa-kg": f"http://127.0.0.1:{ports['cnipa-kg']}/sparql",
                "oxigraph": f"http://127.0.0.1:{ports['oxigraph']}/query",
                "rdflib-endpoint": f"http://127.0.0.1:{ports['rdflib-endpoint']}/",
            }
            for url in endpoints.values():
                wait_until_up(url + "?query=" + urllib.parse.quote("ASK {}"))
            rows = []
            for label, query in queries.items():
                answers = {}
                result = {"workload": label}
                for name, endpoint in endpoints.items():
                    url = endpoint + "?query=" + urllib.parse.quote(query)
                    answers[name] = get(url)  # warm up, and check every server answers
                    result[name] = wrk(url, args.duration)
                    print(f"{label:<22} {name:<16} {result[name]:>10,.0f} req/s", flush=True)
                result["vs_oxigraph"] = round(result["cnipa-kg"] / result["oxigraph"], 2)
                result["vs_rdflib_endpoint"] = round(result["cnipa-kg"] / result["rdflib-endpoint"], 1)
                rows.append(result)
        finally:
            for p in processes:
                p.terminate()
            for p in processes:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
    print()
    print(f"{'workload':<22} {'cnipa-kg':>10} {'oxigraph':>10} {'rdflib-ep':>10} {'÷ oxigraph':>11} {'÷ rdflib-ep':>12}")
    for r in rows:
        print(f"{r['workload']:<22} {r['cnipa-kg']:>10,.0f} {r['oxigraph']:>10,.0f} {r['rdflib-endpoint']:>10,.0f} "
              f"{r['vs_oxigraph']:>10.2f}× {r['vs_rdflib_endpoint']:>11.1f}×")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
