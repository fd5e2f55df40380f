"""Extraction of the real notice 国知发运字〔2022〕33号 in both layouts, against the hand-written golden table.

Every variant below is generated from the real source text in the test itself (tmp_path):
other encodings, line endings, digit widths, separators and cell placements must give the same rows.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from conftest import GOLDEN, PLAIN, read_tsv

from cnipa_kg.extract import extract, extract_text, parse_docno
from cnipa_kg.reference.provinces import lookup
from cnipa_kg.core.records import DocNumber

GOLDEN_ROWS = [(int(r["annex"]), int(r["serial"]), r["province"], r["name"]) for r in read_tsv(GOLDEN / "notice-2022-33.tsv")]


def row_tuples(notice) -> list[tuple[int, int, str, str]]:
    return [(r.annex, r.serial, r.province, r.name) for r in notice.rows]


def normalised_rows(notice) -> list[tuple[int, int, str, str]]:
    """Rows with the province as its short name (a full name 北京市 is the same province as 北京)."""
    out = []
    for r in notice.rows:
        province = lookup(r.province)
        assert province is not None, f"row {r.annex}/{r.serial}: {r.province!r} is not a province"
        out.append((r.annex, r.serial, province.short, r.name))
    return out


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# -- the golden table -------------------------------------------------------------------------


def test_golden_table_has_110_rows_38_and_72():
    assert len(GOLDEN_ROWS) == 110
    assert [r[1] for r in GOLDEN_ROWS if r[0] == 1] == list(range(1, 39))
    assert [r[1] for r in GOLDEN_ROWS if r[0] == 2] == list(range(1, 73))


def test_extract_pdf_layout_equals_golden(records):
    assert row_tuples(records) == GOLDEN_ROWS


def test_extract_plain_layout_equals_golden():
    assert row_tuples(extract(PLAIN)) == GOLDEN_ROWS


def test_extract_plain_layout_gives_same_notice_facts(records):
    plain = extract(PLAIN)
    for field in ("number", "title", "addressees", "cited", "period_start", "period_end", "selection_steps",
                  "work_plan_months", "work_plan_issuer", "work_plan_filed_with", "issuer", "date",
                  "printed_by", "print_date", "copy_to", "publication_status"):
        assert getattr(plain, field) == getattr(records, field), field
    for a, b in zip(plain.annexes, records.annexes, strict=True):
        assert (a.number, a.title, a.level, a.level_label, a.declared_count) == (b.number, b.title, b.level, b.level_label, b.declared_count)


# -- notice facts pinned from the source text ----------------------------------------------------


def test_extract_docno_when_pdf_layout(records):
    assert records.number == DocNumber(text="国知发运字〔2022〕33号", series="国知发运字", year=2022, number=33)


def test_extract_title_when_split_over_two_lines(records):
    assert records.title == "国家知识产权局关于确定国家知识产权强市建设试点示范城市的通知"


def test_extract_addressees_when_split_over_two_lines(records):
    assert records.addressees == ("各省、自治区、直辖市和新疆生产建设兵团知识产权局", "四川省知识产权服务促进中心", "各地方有关中心")


def test_extract_cited_documents_with_titles_numbers_and_issuers(records):
    cited = {c.title: c for c in records.cited}
    assert list(cited) == [
        "国家知识产权局办公室关于面向城市、县域、园区开展知识产权强国建设试点示范工作的通知",
        "知识产权强国建设纲要（2021—2035年）",
        "“十四五”国家知识产权保护和运用规划",
    ]
    notice_1197 = cited["国家知识产权局办公室关于面向城市、县域、园区开展知识产权强国建设试点示范工作的通知"]
    assert notice_1197.number == DocNumber(text="国知办函运字〔2021〕1197号", series="国知办函运字", year=2021, number=1197)
    assert notice_1197.issuers == ("国家知识产权局办公室",)
    assert notice_1197.line == 11
    outline = cited["知识产权强国建设纲要（2021—2035年）"]
    assert outline.number is None
    assert outline.issuers == ("中共中央", "国务院")
    assert outline.line == 30
    plan = cited["“十四五”国家知识产权保护和运用规划"]
    assert plan.number is None
    assert plan.issuers == ("国务院",)
    assert plan.line == 32


def test_extract_declared_counts_and_levels(records):
    assert [(a.number, a.declared_count, a.level) for a in records.annexes] == [(1, 38, "demonstration"), (2, 72, "pilot")]
    assert [a.level_label for a in records.annexes] == ["国家知识产权强市建设示范城市", "国家知识产权强市建设试点城市"]
    assert [len(a.rows) for a in records.annexes] == [38, 72]


def test_extract_annex_titles_and_heading_lines(records):
    assert [(a.number, a.title, a.line) for a in records.annexes] == [
        (1, "国家知识产权强市建设示范城市名单", 70),
        (2, "国家知识产权强市建设试点城市名单", 193),
    ]


def test_extract_period_when_spaces_inside_numbers(records):
    # 时限自 2022年 7月至 2025年 6月: first day of July 2022 .. last day of June 2025
    assert (records.period_start, records.period_end) == (date(2022, 7, 1), date(2025, 6, 30))


def test_extract_selection_steps(records):
    assert records.selection_steps == ("地方申报推荐", "材料审查", "专家评审")


def test_extract_work_plan_duty(records):
    assert records.work_plan_months == 2
    assert records.work_plan_issuer == "城市人民政府"
    assert records.work_plan_filed_with == ("省（自治区、直辖市）知识产权局", "国家知识产权局运用促进司")


def test_extract_signature_and_date(records):
    assert records.issuer == "国家知识产权局"
    assert records.date == date(2022, 8, 4)


def test_extract_printing_office_and_date(records):
    assert records.printed_by == "国家知识产权局办公室"
    assert records.print_date == date(2022, 8, 4)


def test_extract_copy_to(records):
    assert records.copy_to == ("各有关城市（城区）人民政府",)


def test_extract_publication_status(records):
    assert records.publication_status == "此件公开发布"


def test_extract_source_metadata(records, notice_path):
    import hashlib

    assert records.source.name == "notice-2022-33.txt"
    assert records.source.sha256 == hashlib.sha256(notice_path.read_bytes()).hexdigest()


# -- row source lines -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("annex", "serial", "lines", "text"),
    [
        (1, 1, (76, 77, 79), "1 北京 海淀区"),  # serial, province and name each on their own line
        (1, 2, (81,), "2 朝阳区"),  # province carried down from row 1
        (1, 3, (83,), "3 天津 滨海新区"),  # one line, three cells
        (1, 10, (100, 102, 104), "10 江苏 南京市"),
        (1, 16, (121, 122, 124), "16 安徽 合肥市"),  # first row after a repeated page header
        (1, 38, (192,), "38 陕西 西安市"),
        (2, 1, (199, 201, 203), "1 北京 丰台区"),
        (2, 71, (405, 406, 408), "71 新疆 昌吉回族自治州"),
        (2, 72, (410,), "72 克拉玛依市"),
    ],
)
def test_extract_row_source_lines(records, annex, serial, lines, text):
    row = next(r for r in records.rows if (r.annex, r.serial) == (annex, serial))
    assert row.lines == lines
    assert row.text == text


def test_extract_row_source_lines_when_plain_layout():
    plain_lines = PLAIN.read_text(encoding="utf-8").split("\n")
    notice = extract(PLAIN)
    assert len(notice.rows) == 110
    for row in notice.rows:
        assert len(row.lines) == 1, row
        assert plain_lines[row.lines[0] - 1].split() == [str(row.serial), row.province, row.name]


def test_parse_docno_when_spaces_and_fullwidth_digits():
    assert parse_docno("国知办函运字〔２０２１〕 １１９７号") == DocNumber("国知办函运字〔2021〕1197号", "国知办函运字", 2021, 1197)


def test_extract_text_when_given_decoded_text(notice_text):
    assert row_tuples(extract_text(notice_text, path="n.txt")) == GOLDEN_ROWS


# -- variants generated from the real text ------------------------------------------------------


def test_extract_when_gb18030_encoded(tmp_path, notice_text):
    path = write(tmp_path, "gb18030.txt", notice_text.encode("gb18030"))
    notice = extract(path)
    assert row_tuples(notice) == GOLDEN_ROWS
    assert notice.number.text == "国知发运字〔2022〕33号"
    assert notice.cited[1].title == "知识产权强国建设纲要（2021—2035年）"


def test_extract_when_utf8_with_bom(tmp_path, notice_text):
    path = write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + notice_text.encode("utf-8"))
    notice = extract(path)
    assert row_tuples(notice) == GOLDEN_ROWS
    assert notice.number.text == "国知发运字〔2022〕33号"


def test_extract_when_crlf_line_endings(tmp_path, notice_text):
    path = write(tmp_path, "crlf.txt", notice_text.replace("\n", "\r\n").encode("utf-8"))
    notice = extract(path)
    assert row_tuples(notice) == GOLDEN_ROWS
    assert notice.rows[0].lines == (76, 77, 79)
    assert notice.copy_to == ("各有关城市（城区）人民政府",)


def _table_lines(text: str):
    """Indices of the lines of the annex tables (after the 附件 1 heading, before the 印发 line)."""
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.strip() == "附件 1")
    end = next(i for i, ln in enumerate(lines) if ln.strip().endswith("印发"))
    return lines, range(start + 1, end)


def test_extract_when_fullwidth_digits_in_serials(tmp_path, notice_text):
    lines, table = _table_lines(notice_text)
    fullwidth = str.maketrans("0123456789", "０１２３４５６７８９")
    changed = 0
    for i in table:
        if re.match(r"^\s*\d", lines[i]):
            lines[i] = lines[i].translate(fullwidth)
            changed += 1
    assert changed == 110
    assert "１ 北京 丰台区" not in lines  # sanity: only serials changed, rows keep their layout
    path = write(tmp_path, "fullwidth.txt", "\n".join(lines).encode("utf-8"))
    assert row_tuples(extract(path)) == GOLDEN_ROWS


def test_extract_when_rows_tab_separated(tmp_path, notice_text):
    lines, table = _table_lines(notice_text)
    changed = 0
    for i in table:
        if re.match(r"^\s*\d+ ", lines[i]):
            lines[i] = "\t".join(lines[i].split())
            changed += 1
        elif lines[i].strip().startswith("序号"):
            lines[i] = "\t".join(lines[i].split())
    assert changed > 60
    path = write(tmp_path, "tabs.txt", "\n".join(lines).encode("utf-8"))
    assert row_tuples(extract(path)) == GOLDEN_ROWS


def test_extract_when_province_written_as_full_name(tmp_path, notice_text):
    lines = notice_text.split("\n")
    assert (lines[76], lines[101], lines[405], lines[82]) == ("北京", "江苏", "新疆", "3 天津 滨海新区")
    lines[76] = "北京市"  # own line, covers rows 1-2 of annex 1
    lines[101] = "江苏省"
    lines[405] = "新疆维吾尔自治区"
    lines[82] = "3 天津市 滨海新区"  # inside a one-line row
    path = write(tmp_path, "fullname.txt", "\n".join(lines).encode("utf-8"))
    notice = extract(path)
    assert normalised_rows(notice) == GOLDEN_ROWS
    assert {r.province for r in notice.rows if (r.annex, r.serial) in {(1, 1), (1, 2)}} <= {"北京", "北京市"}


def test_extract_when_province_line_before_its_first_serial(tmp_path, notice_text):
    """Swap every bare serial line with the province line that follows it: 北京 / 1 / 海淀区."""
    lines = notice_text.split("\n")
    provinces = {r[2] for r in GOLDEN_ROWS}
    swapped = 0
    i = 0
    while i < len(lines):
        if re.fullmatch(r"\s*\d+\s*", lines[i]):
            j = next(k for k in range(i + 1, len(lines)) if lines[k].strip())
            if lines[j].strip() in provinces:
                lines[i], lines[j] = lines[j], lines[i]
                swapped += 1
                i = j
        i += 1
    assert swapped == 29
    path = write(tmp_path, "province-first.txt", "\n".join(lines).encode("utf-8"))
    assert row_tuples(extract(path)) == GOLDEN_ROWS


def test_extract_when_province_line_before_first_serial_of_annex(tmp_path, notice_text):
    lines = notice_text.split("\n")
    assert lines[75:79] == ["1", "北京", "", "海淀区"]
    lines[75:79] = ["北京", "1", "", "海淀区"]
    path = write(tmp_path, "province-first-annex1.txt", "\n".join(lines).encode("utf-8"))
    notice = extract(path)
    assert row_tuples(notice) == GOLDEN_ROWS
    assert notice.rows[0].lines[-1] == 79


def test_extract_plain_layout_when_separated_by_spaces(tmp_path):
    text = PLAIN.read_text(encoding="utf-8")
    assert "\t" in text
    spaced = "\n".join("   ".join(ln.split("\t")) if "\t" in ln else ln for ln in text.split("\n"))
    assert "\t" not in spaced
    path = write(tmp_path, "plain-spaces.txt", spaced.encode("utf-8"))
    assert row_tuples(extract(path)) == GOLDEN_ROWS


def test_extract_plain_layout_when_gbk_encoded(tmp_path):
    text = PLAIN.read_text(encoding="utf-8")
    path = write(tmp_path, "plain-gbk.txt", text.encode("gbk"))
    assert row_tuples(extract(path)) == GOLDEN_ROWS


def test_extract_plain_layout_when_separated_by_ideographic_spaces(tmp_path):
    text = PLAIN.read_text(encoding="utf-8")
    assert "\t" in text
    path = write(tmp_path, "plain-ideographic.txt", text.replace("\t", "\u3000").encode("utf-8"))
    assert row_tuples(extract(path)) == GOLDEN_ROWS
