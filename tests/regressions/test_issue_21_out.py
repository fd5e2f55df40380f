"""Issue 21 (part 2), "Never overwrite what is not ours": what ``--out`` accepts, and what lies beside it.

- ``reason --out`` replaces a regular file only: a FIFO, a symbolic link (dangling or not) or a device
  at the path is refused with one line naming it, exit 2, before the reasoner runs and again when
  writing; nothing is written anywhere.
- ``build --out`` and ``site --out`` refuse a FIFO, a device or a socket with a message that says so.
- A folder of the user's beside ``--out`` named like a staging place (``.dist.staging-x``,
  ``.dist.old-x``) is never deleted nor renamed into place, whether ``--out`` exists or not; a lock file
  of the user's (``.dist.lock``) is not taken over either.

Real files and real processes. A process runs in a session of its own and is killed whole in a
``finally`` block; the FIFOs' other ends are held open non-blocking, so no open of one can hang.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import NOTICE, ROOT, invoke
from rdflib import Graph, Literal, URIRef

ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
HANG_GUARD = 600  # seconds: a command that takes this long is stuck


def run(args: list, cwd: Path, *, code: str | None = None) -> subprocess.CompletedProcess:
    """``cnipa-kg ARGS`` (or ``python -c CODE ARGS``) in a process group of its own, killed whole afterwards."""
    head = [sys.executable, "-c", code] if code else [sys.executable, "-m", "cnipa_kg.cli"]
    proc = subprocess.Popen([*head, *map(str, args)], cwd=cwd, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=HANG_GUARD)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def assert_one_line_error(code: int, stderr: str, *needles: str) -> None:
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    for needle in needles:
        assert needle in lines[0], stderr


def files_of(directory: Path) -> dict[str, bytes | str]:
    """relative path -> bytes (a file) or ``-> target`` (a symbolic link)."""
    found = {}
    for p in sorted(directory.rglob("*")):
        if p.is_symlink():
            found[p.relative_to(directory).as_posix()] = "-> " + os.readlink(p)
        elif p.is_file():
            found[p.relative_to(directory).as_posix()] = p.read_bytes()
    return found


@contextmanager
def fifo_at(path: Path):
    """A FIFO at ``path`` whose reading end is held open (non-blocking): opening it to write never blocks."""
    os.mkfifo(path)
    reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        yield path
    finally:
        os.close(reader)


def own_null_device(tmp_path: Path) -> Path:
    """A character device to aim --out at: a null device node of our own where we may make one (root),
    else /dev/null, which a user who may not make device nodes cannot replace either."""
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        return Path("/dev/null")
    return node


def what_is(path: Path) -> tuple:
    """What is at ``path``, not following a link: (kind, link target or device number)."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        return ("link", os.readlink(path))
    if stat.S_ISFIFO(st.st_mode):
        return ("fifo", st.st_ino)
    if stat.S_ISCHR(st.st_mode):
        return ("char device", st.st_rdev)
    return (stat.filemode(st.st_mode), st.st_ino)


# -- reason --out: a regular file or a new path, nothing else ---------------------------------------


def _special(kind: str, tmp_path: Path, stack) -> tuple[Path, str]:
    """Make ``kind`` at a path of ``tmp_path``; (the path, the words the refusal must say)."""
    if kind == "fifo":
        return stack.enter_context(fifo_at(tmp_path / "inferred.ttl")), "is a FIFO, not a regular file"
    if kind == "symlink":
        (tmp_path / "mine.ttl").write_bytes(b"# my own graph\n")
        (tmp_path / "inferred.ttl").symlink_to("mine.ttl")
        return tmp_path / "inferred.ttl", "is a symbolic link, not a regular file"
    if kind == "dangling-symlink":
        (tmp_path / "inferred.ttl").symlink_to("nowhere/at/all.ttl")
        return tmp_path / "inferred.ttl", "is a symbolic link, not a regular file"
    assert kind == "device"
    return Path("/dev/null"), "is a character device, not a regular file"


@pytest.mark.parametrize("kind", ["fifo", "symlink", "dangling-symlink", "device"])
def test_reason_out_that_is_not_a_regular_file_is_refused_before_the_reasoner_runs(kind, runner, release_dir,
                                                                                    tmp_path, monkeypatch):
    import contextlib

    from cnipa_kg.check import reason as reasoning
    from cnipa_kg.check import validate

    def not_yet(*_a, **_k):
        pytest.fail("FILE was loaded / the reasoner ran before --out was checked")

    monkeypatch.setattr(validate, "load_with_ontology", not_yet)
    monkeypatch.setattr(reasoning, "reason", not_yet)
    with contextlib.ExitStack() as stack:
        out, words = _special(kind, tmp_path, stack)
        before, around = what_is(out), files_of(tmp_path)
        result = invoke(runner, "reason", release_dir / "cnipa-kg.ttl", "--out", out)
        assert_one_line_error(result.exit_code, result.stderr, f"Error: {out}: {words}")
        assert what_is(out) == before
        assert files_of(tmp_path) == around, "something was written"
    if kind == "device":
        assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


