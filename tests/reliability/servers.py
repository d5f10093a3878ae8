"""A Redis of the test's own, on its own port, that a test stops and restarts at will —
never the shared one on 6379. (Server processes: :mod:`tests.servers`.)"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

from tests.servers import free_port, stop


class Redis:
    """A redis-server on its own port, in memory only; stopped by its pid."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None
