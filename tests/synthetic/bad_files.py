"""Synthetic broken inputs for tests/test_sources.py: encrypted, scanned (image-only), truncated and
malformed PDFs, broken and empty HTML pages, binary junk.

The output is synthetic, made at run time; where a file holds text, the text is derived from the real
notice data/notices/notice-2022-33.txt (through :mod:`.pdf_notice` and :mod:`.notice_parts`).
"""

from __future__ import annotations

import random
from pathlib import Path

from .pdf_notice import FONT, make_pdf


def encrypted_pdf(path: Path, *, user_password: str = "secret") -> None:
    """The notice as a PDF encrypted with reportlab's standard encryption. With an empty user
    password it opens without one (only printing/copying is restricted), as many issued PDFs do."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    make_pdf(path, encrypt=StandardEncryption(user_password, "owner-password", canModify=0))


def _scan(width: int = 600, height: int = 840):
    """A picture of a page (dark bars for lines of text), as a scanner would give it."""
    from PIL import Image, ImageDraw

    im = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(im)
    for y in range(80, height - 80, 28):
        draw.rectangle((60, y, width - 60 - (y * 7) % 120, y + 12), fill=30)
    return im


def image_only_pdf(path: Path, *, text_pages: int = 0) -> None:
    """``text_pages`` pages with the notice's 文号 as text, then two pages that are only a scan."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    from .notice_parts import notice_parts

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    c = Canvas(str(path), pagesize=A4)
    for _ in range(text_pages):
        c.setFont(FONT, 14)
        c.drawString(72, 760, notice_parts().docno)
        c.showPage()
    for _ in range(2):
        c.drawImage(ImageReader(_scan()), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()


def truncated_pdf(path: Path, source: Path) -> None:
    """The first half of a good PDF: an interrupted download."""
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def malformed_pdf(path: Path) -> None:
    """A PDF header and trailer around bytes that are no PDF objects."""
    junk = random.Random(33).randbytes(3000)
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\n" + junk
                     + b"\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Root 1 0 R /Size 1 >>\nstartxref\n999999\n%%EOF\n")


def junk(path: Path) -> None:
    """Random bytes under a notice's name."""
    path.write_bytes(random.Random(2022).randbytes(4096))


BROKEN_HTML = (  # unclosed and misnested tags: lxml recovers the text
    "<html><body><div><p>国知发运字〔2022〕33号<p>国家知识产权局关于确定国家知识产权强市建设试点示范城市的通知"
    "<table><tr><td>1<td>北京<td>海淀区<tr><td>2<td><td>朝阳区</table></span></b><p>特此通知。"
)
EMPTY_HTML = "<!DOCTYPE html><html><head><title>国知发运字〔2022〕33号</title><script>var a = 1;</script></head><body>\n \n</body></html>"


def owner_password_pdf(path: Path, lines: tuple[str, ...]) -> None:
    """A PDF that opens without a password but has an owner password (printing and copying
    restricted), as many issued PDFs do. Its text is ASCII in Helvetica: reportlab leaves the strings
    inside a CID font's inline CIDSystemInfo unencrypted, which a conforming reader such as pdfminer
    then garbles, so the Chinese font cannot be used here."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen.canvas import Canvas

    c = Canvas(str(path), pagesize=A4, encrypt=StandardEncryption("", "owner-password", canPrint=0, canCopy=0))
    c.setFont("Helvetica", 12)
    for i, line in enumerate(lines):
        c.drawString(72, 760 - 20 * i, line)
    c.drawCentredString(A4[0] / 2, 36, "- 1 -")
    c.showPage()
    c.save()
