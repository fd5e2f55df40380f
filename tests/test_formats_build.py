"""`cnipa-kg build` end to end from each file format a user downloads: the PDF and the saved web page of
the notice (synthetic files made from the real notice's text, tests/synthetic/) give the designations
the text file gives, and a traditional-character copy gives the same simplified names."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner
from conftest import NOTICE
from synthetic.html_notice import make_html
from synthetic.pdf_notice import make_pdf

from cnipa_kg.cli import cli

COMPARED = ("notice", "level", "annex", "serial", "province", "name", "adcode", "period_start", "period_end", "programme")


def designations(out) -> list[tuple]:
    with (out / "designations.csv").open(encoding="utf-8", newline="") as f:
        return [tuple(row[c] for c in COMPARED) for row in csv.DictReader(f)]


def build(source, out) -> None:
    result = CliRunner().invoke(cli, ["build", str(source), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def from_text(tmp_path_factory):
    out = tmp_path_factory.mktemp("text") / "dist"
    build(NOTICE, out)
    return designations(out)


def test_a_pdf_builds_the_same_designations(tmp_path, from_text):
    make_pdf(tmp_path / "notice.pdf")
    build(tmp_path / "notice.pdf", tmp_path / "dist")
    assert designations(tmp_path / "dist") == from_text and len(from_text) == 110


def test_a_saved_web_page_builds_the_same_designations(tmp_path, from_text):
    (tmp_path / "notice.html").write_bytes(make_html())
    build(tmp_path / "notice.html", tmp_path / "dist")
    assert designations(tmp_path / "dist") == from_text


def test_a_traditional_character_copy_builds_the_same_designations(tmp_path, from_text):
    import opencc

    converter = opencc.OpenCC("s2t.json" if hasattr(opencc, "__version__") else "s2t")
    (tmp_path / "notice.txt").write_text(converter.convert(NOTICE.read_text(encoding="utf-8")), encoding="utf-8")
    assert "國家知識產權局" in (tmp_path / "notice.txt").read_text(encoding="utf-8")
    build(tmp_path / "notice.txt", tmp_path / "dist")
    assert designations(tmp_path / "dist") == from_text


def test_pdf_rows_keep_their_page_in_the_provenance(tmp_path):
    make_pdf(tmp_path / "notice.pdf")
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "notice.pdf"), "--out", str(tmp_path / "dist"), "-q"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "dist" / "cnipa-kg.nt").read_text(encoding="utf-8")
    assert "notice.pdf" in text
    pages = {line.split(" ")[2] for line in text.splitlines() if "#sourcePage>" in line}
    assert len(pages) >= 2, pages  # the annex rows stand on several pages
