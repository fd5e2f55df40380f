"""Bad input (issue 3 §2): each error on a small broken copy of the real notice, through `cnipa-kg build`.

Every case asserts exit 2, one message on stderr naming the file and line (``FILE:LINE:``), no
traceback, and that nothing was written: ``--out`` is not created (or, if it existed, is unchanged).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from conftest import NOTICE, invoke

SOURCE_BYTES = NOTICE.read_bytes()
SOURCE_LINES = SOURCE_BYTES.decode("utf-8").split("\n")


def with_lines(**changes: str) -> bytes:
    """The real notice with some lines replaced: ``with_lines(l83="3 火星 滨海新区")`` (1-based)."""
    lines = list(SOURCE_LINES)
    for key, text in changes.items():
        lines[int(key[1:]) - 1] = text
    return "\n".join(lines).encode("utf-8")


def line(n: int) -> str:
    return SOURCE_LINES[n - 1]


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def assert_refused(runner, tmp_path: Path, source: Path, where: str, *needles: str) -> str:
    """Run ``build SOURCE --out OUT``; check exit 2, ``where`` + needles on stderr, nothing written."""
    out = tmp_path / "out"
    result = invoke(runner, "build", source, "--out", out)
    assert result.exit_code == 2, result.output
    assert where in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".out.*")), list(tmp_path.iterdir())
    return result.stderr


def broken(tmp_path: Path, data: bytes, name: str = "broken-notice.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# -- the source lines the broken copies change (guard against the fixture drifting) ----------------


def test_source_lines_used_below_are_the_expected_ones():
    assert line(1).strip() == "国知发运字〔2022〕33号"
    assert line(17) == "确定北京市海淀区等 38个城市（城区）为国家知识产权强市建"
    assert (line(77), line(83), line(106), line(126), line(192)) == ("北京", "3 天津 滨海新区", "11 苏州市", "17 芜湖市", "38 陕西 西安市")
    assert (line(318), line(320)) == ("40 洛阳市", "41 南阳市")


# -- one test per error --------------------------------------------------------------------------


def test_build_fails_when_file_empty(runner, tmp_path):
    source = broken(tmp_path, b"")
    assert_refused(runner, tmp_path, source, f"{source}: ", "empty")


def test_build_fails_when_file_only_whitespace(runner, tmp_path):
    source = broken(tmp_path, b"\n  \n\r\n\t\n")
    assert_refused(runner, tmp_path, source, f"{source}: ", "empty")


def test_build_fails_when_file_missing(runner, tmp_path):
    source = tmp_path / "no-such-notice.txt"
    assert_refused(runner, tmp_path, source, f"{source}: ", "no such file")


def test_build_fails_when_source_is_directory(runner, tmp_path):
    source = tmp_path / "notices"
    source.mkdir()
    assert_refused(runner, tmp_path, source, f"{source}: ", "directory")


def test_build_fails_when_no_docno(runner, tmp_path):
    source = broken(tmp_path, with_lines(l1=""))
    # the message points at the first text line, where the 文号 should have been
    assert_refused(runner, tmp_path, source, f"{source}:3:", "文号")


def test_build_fails_when_docno_malformed(runner, tmp_path):
    source = broken(tmp_path, with_lines(l1=" 国知发运字第33号"))
    assert_refused(runner, tmp_path, source, f"{source}:1:", "文号")


def test_build_fails_when_serial_gap(runner, tmp_path):
    # drop row 17 of annex 1 (芜湖市): 16 is followed by 18
    source = broken(tmp_path, with_lines(l126=""))
    assert_refused(runner, tmp_path, source, f"{source}:128:", "annex 1", "18", "17")


def test_build_fails_when_serial_repeated(runner, tmp_path):
    source = broken(tmp_path, with_lines(l126="16 芜湖市"))
    assert_refused(runner, tmp_path, source, f"{source}:126:", "annex 1", "16", "repeat")


def test_build_fails_when_annex_count_differs_from_declared(runner, tmp_path):
    data = SOURCE_BYTES.decode("utf-8").replace("38个", "39个").encode("utf-8")
    assert data != SOURCE_BYTES
    source = broken(tmp_path, data)
    # reported where annex 1 ends (line 192, row 38), naming the body line that declares 39
    assert_refused(runner, tmp_path, source, f"{source}:192:", "annex 1", "38", "39", "line 17")


def test_build_fails_when_annex_has_more_rows_than_declared(runner, tmp_path):
    data = SOURCE_BYTES.decode("utf-8").replace("72个", "71个").encode("utf-8")
    source = broken(tmp_path, data)
    # reported where annex 2 ends (line 410, row 72), naming the body line that declares 71
    assert_refused(runner, tmp_path, source, f"{source}:410:", "annex 2", "72", "71", "line 19")


def test_build_fails_when_name_not_in_code_table(runner, tmp_path):
    # 朝阳区 exists in 北京 and 吉林, not in 天津: resolved within the printed province only
    source = broken(tmp_path, with_lines(l83="3 天津 朝阳区"))
    assert_refused(runner, tmp_path, source, f"{source}:83:", "朝阳区", "天津")


@pytest.mark.parametrize(
    ("lineno", "text"),
    [(83, "3 火星 滨海新区"), (77, "火星")],
    ids=["cell-in-row", "cell-on-own-line"],
)
def test_build_fails_when_province_unknown(runner, tmp_path, lineno, text):
    source = broken(tmp_path, with_lines(**{f"l{lineno}": text}))
    assert_refused(runner, tmp_path, source, f"{source}:{lineno}:", "火星", "province")


def test_build_fails_when_table_cut_off(runner, tmp_path):
    # the file ends after row 41 of annex 2 (line 320): no rows 42-72, no 印发/抄送 lines
    source = broken(tmp_path, "\n".join(SOURCE_LINES[:320]).encode("utf-8") + b"\n")
    assert_refused(runner, tmp_path, source, f"{source}:320:", "cut off", "annex 2", "41", "72")


@pytest.mark.parametrize(("lineno", "text", "serial"), [(106, "11", 11), (83, "3 天津", 3)], ids=["bare-serial", "serial-and-province"])
def test_build_fails_when_row_has_no_name(runner, tmp_path, lineno, text, serial):
    source = broken(tmp_path, with_lines(**{f"l{lineno}": text}))
    assert_refused(runner, tmp_path, source, f"{source}:{lineno}:", f"row {serial}", "no name")


def test_build_fails_when_invalid_utf8_in_middle(runner, tmp_path):
    at = SOURCE_BYTES.index("苏州市".encode("utf-8"))  # line 106
    source = broken(tmp_path, SOURCE_BYTES[:at] + b"\xff" + SOURCE_BYTES[at:])
    assert_refused(runner, tmp_path, source, f"{source}:106:", "UTF-8")


def test_build_fails_when_binary_data(runner, tmp_path):
    source = broken(tmp_path, gzip.compress(SOURCE_BYTES, mtime=0), name="notice-2022-33.txt.gz")
    assert_refused(runner, tmp_path, source, f"{source}:1:", "binary")


def test_build_fails_when_nul_bytes_in_middle(runner, tmp_path):
    at = SOURCE_BYTES.index("苏州市".encode("utf-8"))  # line 106
    source = broken(tmp_path, SOURCE_BYTES[:at] + b"\x00\x00\x00" + SOURCE_BYTES[at:])
    assert_refused(runner, tmp_path, source, f"{source}:106:", "binary")


def test_build_fails_when_utf16(runner, tmp_path):
    source = broken(tmp_path, SOURCE_BYTES.decode("utf-8").encode("utf-16"))
    stderr = assert_refused(runner, tmp_path, source, f"{source}:")
    assert "UTF-8" in stderr or "binary" in stderr


# -- nothing written --------------------------------------------------------------------------


def test_build_keeps_previous_release_when_build_fails(runner, tmp_path):
    out = tmp_path / "out"
    good = invoke(runner, "build", NOTICE, "--out", out)
    assert good.exit_code == 0, good.output
    before = snapshot(out)
    assert set(before) >= {"cnipa-kg.ttl", "cnipa-kg.nt", "cnipa-kg.jsonld", "designations.csv"}

    source = broken(tmp_path, SOURCE_BYTES.decode("utf-8").replace("38个", "39个").encode("utf-8"))
    result = invoke(runner, "build", source, "--out", out)
    assert result.exit_code == 2
    assert f"{source}:192:" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken-notice.txt", "out"]


def test_build_writes_nothing_when_second_source_bad(runner, tmp_path):
    source = broken(tmp_path, with_lines(l126=""))
    out = tmp_path / "out"
    result = invoke(runner, "build", NOTICE, source, "--out", out)
    assert result.exit_code == 2
    assert f"{source}:128:" in result.stderr
    assert not out.exists()


def test_build_fails_when_two_province_cells_precede_a_name(runner, tmp_path):
    """A known province out of place is named as such (it used to be called an 'unknown province')."""
    assert [line(n) for n in range(76, 80)] == ["1", "北京", "", "海淀区"]
    source = broken(tmp_path, with_lines(l78="天津"))
    message = assert_refused(runner, tmp_path, source, f"{source}:78:", "second province cell '天津' after '北京'")
    assert "unknown province" not in message
