"""Synthetic PDF copies of the real notice data/notices/notice-2022-33.txt, made with reportlab.

The output is synthetic: a PDF this project lays out from the real notice's text (body lines one per
PDF line, a page number ``— N —`` at the foot of each page, the annexes as ruled tables with columns
序号 / 省份 / 城市（城区）, a province cell spanning its rows, the header repeated on each page). It
uses reportlab's built-in CID font STSong-Light, which needs no font file. Nothing is committed.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from .notice_parts import NoticeParts, notice_parts

FONT = "STSong-Light"


def make_pdf(path: Path, parts: NoticeParts | None = None, *, encrypt=None, footer: str = "— {n} —") -> dict[str, int]:
    """Write the notice as a PDF at ``path``; return the page of each paragraph's text and of each
    annex row (key ``"annex N row S"``), as reportlab laid them out."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import (
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    parts = parts or notice_parts()
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=13, leading=24)
    centred = ParagraphStyle("centred", parent=body, alignment=TA_CENTER)
    heading = ParagraphStyle("heading", parent=body, fontSize=15, leading=28, alignment=TA_CENTER)
    pages: dict[str, int] = {}
    annex = [0]

    class Doc(SimpleDocTemplate):
        def afterFlowable(self, flowable):
            if isinstance(flowable, Paragraph):
                text = flowable.getPlainText()
                pages.setdefault(text, self.page)
                if text.replace(" ", "").startswith("附件") and text.replace(" ", "")[2:].isdigit():
                    annex[0] = int(text.replace(" ", "")[2:])
            elif isinstance(flowable, Table):
                for row in flowable._cellvalues:
                    if str(row[0]).isdigit():
                        pages.setdefault(f"annex {annex[0]} row {row[0]}", self.page)

    def foot(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 11)
        canvas.drawCentredString(A4[0] / 2, 36, footer.format(n=doc.page))
        canvas.restoreState()

    story = []
    for line in parts.body:
        style = centred if line in (parts.docno,) or parts.title.startswith(line) else body
        story.append(Paragraph(escape(line), style))
    for table in parts.annexes:
        story += [PageBreak(), Paragraph(f"附件 {table.number}", body), Paragraph(escape(table.title), heading), Spacer(1, 8)]
        data = [["序号", "省份", "城市（城区）"]]
        style = [("FONT", (0, 0), (-1, -1), FONT, 12), ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                 ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (0, 0), (-1, -1), "CENTER")]
        for first, count in table.groups():
            for k in range(count):
                serial, province, name = table.rows[first + k]
                data.append([str(serial), province if k == 0 else "", name])
            if count > 1:
                style.append(("SPAN", (1, first + 1), (1, first + count)))
        story.append(Table(data, colWidths=[60, 130, 220], rowHeights=24, repeatRows=1, style=TableStyle(style)))
    story += [Spacer(1, 24)] + [Paragraph(escape(line), body) for line in parts.closing]

    doc = Doc(str(path), pagesize=A4, leftMargin=60, rightMargin=60, topMargin=72, bottomMargin=72,
              title="synthetic copy of 国知发运字〔2022〕33号", encrypt=encrypt)
    doc.build(story, onFirstPage=foot, onLaterPages=foot)
    return pages


def framed_pdf(path: Path, lines: list[str]) -> None:
    """``lines`` (from the real notice) drawn one per line inside a frame with a narrow empty column
    on its left (as letterheads and boxed passages are): ruled like a table, but not one."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    c = Canvas(str(path), pagesize=A4)
    c.setFont(FONT, 13)
    top = 780
    for i, line in enumerate(lines):
        c.drawString(110, top - 22 * i, line)
    c.rect(60, top - 22 * len(lines), A4[0] - 120, 22 * len(lines) + 20)
    c.line(90, top - 22 * len(lines), 90, top + 20)  # the empty left column
    c.line(60, top - 22 * len(lines) - 30, A4[0] - 60, top - 22 * len(lines) - 30)  # a lone rule
    c.showPage()
    c.save()
