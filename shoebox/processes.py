"""Which process made a thing: an owner tag for temp files and analysis claims, and whether that owner still runs.

Used by storage (abandoned temp files), jobs (abandoned analysis claims) and maintenance; it imports nothing
of shoebox, so any layer may use it.
"""

from __future__ import annotations

import os
import socket

#: This host's name as it appears in owner tags (no `-`, which separates host and pid).
HOST = socket.gethostname().replace("-", "_")[:40] or "host"


def owner_tag() -> str:
    """`<host>-<pid>`: put in every temp file's name, so a later process can tell an abandoned one."""
    return f"{HOST}-{os.getpid()}"


def owner_alive(host: str, pid: int) -> bool:
    """Whether the process that made a temp file may still be running (always True for another host)."""
    if host != HOST:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
