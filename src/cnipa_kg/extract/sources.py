"""Read a notice in the form the user downloaded it: a text file, a PDF or a saved web page.

:func:`read_source` gives a :class:`SourceText`: the notice as simplified-Chinese lines that the
extractor reads, with the file's provenance (name, SHA-256) and, for a PDF, the page of each line.

* Text (``.txt`` or any other name, unless its first bytes say PDF or HTML): :func:`core.decode.read_text
  <cnipa_kg.core.decode.read_text>`, with all its checks (UTF-8 with or without BOM, GB18030/GBK).
* PDF (``.pdf``, or bytes starting with ``%PDF-``), read with pdfplumber (pdfminer.six): per page, the
  lines outside ruled tables in reading order and each table row as one line, cells joined with a TAB
  (a cell that spans rows, such as a province, is in its first row; the rows it spans have an empty
  cell; a frame around a block of text is no table); page numbers such as ``— 3 —`` are dropped, and
  Kangxi radicals that some fonts map their glyphs to (``⽇``) read as the ideographs (``日``).
  Encrypted, scanned (no text layer), truncated or malformed files are one
  :class:`~cnipa_kg.core.errors.InputError` naming the file (and the page).
* HTML (``.html``/``.htm``, or bytes starting with ``<!doctype html`` or ``<html``), parsed with
  lxml.html without any network access: scripts, styles, navigation and the head are dropped, block
  elements end lines and the cells of a table row are joined with a TAB. The rest of the page stays
  (site lines such as 当前位置 or 发布时间 are left for the extractor to skip).
* Traditional characters are converted to simplified with OpenCC (``t2s``), line by line, so the
  line numbers of a message are those of the file; the text before conversion is kept.

The module is over 300 lines because the three readers share the checks and the result type, and
each reader is small; the PDF and HTML libraries are imported only when such a file is read.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..core.decode import MAX_BYTES, check_readable, read_text, sha256
from ..core.errors import CnipaKgError, InputError

MAX_PAGES = 500  # a notice has a few pages; refuse a book before reading it
_MAX_CELL_LINES = 3  # a table cell of more lines (or, in HTML, one holding a table) is page layout, not data
_HEAD = 4096  # bytes read to tell a PDF or an HTML page from a text file
_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")


@dataclass(frozen=True)
class SourceText:
    path: str  #: as the user gave it (for messages)
    name: str  #: file name only (provenance)
    sha256: str  #: of the file's bytes
    kind: str  #: "text", "pdf" or "html"
    text: str  #: simplified Chinese, "\n" line ends, one line per text line
    original: str | None  #: the text before traditional->simplified conversion, if anything was converted
    pages: tuple[int, ...] | None  #: PDF only: the 1-based page of each line of ``text``


def read_source(path: str | Path) -> SourceText:
    """Read a notice file of any supported kind; every failure is one :class:`InputError`."""
    p = Path(path)
    check_readable(path)  # no such file, a directory, too large: before anything else
    head = _head(path)
    if not head.strip():
        raise InputError(path, None, "empty file")
    kind = _kind(path, head)
    pages: tuple[int, ...] | None = None
    if kind == "text":
        text, data = read_text(path)
    else:
        data = _read_all(path)
        if not data.strip():
            raise InputError(path, None, "empty file")
        if kind == "pdf":
            lines, page_of = _pdf_lines(data, path)
            text, pages = "\n".join(lines), tuple(page_of)
        else:
            text = "\n".join(_html_lines(data, path))
    simplified, original = _simplified(text)
    if pages is not None:
        assert len(pages) == simplified.count("\n") + 1
    return SourceText(path=str(path), name=p.name, sha256=sha256(data), kind=kind, text=simplified,
                      original=original, pages=pages)


# -- kind and bytes ------------------------------------------------------------------------------

def _head(path: str | Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(_HEAD)
    except OSError as exc:
        raise InputError(path, None, f"cannot read: {exc.strerror or exc}") from None


def _read_all(path: str | Path) -> bytes:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(path, None, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:  # grew since it was checked
        raise InputError(path, None, f"file too large (at most {MAX_BYTES // 2**20} MiB is read)")
    return data


def _kind(path: str | Path, head: bytes) -> str:
    suffix = Path(path).suffix.lower()
    if b"%PDF-" in head[:1024]:  # the header may follow a little junk (PDF 1.7, annex H)
        return "pdf"
    html = _looks_html(head)
    if suffix == ".pdf":
        hint = ": it is an HTML page (a failed download or an error page?)" if html else ""
        raise InputError(path, None, f"not a PDF file (it does not start with %PDF-){hint}")
    if suffix in (".mht", ".mhtml") or head.startswith((b"MIME-Version:", b"From: <Saved by")):
        raise InputError(path, None, "a web archive (MHTML): save the page as HTML (\"Webpage, HTML only\") or as text")
    if html or suffix in _HTML_SUFFIXES:
        return "html"
    return "text"


_HTML_START = re.compile(r"^(?:\s|<\?xml[^>]*>|<!--.*?-->)*<(?:!doctype\s+html|html[\s>])", re.DOTALL | re.IGNORECASE)


def _looks_html(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("latin-1").removeprefix("\xef\xbb\xbf")
    return _HTML_START.match(text) is not None


# -- PDF -------------------------------------------------------------------------------------------

_DASHES = "-－—–‒―−~～_"
#: a page number alone: "— 3 —", "- 3 -", "第 3 页", "第3页 共5页", "3/5"
_PAGE_NUMBER = re.compile(rf"^[{_DASHES}]+\s*\d{{1,4}}\s*[{_DASHES}]+$|^第\s*\d{{1,4}}\s*页(\s*[/／,，]?\s*共\s*\d{{1,4}}\s*页)?$"
                          r"|^\d{1,4}\s*[/／]\s*\d{1,4}$")
_BARE_NUMBER = re.compile(r"^\d{1,4}$")
_CID = re.compile(r"\(cid:\d+\)")
#: Kangxi radicals and compatibility ideographs that some PDF fonts map their glyphs to (⽇ for 日)
_RADICALS = re.compile("[\u2f00-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")


def _pdf_lines(data: bytes, path: str | Path) -> tuple[list[str], list[int]]:
    pdfplumber = _library("pdfplumber", "PDF")
    if b"%%EOF" not in data[-8192:]:
        raise InputError(path, None, "truncated PDF (no %%EOF at its end: an incomplete download?)")
    with _quiet("pdfminer", "pdfplumber"):
        return _pdf_pages(pdfplumber, data, path)


def _pdf_pages(pdfplumber, data: bytes, path: str | Path) -> tuple[list[str], list[int]]:
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        count = len(pdf.pages)
    except Exception as exc:  # noqa: BLE001 - any failure of the parser is a malformed input
        raise _pdf_error(path, exc, None) from None
    lines: list[str] = []
    page_of: list[int] = []
    scanned: list[int] = []
    with pdf:
        if count == 0:
            raise InputError(path, None, "PDF has no pages")
        if count > MAX_PAGES:
            raise InputError(path, None, f"PDF has {count} pages; at most {MAX_PAGES} are read")
        for number, page in enumerate(pdf.pages, start=1):
            try:
                found = _page_lines(page)
            except Exception as exc:  # noqa: BLE001
                raise _pdf_error(path, exc, number) from None
            finally:
                page.close()
            if found is None:
                scanned.append(number)
                continue
            for text in found:
                if m := _CID.search(text):
                    raise InputError(path, None, f"page {number}: a font without a Unicode map (text reads {m.group(0)}): "
                                     "the PDF has no usable text layer")
                lines.append(text)
                page_of.append(number)
    if not lines:
        raise InputError(path, None, "no text layer (a scanned PDF?): the text cannot be read" if scanned
                         else "PDF has no text")
    if scanned:
        which = ", ".join(map(str, scanned[:5])) + (" …" if len(scanned) > 5 else "")
        raise InputError(path, None, f"page{'s' if len(scanned) > 1 else ''} {which}: no text layer (scanned?): the text there cannot be read")
    return lines, page_of


@contextmanager
def _quiet(*loggers: str) -> Iterator[None]:
    """Silence the parser's warnings about a damaged file while it is read: what matters is said
    once, as an InputError, or the text is read despite them."""
    saved = [(logging.getLogger(name), logging.getLogger(name).level) for name in loggers]
    for logger, _ in saved:
        logger.setLevel(logging.ERROR + 10)
    try:
        yield
    finally:
        for logger, level in saved:
            logger.setLevel(level)


def _page_lines(page) -> list[str] | None:
    """The lines of one page in reading order; None for a page that is an image without text."""
    page = page.dedupe_chars()  # bold made by printing a character twice
    if not page.chars:
        area = float(page.width * page.height) or 1.0
        covered = sum(float((im["x1"] - im["x0"]) * (im["bottom"] - im["top"])) for im in page.images)
        return None if covered >= 0.25 * area else []
    items: list[tuple[float, float, str, bool]] = []  # (top, x0, text, in a table)
    tables = [(t, t.extract()) for t in page.find_tables()]
    tables = [(t, rows) for t, rows in tables if _data_table(rows)]
    boxes = [t.bbox for t, _ in tables]
    for table, rows in tables:
        for row, cells in zip(table.rows, rows):
            texts = [_join(c.split("\n")) if c else "" for c in cells]
            while texts and not texts[-1]:
                texts.pop()
            if any(texts):
                items.append((float(row.bbox[1]), float(row.bbox[0]), "\t".join(texts), True))
    outside = page.filter(lambda o: o.get("object_type") != "char" or not _inside(o, boxes)) if boxes else page
    for ln in outside.extract_text_lines(return_chars=False):
        items.append((float(ln["top"]), float(ln["x0"]), ln["text"].strip(), False))
    items.sort(key=lambda it: (it[0], it[1]))
    height = float(page.height)
    out = []
    for top, _x0, text, in_table in items:
        if not text:
            continue
        if not in_table and (_PAGE_NUMBER.match(text) or (_BARE_NUMBER.match(text) and (top < 0.08 * height or top > 0.9 * height))):
            continue  # a page header or footer
        out.append(_RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text))
    return out


def _data_table(rows: list[list[str | None]]) -> bool:
    """A table of data, not a frame drawn around a block of text (one cell, or cells of many lines)."""
    cells = [c for row in rows for c in row if c]
    return bool(cells) and max(len(row) for row in rows) > 1 and all(c.count("\n") < _MAX_CELL_LINES for c in cells)


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _pdf_error(path: str | Path, exc: BaseException, page: int | None) -> InputError:
    if isinstance(exc, MemoryError):
        raise exc
    chain: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and e not in chain and len(chain) < 10:
        chain.append(e)
        e = e.__cause__ or e.__context__ or next((a for a in e.args if isinstance(a, BaseException)), None)
    names = {type(e).__name__ for e in chain}
    where = f"page {page}: " if page else ""
    if names & {"PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning"}:
        return InputError(path, None, f"{where}encrypted PDF that needs a password to open: save an unprotected copy")
    inner = chain[-1]
    detail = _CONTROL.sub("?", " ".join(str(inner).split())) or type(inner).__name__
    detail = detail if len(detail) <= 120 else detail[:119] + "…"
    return InputError(path, None, f"{where}malformed PDF ({type(inner).__name__}: {detail})")


# -- HTML ------------------------------------------------------------------------------------------

_DROP = frozenset((
    "script", "style", "noscript", "template", "nav", "head", "title", "iframe", "frame", "object", "embed",
    "svg", "math", "select", "datalist", "canvas", "audio", "video",
))
_BLOCK = frozenset((
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "thead", "tfoot", "ul", "td", "th", "tr",
))
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([-\w.:]{1,40})", re.IGNORECASE)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
            "euc-cn": "gb18030", "big5": "big5hkscs", "cp950": "big5hkscs", "iso-8859-1": "cp1252",
            "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252"}
_WS = re.compile(r"[ \t\n\r\f]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _html_lines(data: bytes, path: str | Path) -> list[str]:
    lxml_html = _library("lxml.html", "HTML")
    text = _html_decode(data, path)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses a str with an encoding declaration
    parser = lxml_html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, recover=True)
    try:
        root = lxml_html.document_fromstring(text, parser=parser)
    except Exception as exc:  # noqa: BLE001 - lxml's ParserError for a page with no element at all
        raise InputError(path, None, f"not a readable HTML page ({exc})") from None
    lines = _Walker().lines(root)
    if not lines:
        raise InputError(path, None, "no text in the HTML page (after dropping scripts, styles, navigation and the head)")
    return lines


def _html_decode(data: bytes, path: str | Path) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    elif data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    else:
        # UTF-8 first: GBK bytes are never valid UTF-8, and a page saved in UTF-8 often keeps its old meta tag
        candidates = ["utf-8", *(_declared(data)), "gb18030"]
    for encoding in dict.fromkeys(candidates):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if (m := _CONTROL.search(text)) and ("\x00" in text or len(_CONTROL.findall(text)) * 100 > len(text)):
            raise InputError(path, text[: m.start()].count("\n") + 1, "binary data (control characters), expected an HTML page")
        return text
    line = None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
    declared = ", ".join(_declared(data)) or "none"
    raise InputError(path, line, f"cannot decode the HTML page (declared charset: {declared}; neither UTF-8 nor GB18030)")


def _declared(data: bytes) -> list[str]:
    m = _META_CHARSET.search(data[:16384])
    if not m:
        return []
    label = m.group(1).decode("ascii", errors="replace").lower()
    label = _ALIASES.get(label, label)
    try:
        return [codecs.lookup(label).name]
    except LookupError:
        return []


class _Walker:
    """Turns an HTML tree into lines (iteratively: a deeply nested page cannot exhaust the stack)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.buf: list[str] = []
        self.spans: list[dict[int, int]] = []  # per open table: column -> rows still covered by a rowspan
        self.pre = 0  # inside <pre>: its line breaks are lines

    def lines(self, root) -> list[str]:
        stack = [(root, False)]
        while stack:
            el, done = stack.pop()
            if done:
                self._end(el)
            elif self._start(el):
                stack.append((el, True))
                if el.text:
                    self._text(el.text)
                stack.extend((child, False) for child in reversed(el))
                continue
            if el is not root and el.tail:
                self._text(el.tail)
        self._newline()
        return self.out

    def _start(self, el) -> bool:
        """Handle an opening tag; True to read what is inside."""
        if not isinstance(el.tag, str):
            return False  # a comment or processing instruction left by the parser
        tag = el.tag.lower()
        if tag in _DROP or el.get("hidden") is not None or _HIDDEN.search(el.get("style", "")):
            return False
        if tag == "br":
            self._newline()
            return False
        if tag == "tr" and (cells := self._row(el)) is not None:
            self._newline()
            if any(cells):
                self.out.append("\t".join(cells))
            return False
        if tag == "table":
            self.spans.append({})
        self.pre += tag == "pre"
        if tag in _BLOCK:
            self._newline()
        return True

    def _end(self, el) -> None:
        tag = el.tag.lower()
        if tag == "table" and self.spans:
            self.spans.pop()
        self.pre -= tag == "pre"
        if tag in _BLOCK:
            self._newline()

    def _row(self, tr) -> list[str] | None:
        """The cells of a data row (rowspans filled with empty cells), or None for a layout row."""
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
        if not cells or any(c.find(".//table") is not None for c in cells):
            return None
        texts = [_Walker().lines(c) for c in cells]
        if any(len(t) > _MAX_CELL_LINES for t in texts):
            return None
        spans = self.spans[-1] if self.spans else {}
        out: list[str] = []
        col = 0
        for cell, lines in zip(cells, texts):
            while spans.get(col, 0) > 0:
                spans[col] -= 1
                out.append("")
                col += 1
            colspan = min(max(_int(cell.get("colspan")), 1), 50)
            rowspan = min(max(_int(cell.get("rowspan")), 1), 10_000)
            out.append(_join(lines))
            out.extend([""] * (colspan - 1))
            if rowspan > 1:
                for k in range(colspan):
                    spans[col + k] = rowspan - 1
            col += colspan
        for c in [c for c in spans if c >= col and spans[c] > 0]:
            spans[c] -= 1
        while out and not out[-1]:
            out.pop()
        return out

    def _text(self, text: str) -> None:
        if not self.pre:
            self.buf.append(text)
            return
        for i, part in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
            if i:
                self._newline()
            self.buf.append(part)

    def _newline(self) -> None:
        if self.buf:
            line = _WS.sub(_space, "".join(self.buf)).strip()
            self.buf.clear()
            if line:
                self.out.append(line)


