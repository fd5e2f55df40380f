"""The atomic directory swap: release files are written one at a time into a staging directory
beside ``out`` and swapped in whole.

What ``out`` may be (:func:`check_out`): a new path, an empty directory, or a directory holding a
release (any of :data:`RELEASE_FILES`), or a symbolic link to one of these (the directory it points
to is replaced, the link stays); files of the user's in a release directory (an inferred graph,
notes) are carried into the new release. Refused, before anything is written: a regular file, a
FIFO, a device or a socket, a directory with other things and no release file, the current
directory, its ancestors and the filesystem root.

Builds into one ``out`` take turns: each holds an exclusive ``flock`` on ``.{name}.lock`` beside
``out`` from the removal of dead builds' leftovers through the swap (a killed build's lock goes
with its process). The lock file is also the ledger of the directories builds make beside ``out``
(``.{name}.staging-{16 hex}``, and ``.{name}.old-{16 hex}`` where there is no ``renameat2``): each
name is entered, and flushed to disk, before its directory exists, and the next build removes (or,
when ``out`` is gone, restores) only directories its ledger names. Anything else beside ``out``,
say a folder of the user's called ``.dist.staging-x``, is never deleted or adopted. The ledger
lives beside ``out``, never in it: nothing of it is published. A build that ends normally removes
the lock file; a killed build's stays, with the names of what it left.

The static site (``cnipa-kg site``) is written the same way: which files are ours in ``out`` is
a parameter (``owned``: the release's files, or those a site's manifest lists). It is
over 300 lines because the checks, the lock and its ledger, the swap and the recovery of a killed build
are one mechanism.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import shutil
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from ..core.errors import InputError
from ..core.outfile import kind_of
from ..core.release_files import DOCS, DOWNLOADS, RETIRED

_RENAME_EXCHANGE = 2  # linux/fs.h
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)  #: open no link, never wait (a FIFO)

#: the files a release consists of (relative paths); anything else in ``out`` is the user's
RELEASE_FILES = frozenset((*DOWNLOADS, DOCS, *RETIRED))
Owned = Callable[[Path], frozenset]  #: the files of ours in an output directory (relative paths)


def release_files(_out: Path) -> frozenset:
    return RELEASE_FILES


def _dirs(owned: frozenset) -> frozenset:
    return frozenset(str(parent) for name in owned for parent in Path(name).parents if str(parent) != ".")


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


def _syncfs(directory: Path) -> None:
    """Flush the filesystem holding ``directory`` to disk (Linux ``syncfs``; else ``os.sync``)."""
    import ctypes
    import ctypes.util

    fd = os.open(directory, os.O_RDONLY)
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.syncfs(fd) != 0:
            os.sync()
    except (OSError, AttributeError):
        os.sync()
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _foreign(directory: Path, owned: frozenset = RELEASE_FILES, prefix: str = "", dirs: frozenset | None = None) -> list[str]:
    """The entries of ``directory`` that are not ``owned`` files (relative paths, sorted), e.g. an inferred
    graph the user wrote beside the release; a directory of owned files (``docs``) is looked into."""
    dirs = _dirs(owned) if dirs is None else dirs
    found = []
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        rel = prefix + entry.name
        if rel in owned:
            continue
        if rel in dirs and entry.is_dir(follow_symlinks=False):
            found.extend(_foreign(Path(entry.path), owned, rel + "/", dirs))
        else:
            found.append(rel)
    return found


def check_out(out: str | Path, owned: Owned = release_files, what: str = "release") -> None:
    """Refuse an ``out`` a release must not replace, before anything is written.

    :raises InputError: ``out`` is (or links to) a file, a FIFO, a device or a socket, the current
        directory or one of its ancestors, the filesystem root, a non-empty directory holding no
        release file, or cannot be created
    """
    out = Path(out)
    example = "dist" if what == "release" else "site"  # the --out a message suggests
    try:
        resolved = out.resolve()
        cwd = Path.cwd().resolve()
    except OSError as exc:
        raise InputError(out, None, f"cannot use as the {what} directory: {_reason(exc)}") from None
    if resolved.parent == resolved:
        raise InputError(out, None, f"is the filesystem root; give the {what} a directory of its own, e.g. --out {example}")
    if resolved == cwd or resolved in cwd.parents:
        raise InputError(out, None, "is the current directory or one of its parents; "
                                    f"give the {what} a directory of its own, e.g. --out {example}")
    _check_lock_file(resolved.parent / f".{resolved.name}.lock")
    if out.exists() and not out.is_dir():
        mode = os.stat(out).st_mode
        kind = "a file" if stat.S_ISREG(mode) else kind_of(mode)
        link = " a symbolic link to" if out.is_symlink() else ""
        raise InputError(out, None, f"is{link} {kind}, not a directory; --out takes the {what} directory")
    if out.is_dir():
        try:
            entries = sorted(os.listdir(out))
        except OSError as exc:
            raise InputError(out, None, f"cannot read the {what} directory: {_reason(exc)}") from None
        if entries and not any((out / name).is_file() for name in owned(out)):
            shown = [name + ("/" if (out / name).is_dir() else "") for name in entries[:3]]
            more = f" and {len(entries) - 3} more" if len(entries) > 3 else ""
            raise InputError(out, None, f"is not a cnipa-kg {what} (it holds {', '.join(shown)}{more}); "
                                        "refusing to replace it: give a new or empty directory")
    existing = resolved.parent
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(out, None, f"cannot create the {what} directory: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(out, None, f"cannot create the {what} directory: {existing} is not writable")


_LEDGER = b"# cnipa-kg lock; the directories builds made beside the output (a killed build's are removed by the next):\n"


def _check_lock_file(path: Path, data: bytes | None = None) -> None:
    """Refuse a ``.{name}.lock`` that is not ours: anything but a regular file, or a file holding
    something else than a ledger (``data``: its content; None: read the start of it).

    :raises InputError: the lock file is not ours (one line: the path and what it is)
    """
    try:
        mode = os.lstat(path).st_mode
    except OSError:  # none yet (or the OS will say why when it is made)
        return
    if not stat.S_ISREG(mode):
        raise InputError(path, None, f"is {kind_of(mode)}, where cnipa-kg keeps the lock of the output beside it: "
                                     "move it away")
    if data is None:
        try:
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
        except OSError:
            return
        try:
            data = os.read(fd, len(_LEDGER))
        finally:
            os.close(fd)
    if not _LEDGER.startswith(data[:len(_LEDGER)]):  # (a prefix: a kill may cut the first write short)
        raise InputError(path, None, "is not a cnipa-kg lock file, and cnipa-kg keeps the lock of the output beside it "
                                     "there: move it away")


class _Lock:
    """An exclusive ``flock`` on ``path``, held until :meth:`release`, which removes the file unless
    a directory its ledger names is still there.

    Removing a lock file is safe here because a holder checks, once it has the lock, that the file
    it locked is still the one at ``path`` (and else locks again): two builds never both hold it.
    The file is the ledger of the directories builds make beside ``out`` (:meth:`enter`), read only
    while holding the lock; where there is no lock (no ``fcntl``, a filesystem without locks) there
    is no ledger either, and no leftover is ever removed.

    :raises InputError: ``path`` is not a regular file, or holds something else than a ledger
    """

    def __init__(self, path: Path) -> None:
        self.path, self.fd = path, None
        self.names: list[str] = []  #: the ledger: names (beside ``out``) of directories of builds
        try:
            import fcntl
        except ImportError:  # not POSIX: builds do not take turns
            return
        while True:
            _check_lock_file(path, b"")
            fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)  # (forked workers share it: they die with this process)
                here, mine = os.stat(path), os.fstat(fd)
            except FileNotFoundError:  # the holder removed it as we waited: lock the new one
                os.close(fd)
                continue
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                    return  # a filesystem without locks: builds do not take turns
                raise
            except BaseException:
                os.close(fd)
                raise
            if (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino) and stat.S_ISREG(mine.st_mode):
                break
            os.close(fd)
        try:
            self.names = self._read(fd)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd

    def _read(self, fd: int) -> list[str]:
        chunks = []
        while chunk := os.pread(fd, 1 << 16, sum(map(len, chunks))):
            chunks.append(chunk)
        data = b"".join(chunks)
        _check_lock_file(self.path, data)
        stem = re.escape(self.path.name[:-len(".lock")])
        ours = re.compile(rf"{stem}\.(staging|old)-[0-9a-f]{{16}}")
        return [name for name in data[len(_LEDGER):].decode("utf-8", "replace").split("\n") if ours.fullmatch(name)]

    def enter(self, name: str) -> bool:
        """Note ``name`` in the ledger, on disk, before the directory is made; False if there is no ledger."""
        if self.fd is None:
            return False
        self.names.append(name)
        entry = name.encode() + b"\n"
        if os.fstat(self.fd).st_size == 0:
            entry = _LEDGER + entry  # one write: the header and the first name
        os.lseek(self.fd, 0, os.SEEK_END)
        os.write(self.fd, entry)
        os.fsync(self.fd)
        return True

    def forget(self, name: str) -> None:
        """Strike ``name`` from the ledger (a kill halfway leaves a tail of whole names, or of none)."""
        if self.fd is None:
            return
        self.names.remove(name)
        data = _LEDGER + b"".join(n.encode() + b"\n" for n in self.names)
        os.pwrite(self.fd, data, 0)
        os.ftruncate(self.fd, len(data))
        os.fsync(self.fd)

    def release(self) -> None:
        if self.fd is not None:
            if not any(os.path.lexists(self.path.parent / name) for name in self.names):
                try:
                    os.unlink(self.path)
                except OSError:
                    pass
            os.close(self.fd)
            self.fd = None


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def clean_leftovers(out: Path, ours: Iterable[str]) -> None:
    """Remove what killed builds left beside ``out``; restore ``out`` if a fallback swap was cut short.

    ``ours``: the names the ledger of ``out``'s lock holds, oldest first; nothing else is touched,
    and only a directory (not a link to one) is removed or restored. Call it only holding the lock
    (as :class:`Staging` does): then every directory the ledger names is a dead build's.
    """
    ours = [name for name in ours if _is_dir(out.parent / name)]
    olds = [name for name in ours if name.startswith(f".{out.name}.old-")]
    if not os.path.lexists(out) and olds:
        os.replace(out.parent / olds[-1], out)
        ours.remove(olds[-1])
    for name in ours:
        shutil.rmtree(out.parent / name, ignore_errors=True)


def _rename_to_new(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst``, which must not exist (``rename`` would replace an empty directory)."""
    if os.path.lexists(dst):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst))
    os.rename(src, dst)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def _carry(src: Path, dst: Path) -> None:
    """Put ``src`` (the user's file, link or directory) at ``dst``: hard links where possible, else copies."""
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
    elif src.is_dir():
        shutil.copytree(src, dst, symlinks=True, copy_function=_link_or_copy)
    else:
        _link_or_copy(str(src), str(dst))


