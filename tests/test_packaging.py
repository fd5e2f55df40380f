"""The wheel carries the package data (ontology, shapes, queries, reference tables, notices) and the
console script works; an unpacked wheel finds its data without the checkout."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

VENV_SCRIPT = ROOT / ".venv" / "bin" / "cnipa-kg"
QUERIES = sorted(p.name for p in (ROOT / "queries").glob("*.rq"))
REFERENCE = sorted(p.name for p in (ROOT / "data" / "reference").glob("*.csv"))
NETWORK_TROUBLE = ("No matching distribution found", "Could not find a version", "NewConnectionError",
                   "Temporary failure in name resolution", "Network is unreachable")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    have_hatchling = importlib.util.find_spec("hatchling") is not None
    if importlib.util.find_spec("build") is not None:  # pypa/build, when installed
        cmd = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), *(["--no-isolation"] if have_hatchling else []), str(ROOT)]
    else:  # pip; without hatchling in this environment it builds in isolation from the package index
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out),
               *(["--no-build-isolation"] if have_hatchling else []), str(ROOT)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 and any(t in proc.stdout + proc.stderr for t in NETWORK_TROUBLE):
        pytest.skip(f"cannot fetch the build backend (hatchling) for an isolated build:\n{proc.stderr[-2000:]}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheels = sorted(out.glob("cnipa_kg-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def names(wheel) -> set[str]:
    with zipfile.ZipFile(wheel) as z:
        return set(z.namelist())


def test_sources_to_check_exist():
    assert QUERIES and REFERENCE
    assert "designations-by-province.rq" in QUERIES


def test_wheel_contains_package(names):
    assert "cnipa_kg/__init__.py" in names
    assert "cnipa_kg/cli.py" in names


def test_wheel_contains_ontology(names):
    assert "cnipa_kg/resources/ontology/cnipa-kg.ttl" in names
    assert "cnipa_kg/resources/ontology/context.jsonld" in names


def test_wheel_contains_shapes(names):
    assert "cnipa_kg/resources/shapes/cnipa-kg.shacl.ttl" in names


def test_wheel_contains_every_named_query(names):
    missing = [q for q in QUERIES if f"cnipa_kg/resources/queries/{q}" not in names]
    assert missing == []


def test_wheel_contains_every_reference_table(names):
    missing = [r for r in REFERENCE if f"cnipa_kg/resources/reference/{r}" not in names]
    assert missing == []


def test_wheel_contains_shipped_notice(names):
    assert "cnipa_kg/resources/notices/notice-2022-33.txt" in names


def test_wheel_shipped_notice_is_the_source(wheel):
    with zipfile.ZipFile(wheel) as z:
        assert z.read("cnipa_kg/resources/notices/notice-2022-33.txt") == (ROOT / "data" / "notices" / "notice-2022-33.txt").read_bytes()


def test_wheel_declares_console_script(wheel):
    with zipfile.ZipFile(wheel) as z:
        entry_points = next(n for n in z.namelist() if n.endswith(".dist-info/entry_points.txt"))
        text = z.read(entry_points).decode("utf-8")
    assert "cnipa-kg = cnipa_kg.cli:main" in text


def test_unpacked_wheel_finds_its_data_outside_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONHASHSEED": "0"}
    code = (
        "import cnipa_kg, cnipa_kg.core.resources as r;"
        "print(cnipa_kg.__file__);"
        "print(r.ontology_path()); print(r.shapes_path()); print(len(r.named_queries())); print(r.shipped_notices()[0])"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    module, ontology, shapes, n_queries, notice = proc.stdout.splitlines()
    assert module.startswith(str(site))
    for path in (ontology, shapes, notice):
        assert path.startswith(str(site / "cnipa_kg" / "resources")), path
    assert int(n_queries) == len(QUERIES)
    build = subprocess.run([sys.executable, "-m", "cnipa_kg.cli", "build", "--out", "dist"], cwd=work, env=env,
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    assert "designations: 199 (25 building, 102 demonstration, 72 pilot)" in build.stdout  # every shipped source
    assert (work / "dist" / "designations.csv").is_file()


@pytest.mark.skipif(not VENV_SCRIPT.exists(), reason="no .venv/bin/cnipa-kg (run `make` first)")
def test_console_script_help_runs():
    proc = subprocess.run([str(VENV_SCRIPT), "--help"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Usage: cnipa-kg")
    for command in ("build", "query", "validate"):
        assert command in proc.stdout
    assert "Traceback" not in proc.stderr


@pytest.mark.skipif(not VENV_SCRIPT.exists(), reason="no .venv/bin/cnipa-kg (run `make` first)")
def test_console_script_build_help_runs():
    proc = subprocess.run([str(VENV_SCRIPT), "build", "--help"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Usage: cnipa-kg build")


def _requirement_names(requirements: list[str]) -> set[str]:
    import re

    return {re.split(r"[<>=!~\[;\s]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}


def test_every_dependency_is_pinned_in_the_lock():
    """`make run` / `make test` install with `-c constraints.txt`: every dependency of the package and
    of the extras they install must have its version there (`make lock` refreshes the file)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    wanted = _requirement_names(project["dependencies"] + extras["reason"] + extras["serve"] + extras["dev"]
                                + extras["bench"]) - {"cnipa-kg"}
    pinned = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not name==version"
            pinned[name.lower().replace("_", "-")] = version
    assert wanted, "no dependencies read from pyproject.toml"
    assert sorted(wanted - set(pinned)) == []
