"""A query worker as a process of its own: ``python -m cnipa_kg.web.query_process FD CONFIG``.

The pool (:mod:`.workers`) starts each worker with :func:`start`: a fresh interpreter that runs this
module and nothing of the host's. ``multiprocessing``'s spawn would import the host's ``__main__``
again (a script that mounts ``create_app`` without an ``if __name__ == "__main__"`` guard then fails at
the first query, or runs its server twice); this imports only ``cnipa_kg``. The worker inherits no
descriptor but ``FD``, its end of the wire; ``CONFIG`` is JSON: the release files, the graph name,
the prefixes, the server's pid and network namespace (:func:`.wire.worker_main`).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

#: the folder cnipa_kg is imported from, first on the worker's path: it runs the same code as the server
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def start(sock: socket.socket, files: list[str], graph_name: str, prefixes: tuple[tuple[str, str], ...],
          parent: int, parent_netns: int) -> subprocess.Popen:
    """Start a worker on ``sock`` (the caller closes its copy); ``kill()`` and ``poll()`` it."""
    config = json.dumps({"files": files, "graph_name": graph_name, "prefixes": [list(p) for p in prefixes],
                         "parent": parent, "parent_netns": parent_netns})
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
    return subprocess.Popen([sys.executable, "-m", __name__, str(sock.fileno()), config], pass_fds=(sock.fileno(),),
                            stdin=subprocess.DEVNULL, env=env)


def main(argv: list[str]) -> None:
    from .wire import worker_main

    fd, config = int(argv[0]), json.loads(argv[1])
    worker_main(socket.socket(fileno=fd), config["files"], config["graph_name"],
                tuple(tuple(p) for p in config["prefixes"]), config["parent"], config["parent_netns"])


if __name__ == "__main__":
    main(sys.argv[1:])
