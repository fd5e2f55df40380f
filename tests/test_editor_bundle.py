"""The query editor's bundle (``src/cnipa_kg/web/assets/editor.js``): built by ``editor/build.mjs`` from the
npm packages of ``editor/package-lock.json`` and committed, so that a pip install needs no Node.js.
``make editor-check`` (part of ``make test``) rebuilds it and compares byte for byte; these tests read
what is committed: the bundle says which packages it holds, at the lock file's versions, with their
licences, loads nothing from another origin, and stays off the static site (which has no endpoint)."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "src" / "cnipa_kg" / "web" / "assets"
EDITOR = ROOT / "editor"


def _bundled() -> dict[str, str]:
    """name -> version, from the bundle's first line."""
    head = (ASSETS / "editor.js").read_text(encoding="utf-8").split("\n", 1)[0]
    assert head.startswith("/* cnipa-kg SPARQL editor") and head.endswith("*/"), head[:200]
    return dict(re.findall(r"((?:@[\w.-]+/)?[\w.-]+)@(\d[\w.+-]*) \(", head))


def test_the_bundle_holds_the_lock_files_versions():
    lock = json.loads((EDITOR / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    bundled = _bundled()
    for name, version in bundled.items():
        assert lock[f"node_modules/{name}"]["version"] == version, f"{name}: run `make editor` and commit"
    wanted = json.loads((EDITOR / "package.json").read_text(encoding="utf-8"))["dependencies"]
    for name, version in wanted.items():
        assert bundled.get(name) == version, f"{name}@{version} of editor/package.json is not in the bundle"
    assert "esbuild" not in bundled  # the bundler builds it, it is not in it


def test_each_bundled_package_has_its_licence():
    licences = (ASSETS / "editor.js.LICENSE").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^== ((?:@[\w.-]+/)?[\w.-]+)@(\S+) ", licences, flags=re.M))
    assert sections == _bundled()
    assert licences.count("Permission is hereby granted, free of charge") >= len(sections)  # MIT, each with its text


def test_the_bundle_loads_nothing_from_elsewhere():
    js = (ASSETS / "editor.js").read_text(encoding="utf-8")
    # no CDN, no dynamic code: what the page's CSP (script-src 'self', no 'unsafe-eval') would refuse
    assert not re.search(r"""(?:import\(|importScripts|new Function\(|\beval\()""", js)
    assert not re.search(r"""["'`]https?://(?!www\.w3\.org/)""", js), "the bundle names a URL to load from"


def test_the_static_site_has_no_editor(tmp_path, release_dir):
    from cnipa_kg.sitegen.writer import write_site

    write_site(release_dir, tmp_path / "site")
    assets = {p.name for p in (tmp_path / "site" / "assets").iterdir()}
    assert {"style.css", "site.js"} <= assets
    assert not assets & {"editor.js", "editor.js.LICENSE", "query.js"}  # the server's query page only
    pages = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html"))
    assert "editor.js" not in pages and "query.js" not in pages
