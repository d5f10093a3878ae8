"""The server raises its own open-file limit (one open file per connected phone)."""

from __future__ import annotations

import subprocess
import sys


def test_the_server_raises_its_soft_open_file_limit():
    script = (
        "import resource\n"
        "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))\n"
        "from checkin.process_limits import raise_open_file_limit\n"
        "now = raise_open_file_limit(2048)\n"
        "assert now == min(2048, hard) == resource.getrlimit(resource.RLIMIT_NOFILE)[0], now\n"
        "assert raise_open_file_limit(512) == now  # never lowered\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
