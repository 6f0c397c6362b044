"""Owner-only files: everything Shoebox keeps (database, job queue, keys, originals, thumbnails, backups)
holds emails, password hashes, notes and GPS, so directories are made 0700 and files 0600 whatever the
process umask is (gunicorn, systemd and shells differ), with explicit modes rather than a process-wide umask."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create `path` and its missing parents as owner-only directories (an existing one is left as it is)."""
    target = Path(path)
    missing, current = [], target
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it first
            directory.mkdir(mode=DIR_MODE)
    return target


def private_file(path: Path) -> Path:
    """Make sure `path` exists and is owner-only (an empty file is a valid empty SQLite database, and SQLite
    gives its -wal and -shm files the database file's mode)."""
    if os.path.exists(path):
        # Never open an existing database here: closing any descriptor of a file drops every POSIX lock this
        # process holds on it, SQLite's included.
        tighten(path)
        return path
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    return path


def write_private(path: Path, data: str | bytes) -> Path:
    """Write a whole owner-only file."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), FILE_MODE)  # it may have existed with a wider mode
        handle.write(raw)
    return path


def tighten(path: Path) -> None:
    """Take group and other permissions off an existing file or directory (kept by an older version);
    a path owned by someone else is left alone."""
    with contextlib.suppress(OSError):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            os.chmod(path, mode & ~0o077)
