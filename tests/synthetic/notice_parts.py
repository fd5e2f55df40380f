"""The parts of the real notice (data/notices/notice-2022-33.txt) that the synthetic fixtures are made
of: its front matter and body lines, its annex tables and its closing lines.

The fixtures built from these parts are synthetic (a PDF or web page this project made, not one the
issuer published); only their text is the real notice's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

NOTICE = Path(__file__).resolve().parents[2] / "data" / "notices" / "notice-2022-33.txt"


@dataclass(frozen=True)
class AnnexTable:
    number: int
    title: str
    rows: tuple[tuple[int, str, str], ...]  # (serial, province, name)

    def groups(self) -> list[tuple[int, int]]:
        """(first row index, row count) of each run of rows with the same province (a merged cell)."""
        out: list[tuple[int, int]] = []
        for i, (_s, province, _n) in enumerate(self.rows):
            if out and self.rows[out[-1][0]][1] == province:
                out[-1] = (out[-1][0], out[-1][1] + 1)
            else:
                out.append((i, 1))
        return out


@dataclass(frozen=True)
class NoticeParts:
    docno: str  # 国知发运字〔2022〕33号
    title: str  # the title on one line
    body: tuple[str, ...]  # non-empty lines from the 文号 through （此件公开发布）, as in the source
    annexes: tuple[AnnexTable, ...]
    closing: tuple[str, ...]  # the 印发 and 抄送 lines


def notice_parts(path: Path = NOTICE) -> NoticeParts:
    """Split the real notice into the parts a fixture lays out (the rows are read by the project's
    own extractor, which the other tests check against the golden files)."""
    from cnipa_kg.extract import extract

    notice = extract(path)
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").split("\n")]
    nonempty = [ln for ln in lines if ln]
    first_annex = next(i for i, ln in enumerate(nonempty) if ln.replace(" ", "") == "附件1")
    closing = tuple(ln for ln in nonempty if ln.endswith("印发") or ln.startswith("抄送"))
    annexes = tuple(
        AnnexTable(a.number, a.title, tuple((r.serial, r.province, r.name) for r in a.rows)) for a in notice.annexes
    )
    return NoticeParts(docno=notice.number.text, title=notice.title, body=tuple(nonempty[:first_annex]),
                       annexes=annexes, closing=closing)
