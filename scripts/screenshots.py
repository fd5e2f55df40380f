"""Screenshots of the site for the README: ``make screenshots`` (or ``python scripts/screenshots.py``).

Builds the release from the repository's sources into a temporary folder (or serves ``--data DIR``),
runs ``cnipa-kg serve`` on a free port of 127.0.0.1, and saves with Debian's headless Chromium
(Playwright, never ``playwright install``; a CJK font must be installed: ``make browser``):

* ``home.png``        the home page at 1280×900 (the viewport, not the full page)
* ``division.png``    海淀区, ``/division/110108?on=2024-01-01``, 1280 wide, the full page
* ``notice.png``      the notice, ``/eli/notice/gzfyz/2022/33?on=2024-01-01``, 1280×900 (the viewport)
* ``home-phone.png``  the home page at 390×844 (the viewport)
* ``query.png``       the query editor with an answer, completing ``ckg:`` on a new line, 1280×900

What they show is fixed: the status of designations on a given date (``?on=``), never today's; each page
is shot once the network is idle and the fonts are loaded, with animations off and no caret.
The server is stopped at the end, also on an error.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ON = "2024-01-01"
DESKTOP = {"width": 1280, "height": 900}
QUERY = """SELECT ?name ?adcode WHERE {
  ?d ckg:tier ckg:demonstration ; ckg:designee ?division .
  ?division ckg:adcode ?adcode ; skos:prefLabel ?name .
  FILTER(lang(?name) = "zh")
} ORDER BY ?adcode LIMIT 5"""
PHONE = {"width": 390, "height": 844}
#: file name, path on the server, viewport, full page?
SHOTS = (
    ("home.png", f"/?on={ON}", DESKTOP, False),
    ("division.png", f"/division/110108?on={ON}", DESKTOP, True),
    ("notice.png", f"/eli/notice/gzfyz/2022/33?on={ON}", DESKTOP, False),
    ("home-phone.png", f"/?on={ON}", PHONE, False),
    ("query.png", "/sparql?" + urllib.parse.urlencode({"query": QUERY}), DESKTOP, False),
)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "cnipa_kg.cli", *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(data: Path):
    """``cnipa-kg serve --data DATA`` on a free port; yields its URL and stops it on the way out."""
    port = free_port()
    proc = subprocess.Popen(cli("serve", "--data", str(data), "--port", str(port), "--host", "127.0.0.1"))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"cnipa-kg serve stopped (exit {proc.returncode})")
            with contextlib.suppress(OSError), urllib.request.urlopen(url + "/", timeout=5):
                break
            if time.monotonic() > deadline:
                raise SystemExit("cnipa-kg serve did not answer within 120 s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def shoot(url: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit(f"no {CHROMIUM}: install Debian's chromium (make browser)")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True)
        try:
            for name, path, viewport, full_page in SHOTS:
                context = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1,
                                              color_scheme="light", reduced_motion="reduce")
                page = context.new_page()
                errors = []
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                response = page.goto(url + path)
                if response is None or response.status != 200:
                    raise SystemExit(f"{path}: {response and response.status}")
                page.wait_for_load_state("networkidle")
                page.evaluate("document.fonts.ready.then(() => true)")
                if errors:
                    raise SystemExit(f"{path}: {errors}")
                if name == "query.png":  # the editor completing a prefixed name on a new line
                    page.locator("#query-editor[data-ready]").wait_for()
                    page.locator("#query-editor .cm-line", has_text="skos:prefLabel").click()
                    page.keyboard.press("End")
                    page.keyboard.type("\n  ?division ckg:")
                    page.locator("#query-editor .cm-tooltip-autocomplete").wait_for()
                target = out / name
                page.screenshot(path=str(target), full_page=full_page, animations="disabled", caret="hide")
                written.append(target)
                context.close()
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="where the PNGs go")
    parser.add_argument("--data", type=Path, help="a release to serve (default: build one into a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cnipa-kg-shots-") as tmp:
        data = args.data
        if data is None:
            data = Path(tmp) / "dist"
            subprocess.run(cli("build", "--out", str(data), "-q"), check=True, cwd=ROOT)
        with serving(data) as url:
            for path in shoot(url, args.out):
                print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
