"""read_source: a notice as a text file, a PDF or a saved web page (issue 15).

Every PDF and HTML file here is synthetic, made at run time by tests/synthetic/ from the real notice
data/notices/notice-2022-33.txt (no binary is committed)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from conftest import NOTICE

from cnipa_kg.core.decode import read_text, sha256
from cnipa_kg.core.errors import InputError
from cnipa_kg.extract import extract, extract_text, sources
from cnipa_kg.extract.sources import SourceText, read_source

pytest.importorskip("pdfplumber")
pytest.importorskip("reportlab")
pytest.importorskip("lxml.html")
opencc = pytest.importorskip("opencc")

from synthetic import bad_files
from synthetic.html_notice import HIDDEN, SITE_AFTER, SITE_BEFORE, make_html, paragraphs
from synthetic.notice_parts import notice_parts
from synthetic.pdf_notice import framed_pdf, make_pdf


@pytest.fixture(scope="module")
def parts():
    return notice_parts()


@pytest.fixture(scope="module")
def pdf(tmp_path_factory, parts):
    path = tmp_path_factory.mktemp("pdf") / "notice-2022-33.pdf"
    laid_out = make_pdf(path, parts)
    return path, laid_out, read_source(path)


@pytest.fixture(scope="module")
def html(tmp_path_factory, parts):
    path = tmp_path_factory.mktemp("html") / "notice-2022-33.html"
    path.write_bytes(make_html(parts, ascii_punctuation=True))
    return read_source(path)


def row_lines(table) -> list[str]:
    """The line of each annex row: serial, province (in the first row of its merged cell), name."""
    out = []
    for first, count in table.groups():
        for k in range(count):
            serial, province, name = table.rows[first + k]
            out.append(f"{serial}\t{province if k == 0 else ''}\t{name}")
    return out


def in_order(needles: list[str], lines: list[str]) -> bool:
    it = iter(lines)
    return all(any(n == line for line in it) for n in needles)


def rows_of(notice) -> list[tuple[int, int, str, str]]:
    return [(a.number, r.serial, r.province, r.name) for a in notice.annexes for r in a.rows]


# -- text ------------------------------------------------------------------------------------------

def test_a_text_file_is_read_as_core_decode_reads_it():
    s = read_source(NOTICE)
    text, data = read_text(NOTICE)
    assert s == SourceText(path=str(NOTICE), name="notice-2022-33.txt", sha256=sha256(data), kind="text",
                           text=text, original=None, pages=None)


def test_a_gb18030_text_file_with_another_suffix(tmp_path):
    path = tmp_path / "notice.doc.txt.bak"
    path.write_bytes(NOTICE.read_text(encoding="utf-8").encode("gb18030"))
    s = read_source(path)
    assert (s.kind, s.text, s.name) == ("text", NOTICE.read_text(encoding="utf-8"), "notice.doc.txt.bak")


def test_magic_bytes_win_over_the_suffix(tmp_path, pdf):
    as_txt = tmp_path / "download.txt"
    as_txt.write_bytes(pdf[0].read_bytes())
    page = tmp_path / "saved.txt"
    page.write_bytes(b"\xef\xbb\xbf<!-- saved from url=(0030)http://www.example.invalid/ -->\n<!DOCTYPE html><p>\xe9\x99\x84\xe4\xbb\xb6</p>")
    assert (read_source(as_txt).kind, read_source(as_txt).text) == ("pdf", pdf[2].text)
    assert (read_source(page).kind, read_source(page).text) == ("html", "附件")


# -- PDF -------------------------------------------------------------------------------------------

def test_pdf_has_the_docno_title_and_body_lines_in_order(pdf, parts):
    _, _, s = pdf
    lines = s.text.split("\n")
    assert s.kind == "pdf" and s.original is None and s.name == "notice-2022-33.pdf"
    assert lines[0] == parts.docno == "国知发运字〔2022〕33号"
    assert "".join(lines[1:3]) == parts.title
    assert in_order([ln.strip() for ln in parts.body], lines)
    assert in_order(list(parts.closing), lines)


def test_pdf_table_rows_are_one_line_each_with_the_merged_province_in_its_first_row(pdf, parts):
    _, _, s = pdf
    lines = s.text.split("\n")
    for table in parts.annexes:
        assert in_order([f"附件 {table.number}", table.title, "序号\t省份\t城市（城区）"], lines)
        assert in_order(row_lines(table), lines), f"annex {table.number}"
    assert sum(1 for ln in lines if re.match(r"\d+\t", ln)) == sum(len(t.rows) for t in parts.annexes)
    assert "2\t\t朝阳区" in lines and "10\t江苏\t南京市" in lines and "11\t\t苏州市" in lines


def test_pdf_pages_give_the_page_of_each_line(pdf, parts):
    _, laid_out, s = pdf
    lines = s.text.split("\n")
    assert len(s.pages) == len(lines) and list(s.pages) == sorted(s.pages)
    page_of = dict(zip(lines, s.pages))
    assert page_of[parts.docno] == 1
    assert page_of["附件 2"] == laid_out["附件 2"] > page_of["附件 1"] == laid_out["附件 1"] > 1
    for table in parts.annexes:
        for line, (serial, _p, _n) in zip(row_lines(table), table.rows):
            at = lines.index(line, lines.index(f"附件 {table.number}"))
            assert s.pages[at] == laid_out[f"annex {table.number} row {serial}"], line
    assert s.pages[-1] == laid_out[parts.closing[-1]] == max(s.pages)


@pytest.mark.parametrize("footer", ["— {n} —", "- {n} -", "－{n}－", "第 {n} 页", "第{n}页 共8页", "{n}"])
def test_page_numbers_are_dropped(tmp_path, parts, footer):
    path = tmp_path / "n.pdf"
    make_pdf(path, parts, footer=footer)
    s = read_source(path)
    assert not [ln for ln in s.text.split("\n") if re.fullmatch(r"[-－—\s]*\d+[-－—\s]*|第.*页.*", ln)]
    assert len(s.text.split("\n")) == len(s.pages)


def test_pdf_text_extracts_as_the_text_notice(pdf):
    _, _, s = pdf
    notice = extract_text(s.text, path=s.path, digest=s.sha256)
    real = extract(NOTICE)
    assert rows_of(notice) == rows_of(real)
    assert (notice.number, notice.title, notice.date, notice.copy_to) == (real.number, real.title, real.date, real.copy_to)


def test_a_pdf_with_only_an_owner_password_is_read(tmp_path):
    path = tmp_path / "restricted.pdf"
    bad_files.owner_password_pdf(path, ("Notice 33 of 2022", "Annex 1"))
    assert read_source(path).text == "Notice 33 of 2022\nAnnex 1"


# -- HTML ------------------------------------------------------------------------------------------

def test_html_keeps_the_site_lines_and_the_title_above_the_docno(html, parts):
    lines = html.text.split("\n")
    assert html.kind == "html" and html.pages is None and html.original is None
    assert lines[0] == "当前位置：首页 > 政务 > 通知公告"
    assert lines.index(parts.title) < lines.index(parts.docno)
    assert in_order(list(SITE_BEFORE) + [parts.docno] + list(SITE_AFTER), lines)
    assert not [h for h in HIDDEN if h in html.text]  # script, style, nav, head, hidden elements


def test_html_paragraphs_and_punctuation_are_kept(html, parts):
    lines = html.text.split("\n")
    paras = [p.replace("附件：", "附件:").replace("（此件公开发布）", "(此件公开发布)").replace("（名单见附件", "(名单见附件")
             for p in paragraphs(parts)]
    assert in_order(paras, lines)
    assert "(此件公开发布)" in lines and "附件:1.国家知识产权强市建设示范城市名单" in lines
    assert "抄送:各有关城市（城区）人民政府。" in lines


def test_html_table_rows_are_tab_separated_with_rowspans_as_empty_cells(html, parts):
    lines = html.text.split("\n")
    for table in parts.annexes:
        assert in_order([f"附件{table.number}", table.title, "序号\t省份\t城市（城区）", *row_lines(table)], lines)


def test_html_text_extracts_as_the_text_notice(html):
    assert rows_of(extract_text(html.text, path=html.path)) == rows_of(extract(NOTICE))


@pytest.mark.parametrize("http_equiv", [False, True])
@pytest.mark.parametrize("charset", ["gbk", "GB2312", "gb18030"])
def test_html_in_gbk_reads_as_in_utf8(tmp_path, parts, charset, http_equiv):
    utf8, gbk = tmp_path / "u.html", tmp_path / "g.htm"
    utf8.write_bytes(make_html(parts))
    gbk.write_bytes(make_html(parts, charset=charset, http_equiv=http_equiv))
    assert read_source(gbk).text == read_source(utf8).text


def test_html_with_a_wrong_charset_falls_back(tmp_path, parts):
    path = tmp_path / "n.html"
    path.write_bytes(make_html(parts, charset="gbk").replace(b"charset=\"gbk\"", b"charset=\"utf-8\""))
    assert parts.docno in read_source(path).text.split("\n")


def test_broken_html_is_read(tmp_path):
    path = tmp_path / "broken.html"
    path.write_text(bad_files.BROKEN_HTML, encoding="utf-8")
    assert read_source(path).text.split("\n") == [
        "国知发运字〔2022〕33号", "国家知识产权局关于确定国家知识产权强市建设试点示范城市的通知",
        "1\t北京\t海淀区", "2\t\t朝阳区", "特此通知。"]


def test_html_fetches_nothing_and_expands_no_external_entity(tmp_path):
    path = tmp_path / "xxe.html"
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    '<html><head><link rel="stylesheet" href="http://www.example.invalid/a.css"></head>'
                    '<body><p>附件&x;1</p><iframe src="http://www.example.invalid/"></iframe>'
                    '<img src="file:///etc/passwd"></body></html>', encoding="utf-8")
    s = read_source(path)
    assert "root:" not in s.text and "附件" in s.text


# -- traditional characters ------------------------------------------------------------------------

def test_a_traditional_text_file_is_read_as_simplified(tmp_path):
    simplified = NOTICE.read_text(encoding="utf-8")
    traditional = opencc.OpenCC("s2t").convert(simplified)
    assert traditional != simplified
    path = tmp_path / "traditional.txt"
    path.write_text(traditional, encoding="utf-8")
    s = read_source(path)
    assert (s.text, s.original) == (simplified, traditional)
    assert s.text.count("\n") == s.original.count("\n")
    assert rows_of(extract_text(s.text, path=s.path)) == rows_of(extract(NOTICE))


def test_a_traditional_big5_page_is_read_as_simplified(tmp_path, parts):
    simplified, traditional = tmp_path / "s.html", tmp_path / "t.html"
    simplified.write_bytes(make_html(parts))
    traditional.write_bytes(make_html(parts, charset="big5", convert="s2tw"))
    s = read_source(traditional)
    assert s.text == read_source(simplified).text
    assert "國知發運字〔2022〕33號" in s.original.split("\n")
    assert len(s.original.split("\n")) == len(s.text.split("\n"))


# -- errors: one InputError naming the file --------------------------------------------------------

def _make(tmp_path: Path, pdf_path: Path, case: str) -> Path:
    name = {"encrypted": "enc.pdf", "scanned": "scan.pdf", "partly scanned": "part.pdf", "truncated": "cut.pdf",
            "malformed": "bad.pdf", "junk": "junk.txt", "junk pdf": "junk.pdf", "junk html": "junk.html",
            "html as pdf": "notice.pdf", "empty html": "empty.html", "nul html": "nul.html", "empty": "empty.txt",
            "mhtml": "page.mht", "missing": "missing.pdf", "directory": "dir.html"}[case]
    path = tmp_path / name
    if case == "encrypted":
        bad_files.encrypted_pdf(path)
    elif case == "scanned":
        bad_files.image_only_pdf(path)
    elif case == "partly scanned":
        bad_files.image_only_pdf(path, text_pages=1)
    elif case == "truncated":
        bad_files.truncated_pdf(path, pdf_path)
    elif case == "malformed":
        bad_files.malformed_pdf(path)
    elif case.startswith("junk"):
        bad_files.junk(path)
    elif case == "html as pdf":
        path.write_bytes(b"<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>")
    elif case == "empty html":
        path.write_text(bad_files.EMPTY_HTML, encoding="utf-8")
    elif case == "nul html":
        path.write_bytes(b"<html><body><p>\xe9\x99\x84\x00\x00\x00\x00</p></body></html>")
    elif case == "empty":
        path.write_bytes(b" \n\r\n")
    elif case == "mhtml":
        path.write_bytes(b"From: <Saved by Blink>\r\nMIME-Version: 1.0\r\n\r\n")
    elif case == "directory":
        path.mkdir()
    return path


ERRORS = {
    "encrypted": "encrypted PDF that needs a password",
    "scanned": "no text layer (a scanned PDF?)",
    "partly scanned": "pages 2, 3: no text layer",
    "truncated": "truncated PDF",
    "malformed": "malformed PDF",
    "junk": "binary data",
    "junk pdf": "not a PDF file",
    "junk html": "cannot decode the HTML page",
    "html as pdf": "it is an HTML page",
    "empty html": "no text in the HTML page",
    "nul html": "binary data",
    "empty": "empty file",
    "mhtml": "a web archive (MHTML)",
    "missing": "no such file",
    "directory": "is a directory",
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_a_bad_file_is_one_input_error_naming_it(tmp_path, pdf, case):
    path = _make(tmp_path, pdf[0], case)
    with pytest.raises(InputError) as info:
        read_source(path)
    message = str(info.value)
    assert message.startswith(str(path)) and path.name in message
    assert ERRORS[case] in message and "\n" not in message and "Traceback" not in message


def test_too_many_pages(pdf, monkeypatch):
    monkeypatch.setattr(sources, "MAX_PAGES", 3)
    with pytest.raises(InputError, match=r"notice-2022-33\.pdf: PDF has \d+ pages; at most 3 are read"):
        read_source(pdf[0])


def test_a_damaged_pdf_is_read_or_refused_never_a_traceback(tmp_path, pdf):
    data = pdf[0].read_bytes()
    rng = random.Random(15)
    for i in range(12):
        damaged = bytearray(data)
        at = rng.randrange(len(data) - 200)
        damaged[at:at + 40] = rng.randbytes(40)
        path = tmp_path / f"damaged-{i}.pdf"
        path.write_bytes(bytes(damaged))
        try:
            s = read_source(path)
        except InputError as exc:
            assert str(exc).startswith(str(path))
        else:
            assert len(s.pages) == len(s.text.split("\n"))


def test_html_in_a_page_layout_table_reads_as_without_it(tmp_path, parts):
    plain, layout = tmp_path / "plain.html", tmp_path / "layout.html"
    plain.write_bytes(make_html(parts))
    layout.write_bytes(make_html(parts, layout_table=True))
    lines = read_source(layout).text.split("\n")
    assert [ln for ln in lines if ln not in ("左侧栏目", "政策解读", "图片新闻", "专题专栏")] == read_source(plain).text.split("\n")
    assert lines.index("左侧栏目") < lines.index(parts.docno)


def test_html_cells_lines_spans_and_pre(tmp_path):
    path = tmp_path / "cells.html"
    path.write_text(
        "<html><body><table>"
        "<tr><th>序号</th><th>省份</th><th>城市（城区）</th></tr>"
        '<tr><td>71</td><td rowspan="2">新疆</td><td>昌吉回族<br>自治州</td></tr>'
        "<tr><td>72</td><td>克拉玛依市</td></tr>"
        '<tr><td colspan="2">合计</td><td>2</td></tr>'
        "</table><pre>附件 1\n  2022年 8月 4日\r\n</pre><p>国家知识产权局\n办公室 2022 年</p></body></html>", encoding="utf-8")
    assert read_source(path).text.split("\n") == [
        "序号\t省份\t城市（城区）", "71\t新疆\t昌吉回族自治州", "72\t\t克拉玛依市", "合计\t\t2",
        "附件 1", "2022年 8月 4日", "国家知识产权局办公室 2022 年"]


def test_a_frame_around_text_is_not_a_table(tmp_path, parts):
    path = tmp_path / "framed.pdf"
    body = [ln.strip() for ln in parts.body[:8]]
    framed_pdf(path, body)
    assert read_source(path).text.split("\n") == body


def test_kangxi_radicals_from_a_pdf_font_read_as_ideographs():
    assert sources._RADICALS.sub(lambda m: sources.unicodedata.normalize("NFKC", m.group(0)), "2022年8⽉4⽇") == "2022年8月4日"
