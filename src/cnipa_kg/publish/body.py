"""The request body (the release's N-Triples, streamed from the open file, counting what the connection
took) and the answer's body (read to its end, its start kept for a message)."""

from __future__ import annotations

import fcntl
import os
import socket
import struct
import termios
from collections.abc import AsyncIterator

import httpx

from ..core.errors import CnipaKgError

CHUNK = 64 * 1024  # bytes read from the file and handed to the connection at a time
_DETAIL = 300  # characters of an error answer's body shown in a message
_TCP_CLOSE = 7  # tcp_info.tcpi_state of a connection that is gone (reset, or closed on both sides)


class Upload:
    """The release's N-Triples as a request body that may be sent more than once (a challenge answered
    sends it again): each pass reads the open file from the start. ``sent`` counts the bytes the
    connection took (a chunk counts once the next one is asked for, i.e. once it was written), and
    ``complete`` says whether the last pass got to the end."""

    def __init__(self, fd: int, size: int) -> None:
        self.fd, self.size = fd, size
        self.sent, self.complete = 0, False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.sent, self.complete = 0, False
        while self.sent < self.size:
            chunk = os.pread(self.fd, min(CHUNK, self.size - self.sent), self.sent)
            if not chunk:
                raise CnipaKgError(f"the release's N-Triples file shrank while it was sent ({self.sent:,} of "
                                   f"{self.size:,} bytes): nothing is known to be published")
            yield chunk
            self.sent += len(chunk)
        self.complete = True


def unread(response: httpx.Response) -> str | None:
    """Why the connection an answer came on shows that the store did not take the whole upload, or None.

    "All written" proves little: the kernel takes megabytes on loopback that nobody reads. Two things
    the connection itself tells (Linux; elsewhere nothing is known and None is returned): bytes of ours
    still queued, unsent or unacknowledged, when the answer is complete (the store answered before its
    side had even received them: ``TIOCOUTQ``), or a connection reset (a store that closes with unread
    data resets it, RFC 1122 4.2.2.13; one that read everything closes in order: TCP state CLOSE vs
    CLOSE_WAIT). The socket comes from httpx's documented ``network_stream`` response extension.
    """
    stream = response.extensions.get("network_stream")
    sock = None if stream is None else stream.get_extra_info("socket")
    if sock is None or not hasattr(socket, "TCP_INFO") or not hasattr(termios, "TIOCOUTQ"):
        return None
    try:
        if sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0] == _TCP_CLOSE:
            return "and reset the connection (it had not read all of the upload)"
        queued = struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
    except OSError:
        return None
    if queued > 0:
        return f"while {queued:,} bytes of the upload had not reached it"
    return None


async def read_detail(response: httpx.Response) -> str:
    """Read the answer's body to its end (so that a cut-off answer is an error), keeping its start for a
    message (one line)."""
    kept = b""
    async for chunk in response.aiter_raw():
        if len(kept) < 4 * _DETAIL:
            kept += chunk[: 4 * _DETAIL - len(kept)]
    text = " ".join(kept.decode("utf-8", "replace").split())
    return text[:_DETAIL] + ("…" if len(text) > _DETAIL else "")
