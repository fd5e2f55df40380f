"""Decoding notice files: UTF-8 (with or without BOM) and GB18030/GBK are read; anything else is refused.

All inputs are the real notice's text (or parts of it) in the encoding under test.
"""

from __future__ import annotations

import gzip

import pytest
from conftest import NOTICE, PLAIN

from cnipa_kg.core.decode import decode, read_bytes, read_text, sha256
from cnipa_kg.core.errors import InputError

TEXT = NOTICE.read_text(encoding="utf-8")
LINES = TEXT.split("\n")


def test_decode_when_utf8():
    assert decode(TEXT.encode("utf-8"), "n.txt") == TEXT


def test_decode_when_utf8_with_bom():
    assert decode(b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "n.txt") == TEXT


def test_decode_when_gb18030():
    assert decode(TEXT.encode("gb18030"), "n.txt") == TEXT


def test_decode_when_gbk():
    assert decode(TEXT.encode("gbk"), "n.txt") == TEXT


def test_decode_when_plain_layout_gbk():
    plain = PLAIN.read_text(encoding="utf-8")
    assert decode(plain.encode("gbk"), "n.txt") == plain


def test_decode_when_gb18030_four_byte_characters():
    # 䶮 (U+4DAE) and 𠀀 (U+20000) are four-byte sequences in GB18030, outside GBK
    text = LINES[0] + "\n䶮𠀀\n" + "\n".join(LINES[1:])
    data = text.encode("gb18030")
    assert len("𠀀".encode("gb18030")) == 4
    assert decode(data, "n.txt") == text


@pytest.mark.parametrize(
    "first_line",
    ["时限自 2022年 7月至 2025年 6月。", "8 山西 太原市", "知识产权工作高地，引领带动全省知识产权高质量发展。"],
    ids=["line-23", "line-221", "line-42"],
)
def test_decode_when_gb18030_starts_with_bytes_that_look_like_utf8(first_line):
    """GB18030 text whose first characters happen to form valid UTF-8 sequences (时 = CA B1 = U+02B1 ...).

    The lines are from the real notice; GBK lead bytes C2-DF with trail bytes 80-BF are
    well-formed two-byte UTF-8, so about one line in ten of the notice starts this way.
    """
    text = "\n".join([first_line, *LINES])
    assert decode(text.encode("gb18030"), "n.txt") == text


def test_decode_when_crlf_or_cr_line_ends_normalised():
    crlf = TEXT.replace("\n", "\r\n")
    assert decode(crlf.encode("gb18030"), "n.txt") == TEXT
    cr = TEXT.replace("\n", "\r")
    assert decode(cr.encode("utf-8"), "n.txt") == TEXT


def _refused(data: bytes) -> InputError:
    with pytest.raises(InputError) as info:
        decode(data, "n.txt")
    assert str(info.value).startswith("n.txt")
    return info.value


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_decode_refuses_utf16_and_utf32(encoding):
    error = _refused(TEXT.encode(encoding))
    assert error.line == 1


def test_decode_refuses_binary_data():
    error = _refused(gzip.compress(TEXT.encode("utf-8"), mtime=0))
    assert error.line == 1
    assert "binary" in error.message


def test_decode_refuses_nul_byte_and_names_its_line():
    data = TEXT.encode("utf-8")
    at = data.index("苏州市".encode("utf-8"))
    error = _refused(data[:at] + b"\x00" + data[at:])
    assert error.line == 106


def test_decode_refuses_invalid_utf8_in_middle_and_names_its_line():
    data = TEXT.encode("utf-8")
    at = data.index("苏州市".encode("utf-8"))
    error = _refused(data[:at] + b"\xff" + data[at:])
    assert error.line == 106
    assert "UTF-8" in error.message


def test_decode_refuses_latin1():
    error = _refused("Notice no. 33, café\n".encode("latin-1"))
    assert error.line == 1


@pytest.mark.parametrize("data", [b"", b"\n\n", b" \t\r\n"], ids=["empty", "newlines", "whitespace"])
def test_decode_refuses_empty(data):
    error = _refused(data)
    assert error.line is None
    assert "empty" in error.message


def test_read_text_returns_text_and_raw_bytes(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes(TEXT.encode("gbk"))
    text, raw = read_text(path)
    assert text == TEXT
    assert raw == TEXT.encode("gbk")
    assert sha256(raw) == __import__("hashlib").sha256(raw).hexdigest()


def test_read_bytes_refuses_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file") as info:
        read_bytes(tmp_path / "missing.txt")
    assert info.value.path == str(tmp_path / "missing.txt")
    assert info.value.line is None


def test_read_bytes_refuses_directory(tmp_path):
    with pytest.raises(InputError, match="directory"):
        read_bytes(tmp_path)
