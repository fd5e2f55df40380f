"""The package's layout holds: imports run one way (import-linter's contracts in pyproject.toml,
function-level imports included), and modules stay small."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "cnipa_kg"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_LINES = 300


def lint_imports(src: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
                          cwd=ROOT, env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=300)


def test_imports_follow_the_layers_and_have_no_cycle():
    proc = lint_imports(ROOT / "src")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


@pytest.mark.parametrize(("module", "statement", "contract"), [
    ("core/errors.py", "from ..pipeline import build", "layered"),  # upward, inside a function
    ("web/pages.py", "from ..graph.mint import mint", "nothing of the pipeline"),
    ("extract/text.py", "from . import notice", "No import cycle"),  # notice imports text
])
def test_an_import_against_the_contracts_breaks_them(tmp_path, module, statement, contract):
    copy = tmp_path / "src" / "cnipa_kg"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / module).open("a", encoding="utf-8") as f:
        f.write(f"\n\ndef _injected():\n    {statement}\n")
    proc = lint_imports(tmp_path / "src")
    assert proc.returncode == 1, proc.stdout
    broken = [line for line in proc.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(contract in line for line in broken), proc.stdout


def _modules() -> list[Path]:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 30
    return modules


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_is_small_or_says_why(path):
    lines = path.read_text(encoding="utf-8").count("\n")
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert lines <= MAX_LINES or f"over {MAX_LINES} lines" in docstring, (
        f"{path.name} has {lines} lines: split it, or say in its docstring why it is over {MAX_LINES} lines")
