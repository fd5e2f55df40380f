"""The one way the benchmarks write their results: a CSV with a header row, its folder made."""

from __future__ import annotations

import csv
from pathlib import Path


def write_rows(out: Path, rows: list[dict], fields: list[str] | None = None) -> None:
    """Write ``rows`` to ``out`` (columns ``fields``, default the first row's keys; other keys dropped)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields or list(rows[0]), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {out}")
