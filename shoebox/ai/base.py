"""The base of every model backend: lazy loading, one load at a time per process, failures sorted by kind.

A failure that cannot heal by itself is raised by the loader as `ModelUnavailable` (weights missing, the hub
unreachable, a package not installed) and remembered until `reset()`. Any other exception is taken as passing
(two imports racing, a file still being copied, a network hiccup mid-download): the load is tried again after
1, 2, 4 ... up to 300 s, each retry logged, and callers in between get `ModelUnavailable` at once, with the
reason, instead of waiting.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
import time
from typing import Any

log = logging.getLogger(__name__)

#: One lock for every model in the process, taken around each load. `transformers` resolves its names lazily
#: and two threads doing that at once can see a half-initialised module ("ImportError: cannot import name
#: 'AutoModel' from 'transformers'"), so models load one at a time. Re-entrant: a loader may load another model.
LOAD_LOCK = threading.RLock()


class ModelUnavailable(RuntimeError):
    """The model cannot be loaded here (no weights, no network, missing package); `str()` says why."""


def require_packages(*modules: str, install: str = "-r requirements.txt") -> None:
    """ModelUnavailable naming the first of `modules` that is not installed (looked up without importing it).

    Only a package that is not there is a lasting failure: an installed one whose import fails (e.g. two
    threads importing it at once) is left to raise, and so to be retried.
    """
    for module in modules:
        if importlib.util.find_spec(module) is None:
            raise ModelUnavailable(f"package {module} is not installed (pip install {install})")


def use_torch_threads(count: int | None) -> None:
    """Let each PyTorch call use `count` threads (process-wide); None leaves PyTorch's default, one per core."""
    if count and importlib.util.find_spec("torch") is not None:  # no torch: the loader says so
        import torch

        torch.set_num_threads(count)


def one_line(exc: BaseException) -> str:
    """An exception as one short line: its type and its message with the whitespace collapsed."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


class Model:
    """A model loaded once per process on first use and kept warm.

    Subclasses implement `_load()` (return the loaded object(s); raise ModelUnavailable for what cannot heal
    by itself) and their own predict methods, which call `self.loaded()` to get what `_load()` returned.
    """

    #: Human name used in logs and statuses, e.g. "caption".
    kind: str = "model"
    #: Seconds before the first retry after an unexpected failure; each further failure doubles the wait,
    #: up to `retry_max_s`. Class defaults; an instance may set its own (tests use a few milliseconds).
    retry_first_s: float = 1.0
    retry_max_s: float = 300.0
    #: Threads each call may use (MODEL_THREADS; PyTorch's count is process-wide), set before the load; None: the
    #: library's default, one per core, which doubles the CPU time when two calls run at once on 2 cores.
    threads: int | None = None

    def __init__(self, name: str) -> None:
        self.name = name
        self._loaded: Any = None
        self._error: str | None = None  # a failure that cannot heal by itself: remembered until reset()
        self._failures = 0  # unexpected failures in a row
        self._retry_at = 0.0  # time.monotonic() before which the last unexpected failure is answered
        self._last_failure = ""

    def _load(self) -> Any:
        raise NotImplementedError

    def loaded(self) -> Any:
        """Load on first call (once, even across threads); raise ModelUnavailable if it cannot be (yet)."""
        if self._loaded is not None:
            return self._loaded
        self._raise_known_failure()  # answers at once, even while another model holds the load lock
        with LOAD_LOCK:
            if self._loaded is None:
                self._raise_known_failure()
                self._try_load()
        return self._loaded

    def _raise_known_failure(self) -> None:
        if self._error is not None:
            raise ModelUnavailable(self._error)
        if self._failures and time.monotonic() < self._retry_at:
            raise ModelUnavailable(self._last_failure)

    def _try_load(self) -> None:
        if self._failures:
            log.info("%s model %r: loading again (try %d)", self.kind, self.name, self._failures + 1)
        try:
            self._loaded = self._load()
        except ModelUnavailable as exc:
            self._error = f"{self.kind} model {self.name!r} cannot be loaded: {exc}"
            log.warning(self._error)
            raise ModelUnavailable(self._error) from exc
        except Exception as exc:  # unexpected: may pass, so retried after a backoff
            self._failed_for_now(exc)
            raise ModelUnavailable(self._last_failure) from exc
        if self._failures:
            log.info("%s model %r loaded after %d failed tries", self.kind, self.name, self._failures)
            self._failures = 0

    def _failed_for_now(self, exc: Exception) -> None:
        self._failures += 1
        wait = min(self.retry_max_s, self.retry_first_s * 2 ** min(self._failures - 1, 30))
        self._retry_at = time.monotonic() + wait
        self._last_failure = (f"{self.kind} model {self.name!r} failed to load ({one_line(exc)}); "
                              f"will try again in {wait:g} s (failure {self._failures})")
        log.warning(self._last_failure, exc_info=exc if self._failures == 1 else None)  # the traceback once

    def reset(self) -> None:
        """Forget a failed load so the next use tries again at once (e.g. after the weights were installed)."""
        with LOAD_LOCK:
            self._error = None
            self._failures = 0
