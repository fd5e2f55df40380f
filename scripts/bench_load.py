#!/usr/bin/env python3
"""Benchmark: load time of the release into Virtuoso and the Oxigraph server by `cnipa-kg publish`.

For each size, N synthetic notices (scripts/synth_corpus.py) are built into a release with `cnipa-kg build`
(not timed), then, for each store, a fresh empty store is started on 127.0.0.1, the release is published
into it (timed: the wall time of the whole `cnipa-kg publish` command, which parses the release before it
sends it, and of the store's answer), published again (timed: a replace, still one copy), its triples
counted by SPARQL, and the store stopped. For scale, `client_s` is the same command against a sink on
127.0.0.1 that reads the body and answers 201 (the command's own time: start, parse, send), and
`store_s` is load_s minus client_s. Writes bench/load.csv and prints a table.

- Virtuoso: Debian's virtuoso-opensource (`make virtuoso` installs it), a copy of its virtuoso.ini on a
  temporary database with `--virtuoso-buffers` 8 KiB pages (the ini's advice for 2 GB of memory: 170,000),
  Graph Store Protocol at /sparql-graph-crud-auth with digest auth (dba/dba, a new database's).
- Oxigraph: `oxigraph serve` in memory (the `oxigraph` command of pip's oxigraph), /store.

    python scripts/bench_load.py [--sizes 1 100 1000] [--out bench/load.csv] [--timeout 3600]
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from results import write_rows

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
GRAPH = "https://w3id.org/cnipa-kg/dataset"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cnipa_kg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`cnipa-kg ARGS` of this checkout (src/ first on the path)."""
    return subprocess.run([sys.executable, "-m", "cnipa_kg.cli", *args], env=env or ENV, capture_output=True, text=True,
                          check=False)


