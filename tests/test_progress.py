"""Progress bars (issue 8): on stderr for builds of more than three notices when stderr is a terminal,
one bar per stage; nothing when stderr is a pipe or with --quiet."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> list[str]:
    out = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "synth_corpus.py"), "4", str(out), "--rows", "8"],
                   check=True, capture_output=True)
    return [str(p) for p in sorted(out.glob("*.txt"))]


def build_with_terminal_stderr(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run `cnipa-kg build ARGS` with stderr on a pseudo-terminal; (exit code, stdout, what the terminal got)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "cnipa_kg.cli", "build", *args], cwd=cwd, env=ENV,
                            stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    stdout = proc.stdout.read().decode("utf-8")
    proc.wait(timeout=300)
    os.close(master)
    return proc.returncode, stdout, b"".join(chunks).decode("utf-8", "replace")


def test_terminal_gets_a_bar_per_stage(sources, tmp_path):
    code, stdout, terminal = build_with_terminal_stderr([*sources, "--out", str(tmp_path / "dist")], tmp_path)
    assert code == 0, terminal
    for stage in ("extracting", "making parts", "writing"):
        assert stage in terminal
    assert "100%" in terminal
    assert "Built" in stdout and "extracting" not in stdout


def test_quiet_build_shows_no_bar_even_on_a_terminal(sources, tmp_path):
    code, stdout, terminal = build_with_terminal_stderr([*sources, "--out", str(tmp_path / "dist"), "-q"], tmp_path)
    assert code == 0, terminal
    assert "extracting" not in terminal and stdout == ""


def test_piped_stderr_gets_no_bar(sources, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "cnipa_kg.cli", "build", *sources, "--out", str(tmp_path / "dist")],
                          cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
