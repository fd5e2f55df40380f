"""Kill-safe releases (issue 8 §4): a build killed at any moment (SIGKILL) leaves the previous
release whole, and the next build cleans up whatever the killed one left in its staging place.

Two different releases of the real notice are built once, A (default base) and B (``--base
https://example.org/kg/``). Each killed build writes the release that is *not* in ``dist/`` at
that moment, so after every kill ``dist/`` must be byte-identical to the whole of A or the whole
of B: never a mix, never missing. The kills land at fixed delays (extraction, minting,
validation, serialisation) and, by polling, inside the few milliseconds in which the staging
directory is being written and swapped.

Every build runs in a process group of its own, killed whole in a ``finally`` block: no build or
worker outlives a test, whatever fails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import NOTICE, PLAIN, invoke

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
OTHER_BASE = "https://example.org/kg/"
TARGETS = {"A": [str(NOTICE)], "B": [str(NOTICE), "--base", OTHER_BASE]}


def build_cmd(target: str, out: str = "dist") -> list[str]:
    return [sys.executable, "-m", "cnipa_kg.cli", "build", *TARGETS[target], "--out", out, "-q"]


def start(cmd: list[str], cwd: Path, **kwargs) -> subprocess.Popen:
    """A build in a process group of its own, so that :func:`kill_group` can end it with all its workers."""
    kwargs.setdefault("stdout", subprocess.DEVNULL)
    kwargs.setdefault("stderr", subprocess.DEVNULL)
    return subprocess.Popen(cmd, cwd=cwd, env=ENV, start_new_session=True, **kwargs)


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the build's whole process group (for ``finally`` blocks: nothing outlives a test)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait(timeout=30)


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run a build to its end (hang guard: 300 s), killing its process group whatever happens."""
    proc = start(cmd, cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = proc.communicate(timeout=300)
    finally:
        kill_group(proc)
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def leftovers(parent: Path, name: str = "dist") -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith((f".{name}.staging-", f".{name}.old-")))


def staging_dirs(parent: Path) -> list[Path]:
    return sorted(parent.glob(".dist.staging-*"))