def virtuoso_ini(folder: Path, sql_port: int, http_port: int, buffers: int | None = None) -> str:
    """Debian's virtuoso.ini with every file in ``folder``, both servers on 127.0.0.1, ``buffers`` pages
    (default: the ini's), and no VAD installed at start (the Conductor web UI: 5 s more, and not needed).
    tests/test_publish_stores.py starts its Virtuoso with it too."""
    section, lines = "", []
    for line in VIRTUOSO_INI.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"\s*\[(.+)\]", line):
            section = match[1]
        key = line.split("=")[0].strip()
        if key in ("DatabaseFile", "ErrorLogFile", "LockFile", "TransactionFile", "xa_persistent_file"):
            line = f"{key} = {folder / Path(line.split('=', 1)[1].split(';')[0].strip()).name}"
        elif key == "ServerPort" and section in ("Parameters", "HTTPServer"):
            line = f"ServerPort = 127.0.0.1:{sql_port if section == 'Parameters' else http_port}"
        elif key == "NumberOfBuffers" and buffers:
            line = f"NumberOfBuffers = {buffers}"
        elif key == "MaxDirtyBuffers" and buffers:
            line = f"MaxDirtyBuffers = {buffers * 3 // 4}"
        elif key == "VADInstallDir":
            continue
        lines.append(line)
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def running(argv: list[str], folder: Path, ready: str, timeout: float = 120) -> Iterator[None]:
    """``argv`` running in a process group of its own while the block runs (once ``ready`` answers 200)."""
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(argv, cwd=folder, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{argv[0]} exited with {process.returncode}: see {folder / 'server.log'}")
            with contextlib.suppress(OSError), urllib.request.urlopen(ready, timeout=2) as response:
                if response.status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{argv[0]} did not answer {ready} within {timeout:.0f} s")
            time.sleep(0.2)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # anything left of the group
        log.close()


@contextlib.contextmanager
def store(name: str, folder: Path, buffers: int) -> Iterator[tuple[str, str, dict[str, str]]]:
    """A fresh empty store: its Graph Store Protocol URL, its SPARQL URL and the environment for publish."""
    folder.mkdir()
    http_port = free_port()
    url = f"http://127.0.0.1:{http_port}"
    ask = "/sparql?query=ASK%20%7B%7D" if name == "virtuoso" else "/query?query=ASK%20%7B%7D"
    if name == "virtuoso":
        (folder / "virtuoso.ini").write_text(virtuoso_ini(folder, free_port(), http_port, buffers), encoding="utf-8")
        argv = [shutil.which("virtuoso-t") or "virtuoso-t", "+foreground", "+configfile", str(folder / "virtuoso.ini")]
        env = {"CNIPA_KG_STORE_USER": "dba", "CNIPA_KG_STORE_PASSWORD": "dba"}
        endpoints = (f"{url}/sparql-graph-crud-auth", f"{url}/sparql")
    else:
        argv = [str(BIN / "oxigraph"), "serve", "--bind", f"127.0.0.1:{http_port}"]  # in memory
        env = {}
        endpoints = (f"{url}/store", f"{url}/query")
    try:
        with running(argv, folder, url + ask):
            yield (*endpoints, env)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def sink() -> Iterator[str]:
    """A Graph Store Protocol URL on 127.0.0.1 that reads what is PUT and answers 201."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            left = int(self.headers["Content-Length"])
            while left > 0 and (chunk := self.rfile.read(min(left, 1 << 20))):
                left -= len(chunk)
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/store"
    finally:
        server.shutdown()
        server.server_close()


def count(sparql: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    request = urllib.request.Request(f"{sparql}?{urllib.parse.urlencode({'query': query})}",
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return int(json.load(response)["results"]["bindings"][0]["n"]["value"])


def publish(release: Path, gsp: str, env: dict[str, str], timeout: float) -> float:
    """Seconds `cnipa-kg publish` took (one attempt)."""
    start = time.perf_counter()
    done = cnipa_kg("publish", "--data", str(release), "--store", gsp, "--retries", "1", "--timeout", str(timeout),
                    env={**ENV, **env})
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"cnipa-kg publish to {gsp} failed ({done.returncode}): {done.stderr.strip()}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 1000], help="numbers of notices")
    parser.add_argument("--stores", nargs="+", choices=["virtuoso", "oxigraph"], default=["virtuoso", "oxigraph"])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "load.csv")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds a publish may take")
    parser.add_argument("--virtuoso-buffers", type=int, default=170_000, help="Virtuoso's NumberOfBuffers (8 KiB)")
    args = parser.parse_args(argv)
    if "virtuoso" in args.stores and not (shutil.which("virtuoso-t") and VIRTUOSO_INI.is_file()):
        sys.exit("virtuoso-t is not installed: `make virtuoso` (apt-get install virtuoso-opensource)")
    if "oxigraph" in args.stores and not (BIN / "oxigraph").is_file():
        sys.exit(f"{BIN / 'oxigraph'} missing: pip install oxigraph")
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="cnipa-kg-bench-load-") as tmp:
        for n in args.sizes:
            corpus, release = Path(tmp) / f"corpus-{n}", Path(tmp) / f"release-{n}"
            subprocess.run([sys.executable, str(ROOT / "scripts" / "synth_corpus.py"), str(n), str(corpus)],
                           check=True, stdout=subprocess.DEVNULL)
            built = cnipa_kg("build", *map(str, sorted(corpus.glob("*.txt"))), "--out", str(release), "-q")
            if built.returncode != 0:
                raise RuntimeError(f"cnipa-kg build of {n} notices failed: {built.stderr.strip()}")
            data = release / "cnipa-kg.nt"
            with data.open("rb") as f:
                triples = sum(1 for line in f if line.strip())
            with sink() as url:
                client = publish(release, url, {}, args.timeout)
            for name in args.stores:
                with store(name, Path(tmp) / f"{name}-{n}", args.virtuoso_buffers) as (gsp, sparql, env):
                    load = publish(release, gsp, env, args.timeout)
                    replace = publish(release, gsp, env, args.timeout)
                    if (held := count(sparql)) != triples:
                        raise RuntimeError(f"{name} holds {held:,} triples of {triples:,} after publishing {n} notices")
                rows.append({"notices": n, "triples": triples, "nt_bytes": data.stat().st_size, "store": name,
                             "load_s": round(load, 3), "triples_per_s": round(triples / load),
                             "replace_s": round(replace, 3), "client_s": round(client, 3),
                             "store_s": round(load - client, 3)})
                print(f"{n:>5} notices {triples:>10,} triples  {name:<9} load {load:8.2f} s "
                      f"({triples / load:>9,.0f} triples/s), replace {replace:8.2f} s, client alone {client:6.2f} s",
                      flush=True)
            shutil.rmtree(corpus)
            shutil.rmtree(release)
    print()
    print(f"{'notices':>7} {'triples':>10} {'store':<9} {'load s':>8} {'triples/s':>10} {'replace s':>10} "
          f"{'client s':>9} {'store s':>8}")
    for r in rows:
        print(f"{r['notices']:>7,} {r['triples']:>10,} {r['store']:<9} {r['load_s']:>8.2f} {r['triples_per_s']:>10,} "
              f"{r['replace_s']:>10.2f} {r['client_s']:>9.2f} {r['store_s']:>8.2f}")
    write_rows(args.out, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
