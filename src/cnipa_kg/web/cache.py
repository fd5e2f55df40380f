"""A small least-recently-used cache (the data never changes while it is served)."""

from __future__ import annotations

from collections import OrderedDict


class LRU:
    """At most ``size`` entries; the least recently used goes first.

    >>> c = LRU(2); c.put("a", 1); c.put("b", 2); c.get("a"); c.put("c", 3)
    1
    >>> c.get("b") is None, c.get("a"), c.get("c")
    (True, 1, 3)
    """

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self.data: OrderedDict = OrderedDict()

    def get(self, key):
        if key in self.data:
            self.data.move_to_end(key)
            return self.data[key]
        return None

    def put(self, key, value) -> None:
        self.data[key] = value
        self.data.move_to_end(key)
        while len(self.data) > self.size:
            self.data.popitem(last=False)
