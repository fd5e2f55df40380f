"""What keeps a query worker from reaching out: a Linux network namespace of its own (no
interface but a down ``lo``), checked honestly after it is made, and death with the server.

The endpoint refuses ``SERVICE`` before a query runs (:mod:`.guard`); the namespace is the
defence behind that. Where namespaces are unavailable the server says so loudly at startup.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import signal
import socket

CLONE_NEWNET, CLONE_NEWUSER = 0x40000000, 0x10000000
PR_SET_PDEATHSIG = 1
_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT}
# UDP connect() only looks a route up: no packet leaves
_PROBES = ((socket.AF_INET, ("127.0.0.1", 9)), (socket.AF_INET, ("192.0.2.1", 9)), (socket.AF_INET, ("10.0.0.1", 9)),
           (socket.AF_INET6, ("::1", 9)), (socket.AF_INET6, ("2001:db8::1", 9)))


def _libc():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


def die_with_parent(parent: int) -> None:
    """Be killed when the process ``parent`` ends (Linux ``PR_SET_PDEATHSIG``); exit now if it already has."""
    libc = _libc()
    if libc is not None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(0)


def isolate_network() -> None:
    """Move this process into a new, empty network namespace (as root, or with a user namespace).
    Call before any thread starts: ``unshare`` moves only the calling thread."""
    libc = _libc()
    if libc is not None:
        for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
            if libc.unshare(flags) == 0:
                return


def netns_inode() -> int:
    return os.stat("/proc/self/ns/net").st_ino


def network_isolated(parent_netns: int | None = None) -> bool:
    """True only if this process demonstrably cannot reach any network, loopback included: one
    namespace for all its threads (not ``parent_netns``), no interface but ``lo``, no IPv4 route,
    and route lookups to loopback, private and public addresses fail."""
    try:
        spaces = {os.stat(f"/proc/self/task/{tid}/ns/net").st_ino for tid in os.listdir("/proc/self/task")}
        if len(spaces) != 1 or (parent_netns is not None and parent_netns in spaces):
            return False
        if any(name != "lo" for _, name in socket.if_nameindex()):
            return False
        with open("/proc/self/net/route", encoding="ascii") as f:
            if f.read().strip().count("\n"):  # more than the header: a route
                return False
    except OSError:
        return False
    for family, address in _PROBES:
        try:
            s = socket.socket(family, socket.SOCK_DGRAM)
        except OSError:
            continue  # no such address family: unreachable too
        try:
            s.connect(address)
        except OSError as exc:
            if exc.errno not in _UNREACHABLE:
                return False
        else:
            return False
        finally:
            s.close()
    return True
