"""Hostile input (issue 8 §5) to every command that reads a file, each in a subprocess.

build, validate, reason, query --data, serve --data and publish --data get: an empty file,
binary data, a directory instead of a file, a file they may not read, a FIFO and /dev/zero
(files whose size stat() does not tell), a 200 MB file (sparse: costs no disk), a table of
100,000 rows, invalid UTF-8 in the middle, mixed encodings (a UTF-8 file with a GBK line),
two sources with the same 文号, a notice whose annex is cut off, RDF with a remote JSON-LD
context, billion-laughs RDF/XML.

Each must give exit 2, one line on stderr that names the file (and ``FILE:LINE:`` where a line
exists), no traceback, bounded memory (peak RSS of the child < 1 GiB, from ``wait4``) and
nothing written: build creates no ``--out``, reason no ``--out`` file, query and validate print
nothing on stdout, serve does not start serving, publish sends nothing to the store, and no
URL is ever fetched.

The children run with an address-space limit (RLIMIT_AS 2 GiB) so that a command that does
read a hostile input whole fails fast instead of exhausting the test machine.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
NOTICE = ROOT / "data" / "notices" / "notice-2022-33.txt"
PLAIN = ROOT / "tests" / "data" / "notice-2022-33-plain.txt"
NOTICE_BYTES = NOTICE.read_bytes()
NOTICE_LINES = NOTICE_BYTES.decode("utf-8").split("\n")

GiB = 2**30
RSS_LIMIT = 1 * GiB  #: bounded memory: peak RSS of one command
AS_LIMIT = 2 * GiB  #: safety net: a child that reads a hostile input whole dies instead of swapping
HUGE = 200 * 2**20
HANG = 10  #: seconds after which a command that should refuse at once counts as hung (a refusal takes < 1 s)


# -- running the command line ----------------------------------------------------------------------


@dataclass
class Run:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str
    maxrss: int  #: bytes
    seconds: float
    timed_out: bool = False
    served: bool = False  #: `serve` got as far as listening

    def __str__(self) -> str:
        state = " TIMED OUT" if self.timed_out else " SERVED" if self.served else ""
        return (f"cnipa-kg {' '.join(self.args)} -> exit {self.code}{state} in {self.seconds:.1f}s, "
                f"peak RSS {self.maxrss / 2**20:.0f} MiB\n--- stdout:\n{self.stdout[:2000]}\n--- stderr:\n{self.stderr[-3000:]}")


def _limit_memory() -> None:  # runs in the child between fork and exec: no imports, no locks
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


# The command's own peak RSS (VmHWM of the interpreter after exec), written at exit. wait4's ru_maxrss is
# not it: a forked child starts with this test process's resident pages, and Linux keeps that high-water
# mark across exec, so after a test that loaded a large library (pdfplumber, reportlab) every child would
# seem to have read 200 MB.
_BOOT = ("import atexit, os, runpy, sys\n"
         "hwm = os.environ.pop('CNIPA_KG_TEST_HWM')\n"
         "def _hwm():\n"
         "    with open('/proc/self/status') as f, open(hwm, 'w') as out:\n"
         "        out.write(next(l for l in f if l.startswith('VmHWM:')).split()[1])\n"
         "atexit.register(_hwm)\n"
         "sys.argv = ['cnipa-kg', *sys.argv[1:]]\n"
         "runpy.run_module('cnipa_kg.cli', run_name='__main__')\n")


def cli(*args, cwd: Path, timeout: float = 60, wrapper: tuple[str, ...] = (), ready: str | None = None) -> Run:
    """Run ``cnipa-kg ARGS`` in a fresh interpreter; its peak RSS is its own VmHWM (``wait4``'s if it was killed).

    :param ready: a stderr text that means the command is now serving; it is killed then
    """
    args = tuple(str(a) for a in args)
    hwm = Path(tempfile.mkstemp(prefix="cnipa-kg-hwm-")[1])
    env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONUNBUFFERED": "1", "CNIPA_KG_TEST_HWM": str(hwm)}
    env.pop("COLUMNS", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen([*wrapper, sys.executable, "-c", _BOOT, *args], cwd=cwd, env=env,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True,
                                preexec_fn=_limit_memory)
        timed_out = served = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if ready is not None:
                err.seek(0)
                if ready.encode() in err.read():
                    served = True
            if served or time.monotonic() - start > timeout:
                timed_out = not served
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        try:  # query workers of `serve`, if any
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        out.seek(0)
        err.seek(0)
        own = hwm.read_text(encoding="ascii").strip()
        hwm.unlink(missing_ok=True)
        maxrss = int(own) * 1024 if own.isdigit() else usage.ru_maxrss * 1024
        return Run(args, proc.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                   maxrss, seconds, timed_out, served)


_CLICK_BOILERPLATE = re.compile(r"^(Usage: |Try '.*--help' for help\.$)")


def message_of(run: Run) -> str:
    """The one message line on stderr (click's usage boilerplate around a usage error aside)."""
    lines = [ln for ln in run.stderr.splitlines() if ln.strip() and not _CLICK_BOILERPLATE.match(ln)]
    assert len(lines) == 1, f"expected one message line on stderr, got {len(lines)}\n{run}"
    return lines[0]


def assert_refused(run: Run, name: str | Path, *, line: int | bool | None = None, also: tuple[str, ...] = ()) -> str:
    """exit 2, one line naming ``name`` (``name:LINE:`` if ``line``), no traceback, bounded memory."""
    name = str(name)
    assert not run.timed_out, f"the command hung (killed after {run.seconds:.0f}s)\n{run}"
    assert not run.served, f"serve accepted the input and started serving\n{run}"
    assert "Traceback" not in run.stderr + run.stdout, str(run)
    assert run.code == 2, str(run)
    msg = message_of(run)
    assert len(msg) < 1000, f"a {len(msg):,}-character message is not a clear one-line message: {msg[:300]} …"
    assert name in msg, f"the message does not name {name!r}\n{run}"
    if line is True:
        assert re.search(re.escape(name) + r":\d+:", msg), f"expected {name}:LINE: in the message\n{run}"
    elif isinstance(line, int) and not isinstance(line, bool):
        assert f"{name}:{line}:" in msg, f"expected {name}:{line}: in the message\n{run}"
    for needle in also:
        assert needle in msg, f"expected {needle!r} in the message\n{run}"
    assert run.maxrss < RSS_LIMIT, f"peak RSS {run.maxrss / 2**20:.0f} MiB\n{run}"
    return msg


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


# -- no read permission: chmod 000 for a normal user; for root, the child loses CAP_DAC_* -----------


def _unreadable(path: Path) -> tuple[str, ...]:
    """Make ``path`` unreadable for the child; returns the command prefix that makes it so.

    chmod 000 does not stop root (CAP_DAC_OVERRIDE). When the tests run as root (as in CI), the
    child is started through ``setpriv`` with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped
    from its bounding set: it is still root, but file permission bits now apply to it.
    """
    os.chmod(path, 0)
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, which reads any file whatever its mode, and setpriv (util-linux) "
                    "is not installed to drop CAP_DAC_OVERRIDE for the child")
    wrapper = (setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--")
    probe = subprocess.run([*wrapper, sys.executable, "-c", f"open({str(path)!r}, 'rb')"], capture_output=True, text=True)
    if "PermissionError" not in probe.stderr:
        pytest.skip(f"running as root and cannot drop CAP_DAC_OVERRIDE here (setpriv: {probe.stderr.strip()[-200:]!r}), "
                    "so no file is unreadable")
    return wrapper


@pytest.fixture(autouse=True)
def _restore_modes(tmp_path):
    yield
    for p in tmp_path.rglob("*"):  # so that pytest can remove tmp_path
        if not p.is_symlink():
            try:
                os.chmod(p, 0o755 if p.is_dir() else 0o644)
            except OSError:
                pass


# -- a local HTTP server: a "remote" JSON-LD context, and a Graph Store for publish -----------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list  # set per server

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.requests.append(("GET", self.path, 0))
        body = json.dumps({"@context": {"@vocab": "https://example.org/fetched#"}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self) -> None:
        size, left = 0, int(self.headers.get("Content-Length") or 0)
        while left > 0:
            chunk = self.rfile.read(min(left, 2**20))
            if not chunk:
                break
            size += len(chunk)
            left -= len(chunk)
        self.requests.append(("PUT", self.path, size))
        self.send_response(204)
        self.end_headers()

    do_POST = do_PUT


@pytest.fixture()
def http_recorder():
    """A local server that records every request: ``(url, requests)``."""
    requests: list = []
    handler = type("Handler", (_Recorder,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", requests
    finally:
        server.shutdown()
        server.server_close()


# -- hostile notice sources (build) -----------------------------------------------------------------


def notice_with_table_rows(n: int) -> bytes:
    """The real notice with annex 2's rows replaced by ``n`` rows (one per line)."""
    start = next(i for i, t in enumerate(NOTICE_LINES) if t.strip() == "附件 2")
    header = next(i for i in range(start, len(NOTICE_LINES)) if NOTICE_LINES[i].strip().startswith("序号"))
    end = next(i for i, t in enumerate(NOTICE_LINES) if t.strip().endswith("印发"))
    rows = [f"{i} 北京 丰台区" for i in range(1, n + 1)]
    return "\n".join(NOTICE_LINES[: header + 1] + rows + NOTICE_LINES[end:]).encode("utf-8")


MIDDLE = 42  #: a line of the body in the middle of the notice (知识产权工作高地，…)


def _notice_bytes_with_line(lineno: int, raw: bytes) -> bytes:
    lines = NOTICE_BYTES.split(b"\n")
    lines[lineno - 1] = raw
    return b"\n".join(lines)


def make_source(kind: str, tmp: Path) -> tuple[Path, dict]:
    """A hostile notice file in ``tmp``; returns (path relative to tmp, what the message must hold)."""
    if kind == "empty":
        (tmp / "empty.txt").write_bytes(b"")
        return Path("empty.txt"), {}
    if kind == "binary":
        data = b"\x89PNG\r\n\x1a\n" + bytes((i * 7919 + 13) % 251 for i in range(50_000)) + b"\x00\x01\x02" * 100
        (tmp / "binary.txt").write_bytes(data)
        # decode.py: the first NUL byte is reported with its line
        return Path("binary.txt"), {"line": data[: data.index(b"\x00")].count(b"\n") + 1}
    if kind == "directory":
        (tmp / "notice.txt").mkdir()
        return Path("notice.txt"), {}
    if kind == "huge":
        with open(tmp / "huge.txt", "wb") as f:
            f.write(NOTICE_BYTES)
            f.truncate(HUGE)
        return Path("huge.txt"), {"also": ("too large",)}
    if kind == "rows-100000":
        (tmp / "rows.txt").write_bytes(notice_with_table_rows(100_000))
        return Path("rows.txt"), {"line": True, "also": ("100000", "72", "declare")}
    if kind == "invalid-utf8":
        line = NOTICE_BYTES.split(b"\n")[MIDDLE - 1]
        (tmp / "bad-utf8.txt").write_bytes(_notice_bytes_with_line(MIDDLE, line[:9] + b"\xff\xfe" + line[9:]))
        return Path("bad-utf8.txt"), {"line": MIDDLE}
    if kind == "mixed-encodings":
        gbk = NOTICE_LINES[MIDDLE - 1].encode("gbk")
        (tmp / "mixed.txt").write_bytes(_notice_bytes_with_line(MIDDLE, gbk))
        return Path("mixed.txt"), {"line": MIDDLE}
    if kind == "annex-cut-off":
        cut = next(i for i, t in enumerate(NOTICE_LINES) if t.strip() == "40 洛阳市")
        (tmp / "cut.txt").write_bytes("\n".join(NOTICE_LINES[:cut]).encode("utf-8"))
        return Path("cut.txt"), {"line": True, "also": ("cut off",)}
    if kind == "cut-mid-character":
        at = NOTICE_BYTES.index("洛阳市".encode()) + 1  # inside the first character's three bytes
        (tmp / "cut-char.txt").write_bytes(NOTICE_BYTES[:at])
        return Path("cut-char.txt"), {"line": NOTICE_BYTES[:at].count(b"\n") + 1}
    raise AssertionError(kind)


BUILD_KINDS = ["empty", "binary", "directory", "huge", "rows-100000", "invalid-utf8", "mixed-encodings",
               "annex-cut-off", "cut-mid-character"]


@pytest.mark.parametrize("kind", BUILD_KINDS)
def test_build_refuses_hostile_source(tmp_path, kind):
    source, expect = make_source(kind, tmp_path)
    run = cli("build", source, "--out", "out", cwd=tmp_path)
    assert_refused(run, source, **expect)
    assert not (tmp_path / "out").exists(), "build wrote --out"
    assert not list(tmp_path.glob(".out.*")), sorted(p.name for p in tmp_path.iterdir())


def test_build_refuses_huge_source_by_its_size_without_reading_it(tmp_path):
    source, _ = make_source("huge", tmp_path)
    run = cli("build", source, "--out", "out", cwd=tmp_path)
    assert_refused(run, source, also=("too large",))
    assert run.maxrss < HUGE, f"build read the 200 MB file (peak RSS {run.maxrss / 2**20:.0f} MiB)"


def test_build_names_both_sources_with_the_same_document_number(tmp_path):
    shutil.copy(NOTICE, tmp_path / "a.txt")
    shutil.copy(PLAIN, tmp_path / "b.txt")  # the same notice in the other layout: the same 文号
    run = cli("build", "a.txt", "b.txt", "--out", "out", cwd=tmp_path)
    assert_refused(run, "b.txt", also=("a.txt", "国知发运字〔2022〕33号"))
    assert not (tmp_path / "out").exists()


def test_build_hostile_source_leaves_existing_release_byte_identical(tmp_path, release_dir):
    shutil.copytree(release_dir, tmp_path / "out")
    before = snapshot(tmp_path / "out")
    for kind in ("binary", "mixed-encodings", "annex-cut-off"):
        source, expect = make_source(kind, tmp_path)
        assert_refused(cli("build", source, "--out", "out", cwd=tmp_path), source, **expect)
        assert snapshot(tmp_path / "out") == before, kind
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_build_refuses_unreadable_source(tmp_path):
    shutil.copy(NOTICE, tmp_path / "secret.txt")
    wrapper = _unreadable(tmp_path / "secret.txt")
    run = cli("build", "secret.txt", "--out", "out", cwd=tmp_path, wrapper=wrapper)
    assert_refused(run, "secret.txt")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("special", ["fifo", "dev-zero"])
def test_build_refuses_source_that_is_not_a_regular_file(tmp_path, special):
    """A FIFO (no writer: reading blocks for ever) and /dev/zero (endless): stat() gives size 0."""
    if special == "fifo":
        os.mkfifo(tmp_path / "pipe.txt")
        source = "pipe.txt"
    else:
        source = "/dev/zero"
    run = cli("build", source, "--out", "out", cwd=tmp_path, timeout=HANG)
    assert_refused(run, source)
    assert not (tmp_path / "out").exists()


# -- hostile RDF files (validate, reason, query --data) ---------------------------------------------

EX = "https://w3id.org/cnipa-kg/division/"
SKOS_LABEL = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
RDF_LINES = [f"<{EX}{110100 + i}> {SKOS_LABEL} \"知识产权强市{i}号\"@zh ." for i in range(60)]
BAD_LINE = 31  #: the line that holds the bad bytes


def _rdf_with_line(raw: bytes) -> bytes:
    lines = [ln.encode("utf-8") for ln in RDF_LINES]
    lines[BAD_LINE - 1] = raw
    return b"\n".join(lines) + b"\n"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:skos="http://www.w3.org/2004/02/skos/core#">
 <rdf:Description rdf:about="https://w3id.org/cnipa-kg/division/110108"><skos:prefLabel>&lol9;</skos:prefLabel></rdf:Description>
</rdf:RDF>
"""


def make_rdf(kind: str, tmp: Path, url: str | None = None) -> tuple[Path, dict]:
    """A hostile RDF file in ``tmp`` (absolute path); returns (path, what the message must hold)."""
    if kind == "empty":
        (tmp / "empty.ttl").write_bytes(b"")
        return tmp / "empty.ttl", {}
    if kind == "binary":
        (tmp / "binary.nt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40)
        return tmp / "binary.nt", {}
    if kind == "directory":
        (tmp / "graph.ttl").mkdir()
        return tmp / "graph.ttl", {}
    if kind == "huge":
        with open(tmp / "huge.nt", "wb") as f:
            f.write("\n".join(RDF_LINES).encode() + b"\n")
            f.truncate(HUGE)
        return tmp / "huge.nt", {}
    if kind == "invalid-utf8":
        raw = RDF_LINES[BAD_LINE - 1].encode()
        at = raw.index("知".encode())
        (tmp / "bad-utf8.ttl").write_bytes(_rdf_with_line(raw[:at] + b"\xff\xfe" + raw[at:]))
        return tmp / "bad-utf8.ttl", {"line": BAD_LINE}
    if kind == "mixed-encodings":
        (tmp / "mixed.nt").write_bytes(_rdf_with_line(RDF_LINES[BAD_LINE - 1].encode("gbk")))
        return tmp / "mixed.nt", {"line": BAD_LINE}
    if kind == "truncated":
        text = "\n".join(RDF_LINES[:BAD_LINE - 1]) + "\n" + RDF_LINES[BAD_LINE - 1][:70]  # cut inside the IRI
        (tmp / "truncated.ttl").write_text(text, encoding="utf-8")
        return tmp / "truncated.ttl", {"line": True}
    if kind in ("remote-context", "remote-scoped-context"):
        assert url is not None
        if kind == "remote-context":
            doc = {"@context": f"{url}/context.jsonld", "@id": f"{EX}110108", "label": "海淀区"}
        else:  # a property-scoped context deep inside an inline one
            doc = {"@context": {"skos": "http://www.w3.org/2004/02/skos/core#",
                                "broader": {"@id": "skos:broader", "@context": f"{url}/scoped.jsonld"}},
                   "@id": f"{EX}110108", "broader": {"@id": f"{EX}110000", "label": "北京"}}
        (tmp / f"{kind}.jsonld").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        return tmp / f"{kind}.jsonld", {}
    if kind == "billion-laughs":
        (tmp / "lol.rdf").write_bytes(BILLION_LAUGHS)
        return tmp / "lol.rdf", {}
    if kind == "deeply-nested-jsonld":  # json's scanner and rdflib's parser recurse once per level
        depth = 100_000
        (tmp / "deep.jsonld").write_text(f'{{"@id": "{EX}110108", "{EX}p": ' * depth + '"v"' + "}" * depth)
        return tmp / "deep.jsonld", {"also": ("JSON nested too deeply",)}
    if kind == "missing":  # a missing file is missing before its suffix is unknown
        return tmp / "missing.txt", {"also": ("no such file",)}
    if kind == "billion-laughs-late":
        # the DOCTYPE after 100 kB of XML comment: a check of the first 64 kB does not see it
        head, rest = BILLION_LAUGHS.split(b"\n", 1)
        (tmp / "lol-late.rdf").write_bytes(head + b"\n<!--" + b" padding " * 12_000 + b"-->\n" + rest)
        return tmp / "lol-late.rdf", {}
    raise AssertionError(kind)


RDF_KINDS = ["empty", "binary", "directory", "huge", "invalid-utf8", "mixed-encodings", "truncated",
             "remote-context", "remote-scoped-context", "billion-laughs", "billion-laughs-late", "deeply-nested-jsonld",
             "missing"]


def rdf_command(command: str, path: Path, tmp: Path) -> tuple[str, ...]:
    if command == "validate":
        return ("validate", path)
    if command == "reason":
        return ("reason", path, "--out", tmp / "inferred.ttl")
    if command == "query":
        return ("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--data", path, "--format", "csv")
    raise AssertionError(command)


def assert_nothing_written_by(command: str, run: Run, tmp: Path) -> None:
    assert run.stdout == "", f"{command} printed a result for a refused input\n{run}"
    if command == "reason":
        assert not (tmp / "inferred.ttl").exists(), "reason wrote --out"
        assert not list(tmp.glob(".inferred.ttl*")), sorted(p.name for p in tmp.iterdir())


@pytest.mark.parametrize("kind", RDF_KINDS)
@pytest.mark.parametrize("command", ["validate", "reason", "query"])
def test_rdf_command_refuses_hostile_file(tmp_path, http_recorder, command, kind):
    url, requests = http_recorder
    path, expect = make_rdf(kind, tmp_path, url)
    run = cli(*rdf_command(command, path, tmp_path), cwd=tmp_path, timeout=HANG if kind == "billion-laughs-late" else 60)
    assert requests == [], f"{command} fetched {requests} while reading {path.name}\n{run}"
    assert_refused(run, path, **expect)
    assert_nothing_written_by(command, run, tmp_path)


@pytest.mark.parametrize("command", ["validate", "query"])
def test_rdf_command_refuses_huge_file_without_reading_it_whole(tmp_path, command):
    path, _ = make_rdf("huge", tmp_path)
    run = cli(*rdf_command(command, path, tmp_path), cwd=tmp_path)
    assert_refused(run, path)
    assert run.maxrss < HUGE, f"{command} read the 200 MB file whole (peak RSS {run.maxrss / 2**20:.0f} MiB)"


@pytest.mark.parametrize("command", ["validate", "reason", "query"])
def test_rdf_command_refuses_unreadable_file(tmp_path, command):
    path = tmp_path / "secret.ttl"
    path.write_text("\n".join(RDF_LINES) + "\n", encoding="utf-8")
    wrapper = _unreadable(path)
    run = cli(*rdf_command(command, path, tmp_path), cwd=tmp_path, wrapper=wrapper)
    assert_refused(run, path)
    assert_nothing_written_by(command, run, tmp_path)


@pytest.mark.parametrize("special", ["fifo", "dev-zero"])
@pytest.mark.parametrize("command", ["validate", "reason", "query"])
def test_rdf_command_refuses_file_that_is_not_a_regular_file(tmp_path, command, special):
    if special == "fifo":
        path = tmp_path / "pipe.nt"
        os.mkfifo(path)
        run = cli(*rdf_command(command, path, tmp_path), cwd=tmp_path, timeout=HANG)
    else:  # /dev/zero has no suffix: name its format
        path = Path("/dev/zero")
        args = rdf_command(command, path, tmp_path)
        if command != "query":
            args += ("--input-format", "nt")
        run = cli(*args, cwd=tmp_path, timeout=HANG)
    assert_refused(run, path)
    assert_nothing_written_by(command, run, tmp_path)


# -- hostile releases (serve --data, publish --data) ------------------------------------------------

RELEASE_KINDS = ["empty", "binary", "directory", "huge", "invalid-utf8", "truncated", "fifo", "void-binary"]


def make_release(kind: str, tmp: Path, release_dir: Path) -> tuple[Path, Path]:
    """A copy of the real release whose cnipa-kg.nt (or void.ttl) is hostile: (release, hostile file)."""
    rel = tmp / "release"
    shutil.copytree(release_dir, rel)
    nt = rel / "cnipa-kg.nt"
    lines = nt.read_bytes().split(b"\n")
    if kind == "void-binary":
        (rel / "void.ttl").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00" * 100)
        return rel, rel / "void.ttl"
    nt.unlink()
    if kind == "empty":
        nt.write_bytes(b"")
    elif kind == "binary":
        nt.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40)
    elif kind == "directory":
        nt.mkdir()
    elif kind == "huge":
        with open(nt, "wb") as f:
            f.truncate(HUGE)
    elif kind == "invalid-utf8":
        lines[99] = lines[99][:-3] + b"\xff\xfe" + lines[99][-3:]
        nt.write_bytes(b"\n".join(lines))
    elif kind == "truncated":
        nt.write_bytes(b"\n".join(lines[:100]) + b"\n" + lines[100][:40])
    elif kind == "fifo":
        os.mkfifo(nt)
    else:
        raise AssertionError(kind)
    return rel, nt


def _serve(rel: Path, tmp: Path, wrapper: tuple[str, ...] = ()) -> Run:
    return cli("serve", "--data", rel, "--port", "0", "--workers", "1", cwd=tmp, timeout=30, wrapper=wrapper,
               ready="Uvicorn running")


def _publish(rel: Path, tmp: Path, url: str, wrapper: tuple[str, ...] = ()) -> Run:
    return cli("publish", "--data", rel, "--store", f"{url}/store", "--retries", "1", cwd=tmp, timeout=30, wrapper=wrapper)


@pytest.mark.parametrize("kind", RELEASE_KINDS)
def test_serve_refuses_hostile_release(tmp_path, release_dir, kind):
    rel, bad = make_release(kind, tmp_path, release_dir)
    run = _serve(rel, tmp_path)
    assert_refused(run, rel)  # names the release directory (or the file in it)


@pytest.mark.parametrize("kind", RELEASE_KINDS)
def test_publish_refuses_hostile_release_and_sends_nothing(tmp_path, release_dir, http_recorder, kind):
    url, requests = http_recorder
    rel, bad = make_release(kind, tmp_path, release_dir)
    run = _publish(rel, tmp_path, url)
    assert requests == [], f"publish sent {requests} (method, path, bytes) to the store\n{run}"
    assert_refused(run, rel)


def test_serve_refuses_unreadable_release(tmp_path, release_dir):
    rel = tmp_path / "release"
    shutil.copytree(release_dir, rel)
    wrapper = _unreadable(rel / "cnipa-kg.nt")
    assert_refused(_serve(rel, tmp_path, wrapper), rel)


def test_publish_refuses_unreadable_release_and_sends_nothing(tmp_path, release_dir, http_recorder):
    url, requests = http_recorder
    rel = tmp_path / "release"
    shutil.copytree(release_dir, rel)
    wrapper = _unreadable(rel / "cnipa-kg.nt")
    run = _publish(rel, tmp_path, url, wrapper)
    assert requests == [], f"publish sent {requests} to the store\n{run}"
    assert_refused(run, rel)


def test_the_hostile_inputs_are_what_they_claim(tmp_path):
    """Guards for the fixtures above: a test of garbage that is not garbage proves nothing."""
    rows = notice_with_table_rows(100_000).decode("utf-8")
    assert rows.count(" 北京 丰台区\n") == 100_000
    assert "等 72个城市" in rows
    huge, _ = make_source("huge", tmp_path)
    st = os.stat(tmp_path / huge)
    assert st.st_size == HUGE and st.st_blocks * 512 < 2**20  # sparse
    mixed, expect = make_source("mixed-encodings", tmp_path)
    raw = (tmp_path / mixed).read_bytes().split(b"\n")
    raw[expect["line"] - 1].decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        raw[expect["line"] - 1].decode("utf-8")
    assert b"\n".join(raw[: expect["line"] - 1]).decode("utf-8")
    cut, _ = make_source("annex-cut-off", tmp_path)
    assert not any(t.strip().endswith("印发") for t in (tmp_path / cut).read_text(encoding="utf-8").split("\n"))
    assert len(BILLION_LAUGHS) < 2000 and BILLION_LAUGHS.count(b"<!ENTITY") == 10  # 3e9 bytes when expanded