@pytest.mark.parametrize("kind", ["fifo", "symlink", "device"])
def test_reason_out_that_is_not_a_regular_file_in_a_real_process(kind, release_dir, tmp_path):
    """The real command, reasoner and all (before the fix it reasoned, then renamed its file over the path)."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "mine.ttl").write_bytes(b"# my own graph\n")
    with fifo_at(work / "inferred.fifo") as fifo:
        if kind == "fifo":
            out = fifo
        elif kind == "symlink":
            out = work / "inferred.ttl"
            out.symlink_to("mine.ttl")
        else:
            out = own_null_device(work)
        words = {"fifo": "is a FIFO", "symlink": "is a symbolic link", "device": "is a character device"}[kind]
        before, around = what_is(out), files_of(work)
        proc = run(["reason", release_dir / "cnipa-kg.ttl", "--out", out], work)
        assert_one_line_error(proc.returncode, proc.stderr, f"Error: {out}: {words}, not a regular file")
        assert proc.stdout == ""
        assert what_is(out) == before
        assert files_of(work) == around, "something was written"
        assert {p.name for p in work.iterdir()} == {"mine.ttl", "inferred.fifo", *([out.name] if out.parent == work else [])}


def _fake_reasoner(monkeypatch, then=lambda: None):
    """The reasoner (and the loading of FILE) replaced by a quick one that returns a one-triple graph and
    then calls ``then`` (say, puts a FIFO where --out points)."""
    from cnipa_kg.check import reason as reasoning
    from cnipa_kg.check import validate

    def fake(_graph):
        g = Graph()
        g.add((URIRef("https://example.org/a"), URIRef("https://example.org/b"), Literal("c")))
        then()
        return reasoning.ReasonResult(graph=g, inferred={})

    monkeypatch.setattr(validate, "load_with_ontology", lambda *_a, **_k: Graph())
    monkeypatch.setattr(reasoning, "reason", fake)


@pytest.mark.parametrize("kind", ["fifo", "symlink"])
def test_reason_out_that_turns_into_something_else_while_reasoning_is_refused_at_write_time(kind, runner, tmp_path,
                                                                                            monkeypatch):
    """--out is a new path when the command starts and a FIFO or a link when the graph is written."""
    import contextlib

    (tmp_path / "in.ttl").write_bytes(b"")
    (tmp_path / "mine.ttl").write_bytes(b"# my own graph\n")
    out = tmp_path / "inferred.ttl"
    with contextlib.ExitStack() as stack:
        _fake_reasoner(monkeypatch, then=(lambda: stack.enter_context(fifo_at(out))) if kind == "fifo"
                       else (lambda: out.symlink_to("mine.ttl")))
        result = invoke(runner, "reason", tmp_path / "in.ttl", "--out", out)
        words = {"fifo": "is a FIFO", "symlink": "is a symbolic link"}[kind]
        assert_one_line_error(result.exit_code, result.stderr, f"Error: {out}: {words}, not a regular file")
        assert what_is(out)[0] == {"fifo": "fifo", "symlink": "link"}[kind]
        assert (tmp_path / "mine.ttl").read_bytes() == b"# my own graph\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in.ttl", "inferred.ttl", "mine.ttl"], "a temporary file left"


def test_reason_out_that_is_a_regular_file_is_still_replaced_atomically(runner, tmp_path, monkeypatch):
    """As before the fix (this one passes there too): a regular file is replaced by a rename, a hard link to
    the old file keeps the old bytes."""
    (tmp_path / "in.ttl").write_bytes(b"")
    out = tmp_path / "inferred.ttl"
    out.write_bytes(b"# the previous output\n")
    os.link(out, tmp_path / "previous.ttl")
    _fake_reasoner(monkeypatch)
    result = invoke(runner, "reason", tmp_path / "in.ttl", "--out", out)
    assert result.exit_code == 0, result.output
    assert (URIRef("https://example.org/a"), URIRef("https://example.org/b"), Literal("c")) in Graph().parse(out)
    assert (tmp_path / "previous.ttl").read_bytes() == b"# the previous output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.ttl", "inferred.ttl", "previous.ttl"]


# -- build --out and site --out: a FIFO, a device or a socket is refused for what it is ---------------


@pytest.mark.parametrize("command", ["build", "site"])
@pytest.mark.parametrize("kind", ["fifo", "socket", "device"])
def test_folder_out_that_is_a_fifo_socket_or_device_is_refused_for_what_it_is(command, kind, release_dir, tmp_path):
    work = tmp_path / "w"  # short: a socket's path must fit in 108 bytes
    work.mkdir()
    with fifo_at(work / "pipe") as fifo:
        listener = None
        if kind == "socket":
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(str(work / "sock"))
        try:
            out = {"fifo": fifo, "socket": work / "sock", "device": Path("/dev/null")}[kind]
            words = {"fifo": "is a FIFO", "socket": "is a socket", "device": "is a character device"}[kind]
            before, around = what_is(out), files_of(work)
            args = [NOTICE, "--out", out, "-q"] if command == "build" else ["--data", release_dir, "--out", out, "-q"]
            proc = run([command, *args], work)
            assert_one_line_error(proc.returncode, proc.stderr, f"Error: {out}: {words}, not a directory")
            assert what_is(out) == before
            assert files_of(work) == around
            assert sorted(p.name for p in work.iterdir()) == sorted(["pipe", *(["sock"] if listener else [])])
        finally:
            if listener is not None:
                listener.close()
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


# -- folders of the user's beside --out ---------------------------------------------------------------


def users_folders(parent: Path, name: str) -> dict[str, bytes]:
    """Folders of the user's named like a staging place beside ``parent / name``, each with a file named
    like one of the output's (a temptation to adopt it) and one that is not (it would show in the output)."""
    first = "cnipa-kg.ttl" if name == "dist" else "index.html"
    mine = {f".{name}.staging-x/{first}": b"my draft\n", f".{name}.staging-x/notes.txt": b"my notes\n",
            f".{name}.old-x/{first}": b"my old one\n", f".{name}.old-x/thesis.docx": b"my thesis\n"}
    for rel, data in mine.items():
        (parent / rel).parent.mkdir(exist_ok=True)
        (parent / rel).write_bytes(data)
    return mine


