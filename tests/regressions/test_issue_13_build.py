"""Issue 13 (build): concurrent builds into one --out, what --out accepts, one-line errors for a bad
--out or --panel-years, and workers that die with a killed build.

Every build runs in a process group of its own, killed whole in a ``finally`` block: nothing is left
running after a test.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTICE = ROOT / "data" / "notices" / "notice-2022-33.txt"
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
HANG_GUARD = 600  # seconds: a build that takes this long is stuck


def start(args: list, cwd: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cnipa_kg.cli", "build", *map(str, args)], cwd=cwd, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, **kwargs)


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the build's whole process group (the build and any worker of it), then reap the build."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait(timeout=60)


def run_build(args: list, cwd: Path) -> subprocess.CompletedProcess:
    proc = start(args, cwd)
    try:
        stdout, stderr = proc.communicate(timeout=HANG_GUARD)
    finally:
        kill_group(proc)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def synth(count: int, out: Path, *args: str) -> list[Path]:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "synth_corpus.py"), str(count), str(out), *args],
                   check=True, capture_output=True, timeout=HANG_GUARD)
    return sorted(out.glob("*.txt"))


def files_of(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file() or p.is_symlink()}


def assert_whole_release(dist: Path) -> None:
    """Every file void.ttl lists exists with the size and SHA-256 it states, and ``dist`` holds nothing else."""
    from rdflib import Graph, Namespace
    from rdflib.namespace import DCAT, DCTERMS, RDF

    spdx = Namespace("http://spdx.org/rdf/terms#")
    assert (dist / "void.ttl").is_file(), f"no void.ttl in {dist}: {sorted(files_of(dist))}"
    void = Graph().parse(dist / "void.ttl", format="turtle")
    listed = {}
    for distribution in void.subjects(RDF.type, DCAT.Distribution):
        checksum = void.value(distribution, spdx.checksum)
        listed[str(void.value(distribution, DCTERMS.title))] = (int(void.value(distribution, DCAT.byteSize)),
                                                                 str(void.value(checksum, spdx.checksumValue)))
    assert len(listed) >= 7, listed
    assert files_of(dist) == set(listed) | {"void.ttl"}, "the release directory holds other files than its own"
    for name, (size, sha256) in sorted(listed.items()):
        data = (dist / name).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (size, sha256), f"{name} is not the file void.ttl describes"


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), proc.stderr
    for needle in needles:
        assert needle in lines[0], proc.stderr


# -- 1. concurrent builds into one --out ---------------------------------------------------------------


def test_concurrent_builds_into_one_out_leave_one_whole_release(tmp_path):
    corpus = synth(2, tmp_path / "corpus", "--rows", "40")
    work = tmp_path / "work"
    work.mkdir()
    variants = [[NOTICE], [NOTICE], [NOTICE, "--base", "https://example.org/kg/"],
                [NOTICE, "--base", "https://example.org/kg/"], [corpus[0]], [corpus[1]]]
    for _round in range(2):
        procs = [start([*args, "--out", "dist", "-q"], work) for args in variants]
        try:
            results = [(p.communicate(timeout=HANG_GUARD), p.returncode) for p in procs]
        finally:
            for p in procs:
                kill_group(p)
        for (stdout, stderr), code in results:
            assert (code, stdout, stderr) == (0, "", ""), stderr
        assert_whole_release(work / "dist")
        assert sorted(p.name for p in work.iterdir()) == ["dist"], "leftovers beside the release"


def _waiting_for_a_lock(pid: int) -> bool:
    """``pid`` is blocked in flock() (a ``->`` line of /proc/locks)."""
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[1] == "->" and fields[5] == str(pid):
            return True
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/locks is Linux's")
def test_build_started_while_another_is_writing_waits_for_it(tmp_path):
    """The first build is paused (SIGSTOP) with its staging directory half written; a second build into the
    same --out must not touch it: it waits for the lock (or, before the fix, ran through and deleted it)."""
    corpus = synth(10, tmp_path / "corpus")
    work = tmp_path / "work"
    work.mkdir()
    for _attempt in range(3):  # the half-written moment lasts about a second: retry if the poll missed it
        first, second, paused = start([*corpus, "--out", "dist", "-q"], work), None, False
        try:
            deadline = time.monotonic() + HANG_GUARD
            while first.poll() is None and time.monotonic() < deadline:
                try:
                    written = [os.listdir(p) for p in work.glob(".dist.staging-*")]
                except FileNotFoundError:
                    continue
                if written and 1 <= len(written[0]) <= 5:
                    os.killpg(first.pid, signal.SIGSTOP)
                    paused = True
                    break
                time.sleep(0.0002)
            if not paused:
                first.communicate(timeout=HANG_GUARD)
                continue
            second = start([NOTICE, "--out", "dist", "-q"], work)
            while second.poll() is None and not _waiting_for_a_lock(second.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            os.killpg(first.pid, signal.SIGCONT)
            outcomes = [(p.communicate(timeout=HANG_GUARD), p.returncode) for p in (first, second)]
        finally:
            for p in (first, second):
                if p is not None:
                    kill_group(p)
        for (stdout, stderr), code in outcomes:
            assert (code, stdout, stderr) == (0, "", ""), stderr
        assert_whole_release(work / "dist")
        assert sorted(p.name for p in work.iterdir()) == ["dist"], "leftovers beside the release"
        rows = (work / "dist" / "designations.csv").read_text(encoding="utf-8").splitlines()[1:]
        assert len(rows) == 110 and all(r.startswith("国知发运字〔2022〕33号,") for r in rows), "the second build swapped last"
        return
    pytest.fail("could not pause the first build while it wrote its staging directory in 3 attempts")


# -- 2. what --out accepts ------------------------------------------------------------------------------


def test_out_that_is_not_a_release_is_refused_and_untouched(tmp_path):
    folder = tmp_path / "thesis"
    (folder / "chapters").mkdir(parents=True)
    (folder / "thesis.docx").write_bytes(b"my thesis")
    (folder / "chapters" / "one.md").write_text("# one", encoding="utf-8")
    proc = run_build([NOTICE, "--out", folder, "-q"], tmp_path)
    assert_one_line_error(proc, str(folder), "thesis.docx", "chapters/", "not a cnipa-kg release")
    assert files_of(folder) == {"thesis.docx", "chapters/one.md"}
    assert (folder / "thesis.docx").read_bytes() == b"my thesis"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis"]


def test_rebuild_keeps_the_users_files_in_the_release_directory(tmp_path):
    assert run_build([NOTICE, "--out", "dist", "-q"], tmp_path).returncode == 0
    dist = tmp_path / "dist"
    release = files_of(dist)
    mine = {"cnipa-kg-inferred.ttl": b"# inferred", "notes/todo.txt": b"cite it", "docs/extra.css": b"body {}"}
    for name, data in mine.items():
        (dist / name).parent.mkdir(exist_ok=True)
        (dist / name).write_bytes(data)
    (dist / "latest").symlink_to("cnipa-kg.ttl")
    before = (dist / "cnipa-kg.ttl").read_bytes()
    proc = run_build([NOTICE, "--out", "dist", "--base", "https://example.org/kg/", "-q"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert files_of(dist) == release | set(mine) | {"latest"}
    assert {name: (dist / name).read_bytes() for name in mine} == mine
    assert os.readlink(dist / "latest") == "cnipa-kg.ttl"
    assert (dist / "cnipa-kg.ttl").read_bytes() != before  # the release itself was replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


def test_empty_out_directory_is_accepted(tmp_path):
    (tmp_path / "dist").mkdir()
    assert run_build([NOTICE, "--out", "dist", "-q"], tmp_path).returncode == 0
    assert_whole_release(tmp_path / "dist")


def test_out_that_is_a_file_is_one_line_error(tmp_path):
    (tmp_path / "dist").write_bytes(b"not a directory")
    proc = run_build([NOTICE, "--out", "dist", "-q"], tmp_path)
    assert_one_line_error(proc, "dist", "is a file")
    assert (tmp_path / "dist").read_bytes() == b"not a directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


# -- 3. one-line errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("out", [".", "..", "/"])
def test_out_current_directory_ancestor_or_root_is_refused(tmp_path, out):
    cwd = tmp_path / "project" / "here"
    cwd.mkdir(parents=True)
    (cwd / "cnipa-kg.ttl").write_text("# a release file, so only the directory rule refuses", encoding="utf-8")
    (cwd.parent / "void.ttl").write_text("# likewise", encoding="utf-8")
    proc = run_build([NOTICE, "--out", out, "-q"], cwd)
    assert_one_line_error(proc, f"Error: {out}:")
    assert "Traceback" not in proc.stderr
    assert files_of(tmp_path) == {"project/here/cnipa-kg.ttl", "project/void.ttl"}
    assert not [p for p in Path("/").iterdir() if p.name.startswith(("..staging-", "..old-", "..lock"))]


@pytest.mark.parametrize("out", ["/proc/foo", "afile/dist"])
def test_out_that_cannot_be_written_is_one_line_error(tmp_path, out):
    (tmp_path / "afile").write_bytes(b"x")
    proc = run_build([NOTICE, "--out", out, "-q"], tmp_path)
    assert_one_line_error(proc, f"Error: {out}:")
    assert files_of(tmp_path) == {"afile"}


@pytest.mark.parametrize("years", ["0000-9999", "1980-2020", "2020-2027", "0001-0002"])
def test_implausible_panel_years_are_a_usage_error(tmp_path, years):
    proc = run_build([NOTICE, "--out", "dist", "--panel-years", years, "-q"], tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("Error: ")
    assert "1981-2026" in proc.stderr  # the years the division history covers (research.units)
    assert not (tmp_path / "dist").exists()


def test_panel_years_at_the_limits_are_accepted(tmp_path):
    proc = run_build([NOTICE, "--out", "dist", "--panel-years", "1981-2026", "-q"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    for name in ("panel-prefecture.csv", "panel-county.csv"):
        header, first, *rest = (tmp_path / "dist" / name).read_text(encoding="utf-8").splitlines()
        years = {line.split(",")[header.split(",").index("year")] for line in [first, *rest]}
        assert years == {str(y) for y in range(1981, 2027)}, name


def test_help_names_the_panel_years_range():
    proc = subprocess.run([sys.executable, "-m", "cnipa_kg.cli", "build", "--help"], env=ENV, capture_output=True,
                          text=True, timeout=HANG_GUARD)
    assert "1981-2026" in " ".join(proc.stdout.split())


# -- 4. workers die with their parent -------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found.extend(int(c) for c in f.read().split())
        except FileNotFoundError:
            pass
    return found


def _alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and PR_SET_PDEATHSIG are Linux's")
def test_workers_die_when_the_build_is_killed(tmp_path):
    corpus = synth(40, tmp_path / "corpus")
    proc = start([*corpus, "--out", tmp_path / "dist", "-q"], tmp_path)
    try:
        deadline = time.monotonic() + HANG_GUARD
        while len(_children(proc.pid)) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = _children(proc.pid)
        assert len(workers) >= 2, "the build finished or never forked its workers"
        os.kill(proc.pid, signal.SIGKILL)  # the parent only
        proc.wait(timeout=60)
        deadline = time.monotonic() + 10  # hang guard: the kernel kills them at once
        while [w for w in workers if _alive(w)] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [w for w in workers if _alive(w)], "workers outlived the killed build"
    finally:
        kill_group(proc)
