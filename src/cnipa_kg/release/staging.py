"""The atomic directory swap: release files are written one at a time into a staging
directory beside ``out`` and swapped in whole.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    return False


def _leftovers(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.staging-*")) + sorted(out.parent.glob(f".{out.name}.old-*"))


def clean_leftovers(out: Path) -> None:
    """Remove what a killed build left in its staging place; restore ``out`` if a fallback swap was cut short."""
    olds = sorted(out.parent.glob(f".{out.name}.old-*"))
    if not out.exists() and olds:
        os.replace(olds[-1], out)
    for p in _leftovers(out):
        shutil.rmtree(p, ignore_errors=True)


class Staging:
    """Files written one at a time into a staging directory beside ``out``, then swapped in whole.

    ``out`` is at every moment either the whole previous release or the whole new one, even if
    the process is killed: the staging directory and ``out`` are exchanged in one system call.
    What a killed build leaves in its staging place is removed by the next build. Used as a
    context manager, the staging directory is removed if the block raises.
    """

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(self.out)
        self.dir = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.staging-", dir=self.out.parent))
        self.digests: dict[str, tuple[int, str]] = {}  #: name -> (byte size, SHA-256)

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind, *_) -> None:
        if kind is not None:
            shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name: str) -> Path:
        return self.dir / name

    def write(self, name: str, data: bytes | Iterable[bytes]) -> None:
        """Write a file (bytes, or chunks of bytes) and note its size and hash."""
        target = self.dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with open(target, "wb") as f:
            for chunk in [data] if isinstance(data, bytes) else data:
                f.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            f.flush()
            os.fsync(f.fileno())
        self.digests[name] = (size, digest.hexdigest())

    def commit(self) -> list[Path]:
        """Swap the staging directory into ``out``; the files of the release."""
        out, staging = self.out, self.dir
        os.chmod(staging, 0o755)
        if not out.exists():
            os.replace(staging, out)
        elif out.is_dir() and _exchange(staging, out):
            shutil.rmtree(staging, ignore_errors=True)  # now holds the previous release
        else:  # no renameat2 (not Linux) or out is not a directory: two renames, recovered by clean_leftovers
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rmdir(old)  # only its unique name is needed
            os.replace(out, old)
            os.replace(staging, out)
            shutil.rmtree(old, ignore_errors=True)
        return [out / name for name in sorted(self.digests)]