def _int(value: str | None) -> int:
    m = re.match(r"\s*(\d{1,6})", value or "")
    return int(m.group(1)) if m else 1


def _space(m: re.Match) -> str:
    """HTML white space: one space, none for a line break between two Chinese characters
    (CSS Text 3's segment break rule for East Asian wide characters)."""
    run, s, at = m.group(0), m.string, m.start()
    if ("\n" in run or "\r" in run) and 0 < at and m.end() < len(s) and _wide(s[at - 1]) and _wide(s[m.end()]):
        return ""
    return " "


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _join(parts: list[str]) -> str:
    """Join the lines of a cell: no space between two Chinese characters, one space otherwise."""
    out = ""
    for part in (p.strip() for p in parts):
        if part:
            out = out + part if not out or (_wide(out[-1]) and _wide(part[0])) else f"{out} {part}"
    return out


# -- traditional -> simplified ---------------------------------------------------------------------

TRADITIONAL_SHARE = 0.02  #: a text is traditional when t2s changes at least this share of its characters


def _simplified(text: str) -> tuple[str, str | None]:
    """``(simplified text, original or None)``; converted line by line, so lines stay where they were.

    Only a text written in traditional characters is converted: a simplified text keeps the few
    characters that t2s would also change (乾县 stays 乾县, not 干县; 於潜 stays 於潜), since a
    traditional text changes many (國、區、產、權 … are everywhere in these documents).
    """
    if text.isascii():
        return text, None
    convert = _t2s()
    lines = text.split("\n")
    converted = [convert(line) for line in lines]
    assert len(converted) == len(lines) and not any("\n" in c for c in converted)
    simplified = "\n".join(converted)
    changed = sum(a != b for a, b in zip(text, simplified)) if len(simplified) == len(text) else len(text)
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff") or 1
    if simplified == text or changed / cjk < TRADITIONAL_SHARE:
        return text, None
    return simplified, text


@lru_cache(maxsize=1)
def _t2s():
    opencc = _library("opencc", "traditional Chinese")
    try:
        return opencc.OpenCC("t2s").convert
    except Exception:  # noqa: BLE001 - opencc-python-reimplemented names the file with its suffix
        return opencc.OpenCC("t2s.json").convert


def _library(module: str, what: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        package = {"lxml.html": "lxml"}.get(module, module)
        raise CnipaKgError(f"reading {what} needs the Python package {package} (pip install {package})") from None