@pytest.fixture(scope="module")
def releases(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """The bytes of release A and release B, each built by a normal (unkilled) `cnipa-kg build`."""
    base = tmp_path_factory.mktemp("kill-refs")
    procs = {}
    try:
        for target in TARGETS:
            (base / target).mkdir()
            procs[target] = start(build_cmd(target), base / target, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        out = {}
        for target, proc in procs.items():
            stdout, stderr = proc.communicate(timeout=300)
            assert proc.returncode == 0, stderr
            out[target] = snapshot(base / target / "dist")
    finally:
        for proc in procs.values():
            kill_group(proc)
    assert out["A"].keys() == out["B"].keys()
    assert {name for name in out["A"] if out["A"][name] != out["B"][name]} >= {"cnipa-kg.ttl", "cnipa-kg.nt", "designations.csv"}
    return out


def which_release(dist: Path, releases: dict[str, dict[str, bytes]]) -> str:
    """'A' or 'B' if ``dist`` is byte-identical to that whole release; fails otherwise."""
    assert dist.is_dir(), f"{dist} is missing after the kill"
    got = snapshot(dist)
    for target, files in releases.items():
        if got == files:
            return target
    mixed = {name: [t for t, files in releases.items() if files.get(name) == data] for name, data in got.items()}
    missing = sorted(set(releases["A"]) - set(got))
    raise AssertionError(f"{dist} is neither release A nor release B: file -> releases it matches {mixed}; missing {missing}")


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL the build itself (not its workers: they must die with it)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def other(target: str) -> str:
    return "B" if target == "A" else "A"


def seed_dist(parent: Path, releases, target: str = "A") -> Path:
    dist = parent / "dist"
    for name, data in releases[target].items():
        (dist / name).parent.mkdir(parents=True, exist_ok=True)
        (dist / name).write_bytes(data)
    return dist


# -- kills at fixed moments -------------------------------------------------------------------------


def test_build_killed_at_fixed_moments_leaves_a_whole_release(tmp_path, releases):
    dist = seed_dist(tmp_path, releases, "A")
    current = "A"
    outcomes = []
    for delay in (0.2, 0.8, 1.5, 2.5, 3.5):
        target = other(current)
        proc = start(build_cmd(target), tmp_path)
        try:
            time.sleep(delay)
            finished = proc.poll() is not None
            kill(proc)
        finally:
            kill_group(proc)
        found = which_release(dist, releases)
        assert found in (current, target)
        if finished:
            assert found == target, f"a build that ended by itself after {delay}s left release {found}, not {target}"
        outcomes.append((delay, "finished" if finished else "killed", found))
        current = found
    # the next normal build cleans up whatever the killed ones left beside dist/
    target = other(current)
    done = run(build_cmd(target), tmp_path)
    assert done.returncode == 0, done.stderr
    assert snapshot(dist) == releases[target]
    assert leftovers(tmp_path) == [], outcomes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]
    # at least the early kills really interrupted a build
    assert [o for o in outcomes if o[1] == "killed"], outcomes


# -- kills while the release is being written and swapped -------------------------------------------


def _kill_when(proc: subprocess.Popen, parent: Path, condition, ignore=(), timeout: float = 120) -> bool:
    """Poll (sub-millisecond) until ``condition(staging dirs)`` holds, then SIGKILL; False if the build ended first.

    ``ignore``: staging directories left by earlier killed builds (not this build's).
    """
    ignore = set(ignore)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            dirs = [(p, sorted(os.listdir(p))) for p in staging_dirs(parent) if p not in ignore]
        except FileNotFoundError:
            continue
        if dirs and condition(dirs):
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            return True
        time.sleep(0.0002)
    kill(proc)
    raise AssertionError("the build never created a staging directory")


def _moments():
    """name -> (condition on the staging directories, releases dist/ may hold afterwards: 'old', 'new' or both)."""
    seen_full: set = set()

    def deleting_old(dirs):  # after the exchange the staging directory holds the old release, being deleted
        p, names = dirs[0]
        if len(names) >= 8:
            seen_full.add(p)
            return False
        return p in seen_full

    return {
        # the staging directory has just been created, nothing written in it yet
        "staging-created": (lambda dirs: True, ("old",)),
        # some files written, not all
        "staging-half-written": (lambda dirs: 2 <= len(dirs[0][1]) < 6, ("old",)),
        # every file written: just before or just after the exchange
        "staging-complete": (lambda dirs: len(dirs[0][1]) >= 8, ("old", "new")),
        # exchanged: the previous release is being deleted from the staging place
        "deleting-old": (deleting_old, ("new",)),
    }


def test_build_killed_while_writing_leaves_a_whole_release(tmp_path, releases):
    """SIGKILL inside the few milliseconds of writing and swapping: dist/ is the whole old or the whole new
    release; the leftovers of all the killed builds are removed by the next normal build."""
    dist = seed_dist(tmp_path, releases, "A")
    missed = []
    for moment in _moments():
        for _attempt in range(3):  # the window is a few ms wide: retry if the build got through it first
            condition, allowed = _moments()[moment]
            old = which_release(dist, releases)
            new = other(old)
            before = staging_dirs(tmp_path)
            proc = start(build_cmd(new), tmp_path)
            try:
                hit = _kill_when(proc, tmp_path, condition, ignore=before)
            finally:
                kill_group(proc)
            found = which_release(dist, releases)
            if hit:
                expected = {"old": old, "new": new}
                assert found in [expected[a] for a in allowed], (
                    f"killed at {moment!r}: dist/ is release {found}, expected the {' or '.join(allowed)} one ({old} -> {new})")
                # (whether the staging directory is still there depends on how far the kill let the
                # build get; what matters is that dist/ is whole and the next build cleans up)
                break
        else:
            missed.append(moment)
    assert not missed, f"could not kill a build at {missed} in 3 attempts each"
    # the next build removes every leftover and swaps in its release
    target = other(which_release(dist, releases))
    done = run(build_cmd(target), tmp_path)
    assert done.returncode == 0, done.stderr
    assert snapshot(dist) == releases[target]
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


# -- failed builds ----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["empty", "annex-cut-off", "second-source-bad"])
def test_failed_build_leaves_previous_release_byte_identical(tmp_path, releases, bad):
    dist = seed_dist(tmp_path, releases, "A")
    lines = NOTICE.read_text(encoding="utf-8").split("\n")
    if bad == "empty":
        (tmp_path / "bad.txt").write_bytes(b"")
        sources = ["bad.txt"]
    elif bad == "annex-cut-off":
        (tmp_path / "bad.txt").write_text("\n".join(lines[:380]), encoding="utf-8")
        sources = ["bad.txt"]
    else:  # the first source is fine (and different from what dist/ holds), the second is not
        (tmp_path / "bad.txt").write_text("\n".join(lines[:380]), encoding="utf-8")
        sources = [str(PLAIN), "bad.txt"]
    proc = run([sys.executable, "-m", "cnipa_kg.cli", "build", *sources, "--out", "dist", "--base", OTHER_BASE], tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "bad.txt" in proc.stderr
    assert snapshot(dist) == releases["A"]
    assert leftovers(tmp_path) == []


def test_build_violating_the_shapes_leaves_previous_release_byte_identical(tmp_path, releases, runner, monkeypatch):
    """Exit 1 (shapes violated): the graph loses a designation's serial number before validation."""
    import cnipa_kg.graph.assemble as assemble_module
    from cnipa_kg.core.vocab import CKG

    original = assemble_module.part_graph

    def broken_part_graph(*args, **kwargs):
        graph = original(*args, **kwargs)
        designations = sorted(graph.subjects(CKG.serialNumber, None))
        if designations:
            graph.remove((designations[0], CKG.serialNumber, None))
        return graph

    monkeypatch.setattr(assemble_module, "part_graph", broken_part_graph)
    dist = seed_dist(tmp_path, releases, "A")
    result = invoke(runner, "build", NOTICE, "--out", dist, "--base", OTHER_BASE)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert snapshot(dist) == releases["A"]
    assert leftovers(tmp_path) == []


def _children(pid: int) -> list[int]:
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out.extend(int(c) for c in f.read().split())
        except FileNotFoundError:  # the thread ended meanwhile
            pass
    return out


def test_ctrl_c_while_workers_make_parts_exits_130_without_traceback(tmp_path, releases):
    """SIGINT to the whole process group (what Ctrl-C does) while forked workers make the parts of a
    40-notice build: one line, exit 130, the previous release untouched, no leftovers, no worker left."""
    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "synth_corpus.py"), "40", str(corpus)], check=True,
                   capture_output=True)
    dist = seed_dist(tmp_path, releases, "A")
    proc = start([sys.executable, "-m", "cnipa_kg.cli", "build", *map(str, sorted(corpus.glob("*.txt"))),
                  "--out", str(dist)], tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                 preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while len(_children(proc.pid)) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = _children(proc.pid)
        assert len(workers) >= 2, "the build finished or never forked its workers"
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        kill_group(proc)
    assert proc.returncode == 130, stderr
    assert stderr.strip() == "Interrupted; nothing written.", stderr
    assert snapshot(dist) == releases["A"]
    assert leftovers(tmp_path) == []
    time.sleep(0.5)
    assert not [w for w in workers if Path(f"/proc/{w}").exists() and
                Path(f"/proc/{w}/stat").read_text().split()[2] != "Z"], "a worker outlived the build"
