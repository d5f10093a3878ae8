"""Process limits a hall needs, raised by the server itself at start.

Every phone holds one socket, and a socket is an open file: the usual soft limit of
1,024 open files (``ulimit -n``) lets one process take about a thousand phones before
``accept()`` fails with "Too many open files". The hard limit is usually far higher, and
a process may raise its own soft limit up to it without privileges.
"""

from __future__ import annotations

import logging
import resource

log = logging.getLogger(__name__)

#: What we ask for: phones, staff screens, gates, the database and Redis, with room.
WANTED_OPEN_FILES = 65_536


def raise_open_file_limit(wanted: int = WANTED_OPEN_FILES) -> int:
    """Raise this process's soft RLIMIT_NOFILE towards ``wanted`` (never above the hard
    limit, never lowering it) and return the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:  # a container may forbid it
            log.warning("could not raise the open-file limit from %s: %s", soft, exc)
    if soft != resource.RLIM_INFINITY and soft < 4096:
        log.warning("open-file limit is %s: this process can serve about %s phones; "
                    "raise the hard limit (see docs/deployment.md)", soft, soft - 100)
    return soft
