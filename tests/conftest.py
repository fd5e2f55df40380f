"""Session fixtures built from the real sources in data/notices (never hand-edited RDF dumps)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
NOTICE = ROOT / "data" / "notices" / "notice-2022-33.txt"
PLAIN = ROOT / "tests" / "data" / "notice-2022-33-plain.txt"
GOLDEN = ROOT / "tests" / "golden"


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert rows, f"{path} is empty"
    return rows


@pytest.fixture(scope="session")
def notice_path() -> Path:
    return NOTICE


@pytest.fixture(scope="session")
def notice_text() -> str:
    return NOTICE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def records():
    from cnipa_kg.extract import extract

    return extract(NOTICE)


@pytest.fixture(scope="session")
def graph():
    """The release graph of the real notice (data + ontology), built in memory."""
    from cnipa_kg.pipeline import build_graph

    return build_graph([NOTICE])


@pytest.fixture(scope="session")
def release_dir(tmp_path_factory) -> Path:
    """A release built by the library from the real notice; do not modify it in tests."""
    from cnipa_kg.pipeline import build

    out = tmp_path_factory.mktemp("release") / "dist"
    build([NOTICE], out=out)
    return out


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str):
    from cnipa_kg.cli import cli

    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


CHROMIUM = Path("/usr/bin/chromium")


def set_query(page, text: str) -> None:
    """Replace the text of the /sparql page's editor (CodeMirror, ``assets/editor.js``) as a user would:
    select all, then type (one input event, as a paste). The hidden ``<textarea id="query">`` follows."""
    page.locator("#query-editor[data-ready]").wait_for()
    page.click("#query-editor .cm-content")
    page.keyboard.press("Control+a")
    if text:
        page.keyboard.insert_text(text)
    else:
        page.keyboard.press("Delete")


def editor_text(page) -> str:
    """The text the editor shows, line by line (what a user reads, not the hidden textarea)."""
    return "\n".join(page.locator("#query-editor .cm-line").evaluate_all("lines => lines.map(l => l.textContent)"))


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright (never `playwright install`), one per test module.
    Skipped where /usr/bin/chromium is missing outside CI (`make test` installs it); in CI that fails."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must have /usr/bin/chromium (`make test` installs it)")
        pytest.skip("no /usr/bin/chromium (install Debian's chromium; `make test` does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True)
        try:
            yield b
        finally:
            b.close()
