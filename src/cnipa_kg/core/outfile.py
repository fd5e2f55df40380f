"""One output file written atomically, replacing a regular file only (never a link, a FIFO, a device …).

What ``reason --out`` and ``panel --out`` write: the data goes to a temporary file beside the target,
which is renamed over it once complete; a failure leaves the target as it was and no temporary file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import CnipaKgError, InputError


def kind_of(mode: int) -> str:
    """What a file of this ``st_mode`` is, for a message: ``a FIFO``, ``a symbolic link``, …"""
    for test, kind in ((stat.S_ISREG, "a regular file"), (stat.S_ISDIR, "a directory"), (stat.S_ISLNK, "a symbolic link"),
                       (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "a special file"


def check_file_out(path: str | Path) -> None:
    """Refuse an output file that :func:`write_file` must not replace: anything at ``path`` but a
    regular file (a symbolic link, not followed, a FIFO, a device, a socket, a directory). A new path
    is fine.

    :raises InputError: ``path`` is not a regular file (one line: the path and what it is)
    :raises CnipaKgError: ``path`` cannot be looked at (the system's reason)
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise CnipaKgError(f"{path}: cannot write: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        raise InputError(path, None, f"is {kind_of(mode)}, not a regular file; refusing to replace it: "
                                     "give a new path or a regular file")


def write_file(path: str | Path, data: bytes | Callable[[], bytes]) -> Path:
    """Write ``data`` (or what calling it returns) to ``path`` atomically, with the mode a new file gets
    (0666 less the umask). ``path`` must be new or a regular file (checked before ``data`` is made and
    again just before the rename: :func:`check_file_out`); nothing else is ever replaced, opened or followed.

    :raises InputError: ``path`` is a symbolic link, a FIFO, a device, a socket or a directory
    :raises CnipaKgError: the file cannot be written (one line: the path and the system's reason)
    """
    path = Path(path)
    check_file_out(path)
    if callable(data):
        data = data()
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o666 & ~_umask())  # mkstemp makes it 0600
            f.write(data)
        check_file_out(path)  # again: it may have been replaced while the graph was written
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise CnipaKgError(f"{path}: cannot write: {exc.strerror or exc}") from None
        raise
    return path


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it
    os.umask(mask)
    return mask
