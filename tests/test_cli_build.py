"""`cnipa-kg build` and the help of every command, through the click CLI."""

from __future__ import annotations

import shutil

import pytest
from conftest import NOTICE, PLAIN, invoke

from cnipa_kg.cli import cli

RELEASE_FILES = {"cnipa-kg.ttl", "cnipa-kg.nt", "cnipa-kg.jsonld", "designations.csv"}


def test_build_prints_summary(runner, tmp_path):
    out = tmp_path / "out"
    result = invoke(runner, "build", NOTICE, "--out", out)
    assert result.exit_code == 0, result.output
    assert "国知发运字〔2022〕33号" in result.stdout
    assert "designations: 110 (38 demonstration, 72 pilot)" in result.stdout
    assert "triples:" in result.stdout
    for name in RELEASE_FILES:
        assert name in result.stdout
    assert "cnipa-kg query" in result.stdout  # the next commands to try
    assert RELEASE_FILES <= {p.name for p in out.iterdir()}


def test_build_prints_nothing_when_quiet(runner, tmp_path):
    out = tmp_path / "out"
    result = invoke(runner, "build", NOTICE, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert RELEASE_FILES <= {p.name for p in out.iterdir()}


def test_build_plain_layout_gives_same_csv(runner, tmp_path):
    a, b = tmp_path / "pdf", tmp_path / "plain"
    assert invoke(runner, "build", NOTICE, "--out", a, "-q").exit_code == 0
    assert invoke(runner, "build", PLAIN, "--out", b, "-q").exit_code == 0
    columns = ("notice", "level", "annex", "serial", "province", "name", "adcode")
    import csv

    def rows(path):
        with (path / "designations.csv").open(encoding="utf-8", newline="") as f:
            return [tuple(r[c] for c in columns) for r in csv.DictReader(f)]

    assert len(rows(a)) == 110
    assert rows(a) == rows(b)


def test_build_uses_shipped_notices_when_no_source(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no data/notices here: the package must find its own
    result = invoke(runner, "build", "--out", "release")
    assert result.exit_code == 0, result.output
    # every shipped source: data/notices/*.txt and the roster (tests/test_programme_data.py checks them)
    assert "from 6 document(s) and 1 roster(s) of facts (5 notices known by citation)" in result.stdout
    assert "designations: 199 (25 building, 102 demonstration, 72 pilot)" in result.stdout
    assert "proposals:    43 " in result.stdout
    assert RELEASE_FILES <= {p.name for p in (tmp_path / "release").iterdir()}


def test_build_writes_dist_in_working_directory_by_default(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "build", NOTICE, "-q")
    assert result.exit_code == 0, result.output
    assert RELEASE_FILES <= {p.name for p in (tmp_path / "dist").iterdir()}


def test_build_reads_source_relative_to_working_directory(runner, tmp_path, monkeypatch):
    (tmp_path / "in").mkdir()
    shutil.copy(NOTICE, tmp_path / "in" / "n33.txt")
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "build", "in/n33.txt", "--out", "out", "-q")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "designations.csv").is_file()


def test_build_error_names_source_as_given(runner, tmp_path, monkeypatch):
    (tmp_path / "bad.txt").write_bytes(NOTICE.read_bytes().replace("38个".encode(), "39个".encode()))
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "build", "bad.txt", "--out", "out")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: bad.txt:192:")
    assert not (tmp_path / "out").exists()


# -- help of every command -----------------------------------------------------------------------


def test_cli_has_the_core_commands():
    assert {"build", "query", "validate"} <= set(cli.commands)


def test_cli_help(runner):
    result = invoke(runner, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    for name in ("build", "query", "validate"):
        assert name in result.stdout


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_command_help(runner, command):
    result = invoke(runner, command, "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage:")
    assert command in result.stdout.splitlines()[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["build", "query"])
def test_command_short_help_option(runner, command):
    result = invoke(runner, command, "-h")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage:")


def test_build_help_documents_options_and_exit_codes(runner):
    result = invoke(runner, "build", "--help")
    for text in ("--out", "--base", "SOURCES", "Exit 0"):
        assert text in result.stdout


def test_cli_version(runner):
    result = invoke(runner, "--version")
    assert result.exit_code == 0
    assert "0." in result.stdout


def test_cli_unknown_command_exits_2(runner):
    result = invoke(runner, "no-such-command")
    assert result.exit_code == 2
    assert "No such command" in result.stderr
