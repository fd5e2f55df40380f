"""Read a notice file as text: UTF-8 (with or without BOM) or GB18030/GBK.

Anything else (binary data, UTF-16, a broken UTF-8 byte in a UTF-8 file, an
empty or oversized file, a directory) is an :class:`~cnipa_kg.core.errors.InputError`
naming the file, and the line where there is one.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .errors import InputError

MAX_BYTES = 20 * 1024 * 1024  # a notice is a few kB; refuse anything absurd before reading it
MAX_RDF_BYTES = 1024 * 1024 * 1024  # an RDF file (a release of a thousand notices is a few hundred MiB)


def check_readable(path: str | Path, *, limit: int = MAX_BYTES) -> None:
    """Refuse, without reading it, anything that is not a readable regular file of at most
    ``limit`` bytes (so that a missing file is "no such file" before anything else is said of it)."""
    with _reading(path):
        _open_regular(Path(path), path, limit).close()


def read_bytes(path: str | Path, *, limit: int = MAX_BYTES) -> bytes:
    """Read ``path`` whole, with a clear error for anything that is not a readable regular file
    of at most ``limit`` bytes."""
    with _reading(path), _open_regular(Path(path), path, limit) as f:
        head = f.read(1 << 16)
        if b"\x00" in head:  # refuse binary data before reading a large file whole
            line = head[: head.index(b"\x00")].count(b"\n") + 1
            raise InputError(path, line, "binary data (NUL byte), expected a text file")
        return head + f.read()


def _open_regular(p: Path, path: str | Path, limit: int) -> BinaryIO:
    if p.is_dir():
        raise InputError(path, None, "is a directory, expected a file")
    st = p.stat()
    if not stat.S_ISREG(st.st_mode):
        raise InputError(path, None, "not a regular file (a pipe, device or socket): expected a file")
    size = st.st_size
    if size > limit:
        raise InputError(path, None, f"file too large ({size / 2**20:.0f} MiB; at most {limit // 2**20} MiB is read)")
    return p.open("rb")


@contextmanager
def _reading(path: str | Path) -> Iterator[None]:
    """An OS error while reading ``path`` becomes a one-line :class:`InputError`."""
    try:
        yield
    except FileNotFoundError:
        raise InputError(path, None, "no such file") from None
    except PermissionError:
        raise InputError(path, None, "permission denied") from None
    except OSError as exc:
        raise InputError(path, None, f"cannot read: {exc.strerror or exc}") from None


def decode(data: bytes, path: str | Path) -> str:
    """Decode notice bytes; ``path`` is only used in messages.

    >>> decode("国知发运字".encode("gb18030"), "n.txt")
    '国知发运字'
    >>> decode(b"\\xef\\xbb\\xbf" + "附件".encode(), "n.txt")
    '附件'
    """
    if not data.strip():
        raise InputError(path, None, "empty file")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError(path, line, "binary data (NUL byte), expected a text file in UTF-8 or GB18030")
    try:
        return _newlines(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        utf8_error = exc
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    good = sum(1 for c in lenient if ord(c) > 0x7F) - bad
    if good >= 20 * bad:
        # mostly valid multi-byte UTF-8 with a few broken bytes: broken UTF-8, not GB18030
        # (decoding it as GB18030 would silently give mojibake)
        line = data[: utf8_error.start].count(b"\n") + 1
        raise InputError(path, line, f"invalid UTF-8 byte 0x{data[utf8_error.start]:02x} at byte offset {utf8_error.start}")
    try:
        return _newlines(data.decode("gb18030"))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(path, line, "neither UTF-8 nor GB18030/GBK text") from None


def _newlines(text: str) -> str:
    """CRLF and old-Mac CR line ends become LF, so line numbers match what an editor shows."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_text(path: str | Path) -> tuple[str, bytes]:
    """Return ``(text, raw bytes)`` of a notice file."""
    data = read_bytes(path)
    return decode(data, path), data