def assert_only_the_output(out: Path, command: str) -> None:
    """``out`` holds what the command wrote and nothing else: the files void.ttl lists (a release) or the
    site's manifest lists (a site)."""
    if command == "build":
        from rdflib.namespace import DCAT, DCTERMS, RDF

        void = Graph().parse(out / "void.ttl", format="turtle")
        listed = {str(void.value(d, DCTERMS.title)) for d in void.subjects(RDF.type, DCAT.Distribution)}
        assert len(listed) >= 7, listed
        assert set(files_of(out)) == listed | {"void.ttl"}
    else:
        from cnipa_kg.sitegen.writer import MANIFEST

        listed = {line for line in (out / MANIFEST).read_text(encoding="utf-8").splitlines() if not line.startswith("#")}
        assert len(listed) > 600
        assert set(files_of(out)) == listed | {MANIFEST}


@pytest.mark.parametrize("command", ["build", "site"])
@pytest.mark.parametrize("exists", [True, False], ids=["out-exists", "out-new"])
def test_users_staging_and_old_folders_beside_out_survive_and_stay_out_of_the_output(command, exists, release_dir,
                                                                                     tmp_path):
    name = "dist" if command == "build" else "site"
    args = [NOTICE, "--out", name, "-q"] if command == "build" else ["--data", release_dir, "--out", name, "-q"]
    if exists:
        proc = run([command, *args], tmp_path)
        assert proc.returncode == 0, proc.stderr
    mine = users_folders(tmp_path, name)
    proc = run([command, *args], tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert {rel: data for rel, data in files_of(tmp_path).items() if not rel.startswith(f"{name}/")} == mine
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, f".{name}.staging-x", f".{name}.old-x"])
    assert_only_the_output(tmp_path / name, command)


