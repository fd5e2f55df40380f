#!/usr/bin/env python3
"""Benchmark: requests/s and CPU per request of `cnipa-kg serve` against `oxigraph serve` (in memory),
`oxigraph serve-read-only` (on disk, RocksDB) and `rdflib-endpoint`, on the same release, side by side in
one run, with wrk (2 threads, 8 connections).

Workloads:
  unique lookups     every request a new query: a one-IRI lookup cycling through every division
  unique GROUP BY    every request a new query: designations per province with a changing FILTER
  cached lookup      the same lookup repeated (what a response cache answers)
  crawl (cnipa-kg)   every minted IRI dereferenced once as HTML and once as Turtle (8 at a time)

Prints req/s, the ratio to each peer and the CPU µs per request (server processes and their children,
from /proc), and writes bench/endpoint.csv. Needs `wrk` (apt), `oxigraph` and `rdflib-endpoint` (pip);
`make bench` installs them. Only 127.0.0.1 is contacted.

    python scripts/bench_endpoint.py [--release dist] [--duration 8] [--out bench/endpoint.csv]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import http.client
import os
import platform
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
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "src"))

from cnipa_kg.core.vocab import sparql_prefixes  # noqa: E402
from results import write_rows  # noqa: E402  scripts/results.py

ACCEPT = "application/sparql-results+json"
LOOKUP = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"
GROUP_BY = ("SELECT ?province (COUNT(?d) AS ?n) WHERE {{ ?d ckg:designee/ckg:province/skos:prefLabel ?province "
            "FILTER(lang(?province) = \"zh\") FILTER(?d != <urn:x:{k}>) }} GROUP BY ?province ORDER BY DESC(?n)")
SERVERS = ("cnipa-kg", "oxigraph (memory)", "oxigraph (disk)", "rdflib-endpoint")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its descendants, so far (children that ended are not counted)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, tree, found = 0.0, {pid}, True
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                stats[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
            except (OSError, IndexError, ValueError):
                continue
    while found:
        found = False
        for p, (ppid, _) in stats.items():
            if ppid in tree and p not in tree:
                tree.add(p)
                found = True
    for p in tree:
        if p in stats:
            total += stats[p][1] / tick
    return total


LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Accept"] = "%s"})
end
"""


def wrk(host: str, paths: list[str], duration: int, work: Path) -> tuple[float, int]:
    """(req/s, requests) of wrk cycling through ``paths`` on ``host``."""
    listing = work / f"paths-{len(paths)}-{abs(hash(paths[0])) % 10**8}.txt"
    listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
    script = work / "cycle.lua"
    script.write_text(LUA % (listing, ACCEPT), encoding="utf-8")
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{duration}s", "-s", str(script), host],
                         capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw errors on {host}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), int(re.search(r"(\d+) requests in", out).group(1))


def crawl(host: str, paths: list[str], accept: str) -> tuple[float, int]:
    """Each path once, 8 at a time on keep-alive connections: (req/s, requests)."""
    hostname, port = host.removeprefix("http://").split(":")

    def fetch(chunk: list[str]) -> int:
        conn = http.client.HTTPConnection(hostname, int(port), timeout=60)
        for path in chunk:
            conn.request("GET", path, headers={"Accept": accept})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
        conn.close()
        return len(chunk)

    start = time.perf_counter()
    with cf.ThreadPoolExecutor(8) as pool:
        done = sum(pool.map(fetch, [paths[i::8] for i in range(8)]))
    return done / (time.perf_counter() - start), done


