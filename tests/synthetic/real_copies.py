"""The real copies of data/notices/ in the other forms users save them in, made at run time (no binary is
committed): a saved web page (each line a paragraph in site chrome, a table of cells for the lines of a
table, the category cell spanning its rows), a PDF (the same lines laid out by reportlab, table rows as a
ruled table), and the text with full-width punctuation restored where the copy has ASCII.

The output is synthetic markup and layout this project writes around the real texts; the words are theirs.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

FONT = "STSong-Light"  # reportlab's built-in CID font for simplified Chinese
_CELL = re.compile(r"^(?:(?P<category>\S+(?: 城市)?) )?(?P<serial>\d{1,3}) (?P<name>\S+)$")
_FULL = str.maketrans({",": "，", ":": "：", "(": "（", ")": "）", ";": "；", "!": "！", "?": "？"})


def table_rows(lines: list[str]) -> tuple[int, int, list[list[str]]] | None:
    """(first, last, rows) of the lines that are table rows (序号 名称 with an optional category cell before)."""
    rows, first, last = [], None, None
    for i, line in enumerate(lines):
        text = line.strip()
        if first is None and text.startswith("类别") and "序号" in text:
            first = i
            rows.append(text.split())
            continue
        if first is not None and (m := _CELL.match(text)):
            rows.append([(m.group("category") or "").replace(" ", ""), m.group("serial"), m.group("name")])
            last = i
        elif first is not None and last is not None:
            break
    return None if first is None else (first, last, rows)


def full_width(text: str) -> str:
    """ASCII punctuation made full-width, as the issuer prints it (dates 2013-07-24 and 10:00 left alone)."""
    out = []
    for line in text.split("\n"):
        line = re.sub(r"(?<=\d):(?=\d)", "\0", line)  # a time
        out.append(line.translate(_FULL).replace("\0", ":"))
    return "\n".join(out)


def make_html(text: str, *, charset: str = "utf-8") -> bytes:
    lines = text.split("\n")
    table = table_rows(lines)
    body: list[str] = []
    i = 0
    while i < len(lines):
        if table and i == table[0]:
            cells = []
            header, *rows = table[2]
            cells.append("<tr>" + "".join(f"<th>{escape(c)}</th>" for c in header) + "</tr>")
            for k, row in enumerate(rows):
                span = 1
                while k + span < len(rows) and not rows[k + span][0]:
                    span += 1
                first = f'<td rowspan="{span}">{escape(row[0])}</td>' if row[0] else ""
                cells.append(f"<tr>{first}<td>{escape(row[1])}</td><td>{escape(row[2])}</td></tr>")
            body.append("<table border=\"1\">" + "".join(cells) + "</table>")
            i = table[1] + 1
            continue
        if lines[i].strip():
            body.append(f"<p>{escape(lines[i].strip())}</p>")
        i += 1
    page = (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>转载</title>'
            "<script>var x = '不应出现';</script><style>p{margin:0}</style></head><body>"
            '<nav><a href="/">首页</a> &gt; <a href="/news">新闻</a></nav><div class="article">'
            + "".join(body) + "</div><footer>版权所有</footer></body></html>")
    return page.encode(charset)


def make_pdf(path: Path, text: str) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    style = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=20)
    lines = text.split("\n")
    table = table_rows(lines)
    story = []
    i = 0
    while i < len(lines):
        if table and i == table[0]:
            header, *rows = table[2]
            data = [header] + [[r[0], r[1], r[2]] for r in rows]
            spans = []
            k = 0
            while k < len(rows):
                span = 1
                while k + span < len(rows) and not rows[k + span][0]:
                    span += 1
                if span > 1:
                    spans.append(("SPAN", (0, k + 1), (0, k + span)))
                k += span
            grid = Table(data, colWidths=[90, 50, 200])
            grid.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 11), ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                                      ("VALIGN", (0, 0), (-1, -1), "TOP"), *spans]))
            story.append(grid)
            i = table[1] + 1
            continue
        if lines[i].strip():
            story.append(Paragraph(escape(lines[i].strip()), style))
        i += 1
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