def test_out_that_links_to_a_release_replaces_the_folder_and_leaves_the_users_folders_beside_it(tmp_path):
    """A symbolic link to a release folder stays a link, the folder it points to is replaced; the
    staging place is beside that folder, where a folder of the user's named like one survives."""
    real = tmp_path / "releases" / "v1"
    real.parent.mkdir()
    assert run(["build", NOTICE, "--out", real, "-q"], tmp_path).returncode == 0
    (tmp_path / "dist").symlink_to(real)
    (real / "cnipa-kg-inferred.ttl").write_bytes(b"# mine\n")
    mine = users_folders(real.parent, "v1")
    proc = run(["build", NOTICE, "--out", "dist", "--base", "https://example.org/kg/", "-q"], tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert os.readlink(tmp_path / "dist") == str(real)
    assert (real / "cnipa-kg-inferred.ttl").read_bytes() == b"# mine\n"
    assert "https://example.org/kg/" in (real / "void.ttl").read_text(encoding="utf-8")
    assert {rel: data for rel, data in files_of(real.parent).items() if not rel.startswith("v1/")} == mine
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "releases"]


#: a build that dies (as by SIGKILL) with its staging directory half written
DIES_WRITING = textwrap.dedent("""
    import os, sys
    from cnipa_kg.release.staging import Staging

    staging = Staging(sys.argv[1])
    staging.write("cnipa-kg.ttl", b"# half written")
    os._exit(137)
""")


def test_a_dead_builds_staging_directory_is_removed_and_a_users_folder_named_like_one_is_not(tmp_path):
    assert run(["build", NOTICE, "--out", "dist", "-q"], tmp_path).returncode == 0
    mine = users_folders(tmp_path, "dist")
    before = set(tmp_path.iterdir())
    assert run(["dist"], tmp_path, code=DIES_WRITING).returncode == 137
    dead = [p for p in set(tmp_path.iterdir()) - before if p.name.startswith(".dist.staging-")]
    assert len(dead) == 1 and os.listdir(dead[0]) == ["cnipa-kg.ttl"], "the dead build left no staging directory"
    proc = run(["build", NOTICE, "--out", "dist", "-q"], tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert {rel: data for rel, data in files_of(tmp_path).items() if not rel.startswith("dist/")} == mine
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.old-x", ".dist.staging-x", "dist"]
    assert_only_the_output(tmp_path / "dist", "build")


#: a build whose swap takes the way of a system without renameat2 (two renames) and dies between them
KILLED_IN_FALLBACK = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    import cnipa_kg.release.staging as staging
    from cnipa_kg.cli import main

    staging._exchange = lambda a, b: False
    rename = os.replace

    def replace(src, dst, **kw):
        if Path(dst).name == "dist" and ".staging-" in Path(src).name:
            os._exit(137)  # as SIGKILL would: the previous release renamed away, the new one not yet in place
        return rename(src, dst, **kw)

    os.replace = replace
    sys.argv = ["cnipa-kg", *sys.argv[1:]]
    main()
""")


def test_build_killed_in_the_fallback_swap_is_recovered_without_adopting_the_users_old_folder(tmp_path):
    """Without renameat2 a build renames the release away and its new one into place; killed in between,
    --out is gone, and the next build restores the release it renamed away, not a folder of the user's
    named like one (before the fix it restored the last ``.dist.old-*`` by name and deleted the others)."""
    assert run(["build", NOTICE, "--out", "dist", "-q"], tmp_path).returncode == 0
    mine = users_folders(tmp_path, "dist")
    killed = run(["build", NOTICE, "--out", "dist", "--base", "https://example.org/kg/", "-q"], tmp_path,
                 code=KILLED_IN_FALLBACK)
    assert killed.returncode == 137, killed.stderr
    assert not (tmp_path / "dist").exists(), "the simulated kill did not come between the two renames"
    proc = run(["build", NOTICE, "--out", "dist", "-q"], tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert {rel: data for rel, data in files_of(tmp_path).items() if not rel.startswith("dist/")} == mine
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.old-x", ".dist.staging-x", "dist"]
    assert_only_the_output(tmp_path / "dist", "build")


# -- the lock file beside --out ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["symlink", "notes"])
def test_a_lock_file_of_the_users_is_not_taken_over(kind, tmp_path):
    """``.dist.lock`` is where a build keeps its lock: a link there (followed before the fix, and then
    removed) or a file with something else in it (removed before the fix) is refused and left alone."""
    (tmp_path / "mine.txt").write_bytes(b"my notes\n")
    lock = tmp_path / ".dist.lock"
    if kind == "symlink":
        lock.symlink_to("mine.txt")
    else:
        lock.write_bytes(b"my notes\n")
    proc = run(["build", NOTICE, "--out", "dist", "-q"], tmp_path)
    assert_one_line_error(proc.returncode, proc.stderr, f"{lock}: ", "move it away")
    assert files_of(tmp_path) == {"mine.txt": b"my notes\n",
                                  ".dist.lock": "-> mine.txt" if kind == "symlink" else b"my notes\n"}