def minted_paths(release: Path) -> list[str]:
    base = "https://w3id.org/cnipa-kg/"
    text = (release / "cnipa-kg.nt").read_text(encoding="utf-8")
    iris = sorted({m for m in re.findall(r"^<(" + re.escape(base) + r"[^>#]+)>", text, re.M)})
    return ["/" + iri[len(base):] for iri in iris]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, default=ROOT / "dist")
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "endpoint.csv")
    parser.add_argument("--http-workers", type=int, default=1, help="cnipa-kg serve --http-workers")
    parser.add_argument("--workers", type=int, default=3,
                        help="cnipa-kg serve --workers (one client runs on all but one of them: wrk is one client)")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk; `make bench` does it)")
    data = args.release / "cnipa-kg.nt"
    if not data.is_file():
        sys.exit(f"no release at {args.release}: run `cnipa-kg build --out {args.release}` first")
    prefixes = sparql_prefixes()
    divisions = sorted(set(re.findall(r"^<(https://w3id.org/cnipa-kg/division/\d{6})>", data.read_text(encoding="utf-8"), re.M)))
    unique_lookups = [prefixes + LOOKUP.format(iri=iri) for iri in divisions]
    unique_group_by = [prefixes + GROUP_BY.format(k=k) for k in range(5000)]
    cached = [prefixes + LOOKUP.format(iri="https://w3id.org/cnipa-kg/division/110108")]
    processes: dict[str, subprocess.Popen] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        try:
            ports = {name: free_port() for name in SERVERS}
            processes["cnipa-kg"] = subprocess.Popen(
                [str(BIN / "cnipa-kg"), "serve", "--data", str(args.release), "--port", str(ports["cnipa-kg"]),
                 "--http-workers", str(args.http_workers), "--workers", str(args.workers), "--per-client", "64"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            processes["oxigraph (memory)"] = subprocess.Popen(
                [str(BIN / "oxigraph"), "serve", "--bind", f"127.0.0.1:{ports['oxigraph (memory)']}"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            location = work / "oxigraph"
            subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(data)],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            processes["oxigraph (disk)"] = subprocess.Popen(
                [str(BIN / "oxigraph"), "serve-read-only", "--location", str(location), "--bind",
                 f"127.0.0.1:{ports['oxigraph (disk)']}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            processes["rdflib-endpoint"] = subprocess.Popen(
                [str(BIN / "rdflib-endpoint"), "serve", str(data), "--host", "127.0.0.1", "--port",
                 str(ports["rdflib-endpoint"])], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            paths = {"cnipa-kg": "/sparql", "oxigraph (memory)": "/query", "oxigraph (disk)": "/query", "rdflib-endpoint": "/"}
            for name in SERVERS:
                wait_until_up(f"http://127.0.0.1:{ports[name]}{paths[name]}?query=" + urllib.parse.quote("ASK {}"))
            # the in-memory server starts empty: load the release through its store endpoint
            request = urllib.request.Request(f"http://127.0.0.1:{ports['oxigraph (memory)']}/store?default",
                                             data=data.read_bytes(), method="PUT",
                                             headers={"Content-Type": "application/n-triples"})
            urllib.request.urlopen(request, timeout=300).read()
            rows = []
            workloads = {"unique lookups": unique_lookups, "unique GROUP BY": unique_group_by, "cached lookup": cached}
            for workload, queries in workloads.items():
                for name in SERVERS:
                    host = f"http://127.0.0.1:{ports[name]}"
                    urls = [f"{paths[name]}?query=" + urllib.parse.quote(q) for q in queries]
                    with urllib.request.urlopen(urllib.request.Request(host + urls[0], headers={"Accept": ACCEPT}), timeout=60):
                        pass  # every server answers it before it is timed
                    before = cpu_seconds(processes[name].pid)
                    rate, count = wrk(host, urls, args.duration, work)
                    cpu = (cpu_seconds(processes[name].pid) - before) / max(count, 1) * 1e6
                    rows.append({"workload": workload, "server": name, "req_per_s": round(rate), "cpu_us_per_req": round(cpu)})
                    print(f"{workload:<16} {name:<18} {rate:>10,.0f} req/s  {cpu:>7,.0f} µs CPU/req", flush=True)
            iris = minted_paths(args.release)
            for accept, label in (("text/html", "crawl as HTML"), ("text/turtle", "crawl as Turtle")):
                host = f"http://127.0.0.1:{ports['cnipa-kg']}"
                before = cpu_seconds(processes["cnipa-kg"].pid)
                rate, count = crawl(host, iris, accept)
                cpu = (cpu_seconds(processes["cnipa-kg"].pid) - before) / max(count, 1) * 1e6
                rows.append({"workload": label, "server": "cnipa-kg", "req_per_s": round(rate), "cpu_us_per_req": round(cpu)})
                print(f"{label:<16} {'cnipa-kg':<18} {rate:>10,.0f} req/s  {cpu:>7,.0f} µs CPU/req ({count} IRIs)", flush=True)
        finally:
            for p in processes.values():
                p.terminate()
            for p in processes.values():
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
    by = {(r["workload"], r["server"]): r for r in rows}
    print(f"\n{date.today()} · {platform.machine()} · {os.cpu_count()} cores · wrk -t2 -c8 -d{args.duration}s · "
          f"cnipa-kg serve --workers {args.workers} --http-workers {args.http_workers}")
    print(f"{'workload':<16} {'cnipa-kg':>9} {'oxi mem':>9} {'oxi disk':>9} {'rdflib-ep':>9} {'÷ mem':>7} {'÷ disk':>7} {'÷ rdflib':>8}")
    for workload in workloads:
        r = {s: by[(workload, s)]["req_per_s"] for s in SERVERS}
        ours = r["cnipa-kg"]
        print(f"{workload:<16} {ours:>9,} {r['oxigraph (memory)']:>9,} {r['oxigraph (disk)']:>9,} {r['rdflib-endpoint']:>9,} "
              f"{ours / r['oxigraph (memory)']:>6.2f}× {ours / r['oxigraph (disk)']:>6.2f}× {ours / max(r['rdflib-endpoint'], 1):>7.1f}×")
        for s in SERVERS:
            by[(workload, s)]["vs_oxigraph_memory"] = round(by[(workload, s)]["req_per_s"] / r["oxigraph (memory)"], 3)
    write_rows(args.out, rows, ["workload", "server", "req_per_s", "cpu_us_per_req", "vs_oxigraph_memory"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
