"""A small least-recently-used cache, bounded in entries and in bytes (the data never changes
while it is served, so answers can be reused; memory must stay bounded all the same)."""

from __future__ import annotations

import threading
from collections import OrderedDict


def size_of(value) -> int:
    """Roughly the bytes ``value`` holds: its bytes/str payloads (answers, pages), else a small constant."""
    if isinstance(value, (bytes, bytearray, str)):
        return len(value) + 64
    if isinstance(value, (tuple, list)):
        return 64 + sum(size_of(v) for v in value)
    if isinstance(value, dict):
        return 64 + sum(size_of(k) + size_of(v) for k, v in value.items())
    body = getattr(value, "body", None)
    return 64 + (len(body) if isinstance(body, (bytes, bytearray)) else 0)


class LRU:
    """At most ``size`` entries and ``max_bytes`` bytes (:func:`size_of` of key and value); the least recently used
    go first, and a value larger than ``max_item`` is not kept at all.

    >>> c = LRU(2); c.put("a", 1); c.put("b", 2); c.get("a"); c.put("c", 3)
    1
    >>> c.get("b") is None, c.get("a"), c.get("c")
    (True, 1, 3)
    >>> c = LRU(100, max_bytes=1000, max_item=700); c.put("x", b"a" * 500); c.put("y", b"b" * 500); c.put("z", b"c" * 700)
    >>> c.get("x") is None, c.get("y") is not None, c.get("z") is None, c.bytes <= 1000
    (True, True, True, True)
    """

    def __init__(self, size: int = 2048, *, max_bytes: int = 64 << 20, max_item: int = 4 << 20) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.max_item = max_item
        self.bytes = 0
        self.data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()  # pages are rendered in worker threads

    def get(self, key):
        with self._lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key][0]
            return None

    def put(self, key, value, cost: int | None = None) -> None:
        """Keep ``value``; ``cost``: its bytes when the caller knows them (else :func:`size_of`). The
        key's own bytes are counted too: a key holds what a client sent (a path, an Accept header)."""
        cost = (size_of(value) if cost is None else cost) + size_of(key)
        with self._lock:
            if key in self.data:
                self.bytes -= self.data.pop(key)[1]
            if cost > self.max_item:
                return
            self.data[key] = (value, cost)
            self.bytes += cost
            while len(self.data) > self.size or self.bytes > self.max_bytes:
                _, (_, dropped) = self.data.popitem(last=False)
                self.bytes -= dropped
