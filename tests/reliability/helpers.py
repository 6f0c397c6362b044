"""Helpers for the fault tests: a dead process's pid, free ports, real server and worker subprocesses."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
NO_MODELS = {"CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none"}


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    process = subprocess.Popen([PYTHON, "-c", "pass"])
    process.wait()
    return process.pid


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env_for(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "WERKZEUG_"))}
    return {**env, **NO_MODELS, "DATA_DIR": str(data_dir), "FLASK_APP": "shoebox:create_app",
            "PYTHONPATH": str(REPO), "LOG_LEVEL": "WARNING", **extra}


def start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen:
    """A subprocess in its own session, so a kill -9 reaches all of its processes."""
    return subprocess.Popen(args, env=env, cwd=cwd, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill9(process: subprocess.Popen) -> None:
    """kill -9 the process and everything it started; reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


def http(method: str, url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def multipart(name: str, content: bytes, boundary: str = "shoeboxboundary") -> tuple[bytes, str]:
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def readable_by_others(root: Path) -> list[str]:
    """Every folder or file under `root` (and `root` itself) that its group or anyone else may open."""
    paths = [root, *root.rglob("*")]
    return [f"{path.relative_to(root.parent)} {oct(path.stat().st_mode & 0o777)}" for path in paths
            if not path.is_symlink() and path.stat().st_mode & 0o077]


@contextlib.contextmanager
def common_umask():
    """The usual umask (022: files 0644, folders 0755), so an owner-only result cannot come from the runner's."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)