class Staging:
    """Files written one at a time into a staging directory beside ``out``, then swapped in whole.

    ``out`` is at every moment either the whole previous release or the whole new one, even if
    the process is killed: the staging directory and ``out`` are exchanged in one system call.
    Files in ``out`` that are not release files are carried into the new release. Builds into one
    ``out`` take turns (a lock beside ``out``, held from here through the swap); what a killed
    build leaves in its staging place is removed by the next build. Used as a context manager, the
    staging directory is removed if the block raises, and the lock is released in any case.

    :raises InputError: ``out`` is refused (:func:`check_out`) or cannot be written (the OS reason)
    """

    def __init__(self, out: str | Path, *, owned: Owned = release_files, what: str = "release",
                 sync_each: bool = True) -> None:
        self.out = Path(out)
        self.owned, self.what = owned, what
        #: fsync each file as it is written; else the whole filesystem once before the swap (many small files)
        self.sync_each = sync_each
        self.digests: dict[str, tuple[int, str]] = {}  #: name -> (byte size, SHA-256)
        self.dir: Path | None = None
        self._lock: _Lock | None = None
        check_out(self.out, owned, what)
        #: the directory replaced: where a symbolic link ``out`` points (the link stays)
        self._real = Path(os.path.realpath(self.out))
        try:
            self._real.parent.mkdir(parents=True, exist_ok=True)
            self._lock = _Lock(self._real.parent / f".{self._real.name}.lock")
            check_out(self.out, owned, what)  # again: another build may have changed it while we waited
            clean_leftovers(self._real, self._lock.names)
            self.dir = self._claim("staging", lambda path: os.mkdir(path, 0o700))
        except OSError as exc:
            self.close()
            raise InputError(self.out, None, f"cannot write the {self.what}: {_reason(exc)}") from None
        except BaseException:
            self.close()
            raise

    def _claim(self, kind: str, make: Callable[[Path], None]) -> Path:
        """A directory of ours beside ``out``, ``.{name}.{kind}-{16 hex}``: its name goes into the lock's
        ledger (on disk) before ``make(path)`` makes it, which fails if anything is there."""
        while True:
            path = self._real.parent / f".{self._real.name}.{kind}-{secrets.token_hex(8)}"
            if os.path.lexists(path):
                continue
            self._lock.enter(path.name)
            try:
                make(path)
            except FileExistsError:  # appeared just now: not ours
                self._lock.forget(path.name)
                continue
            return path

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind, *_) -> None:
        if kind is not None and self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
        self.close()

    def close(self) -> None:
        """Release the lock (other builds into ``out`` may go on)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def path(self, name: str) -> Path:
        return self.dir / name

    def write(self, name: str, data: bytes | Iterable[bytes]) -> None:
        """Write a file (bytes, or chunks of bytes) and note its size and hash."""
        target = self.dir / name
        digest, size = hashlib.sha256(), 0
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as f:
                for chunk in [data] if isinstance(data, bytes) else data:
                    f.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                f.flush()
                if self.sync_each:
                    os.fsync(f.fileno())
        except OSError as exc:
            raise InputError(self.out, None, f"cannot write the {self.what} ({name}): {_reason(exc)}") from None
        self.digests[name] = (size, digest.hexdigest())

    def commit(self) -> list[Path]:
        """Swap the staging directory into ``out``; the files of the release."""
        try:
            if not self.sync_each:
                _syncfs(self.dir)
            self._swap()
        except OSError as exc:
            raise InputError(self.out, None, f"cannot replace the {self.what}: {_reason(exc)}") from None
        return [self.out / name for name in sorted(self.digests)]

    def _swap(self) -> None:
        out, staging = self._real, self.dir
        owned = self.owned(out) if out.is_dir() else frozenset()
        if out.is_dir():
            for rel in _foreign(out, owned):  # the user's files come along (linked, so a kill loses nothing)
                if os.path.lexists(staging / rel):
                    raise InputError(out / rel, None, f"is in the way of a {self.what} file; move it out of the {self.what} directory")
                _carry(out / rel, staging / rel)
            os.chmod(staging, stat.S_IMODE(out.stat().st_mode))
        else:
            os.chmod(staging, 0o755)
        if not out.exists():
            os.replace(staging, out)
        elif _exchange(staging, out):
            # ``staging`` now holds the previous release; anything of the user's that appeared in it
            # since it was carried over moves into the new one
            try:
                for rel in _foreign(staging, owned):
                    if not os.path.lexists(out / rel):
                        os.replace(staging / rel, out / rel)
            except OSError:
                return  # left for the next build to remove, as a killed build's would be
            shutil.rmtree(staging, ignore_errors=True)
        else:  # no renameat2 (not Linux): two renames, recovered by clean_leftovers
            old = self._claim("old", lambda path: _rename_to_new(out, path))
            os.replace(staging, out)
            shutil.rmtree(old, ignore_errors=True)
