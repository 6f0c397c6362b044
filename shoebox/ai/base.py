"""The base of every model backend: lazy, lock-protected loading that remembers why it failed."""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)


class ModelUnavailable(RuntimeError):
    """The model cannot be loaded here (no weights, no network, missing package); `str()` says why."""


class Model:
    """A model loaded once per process on first use and kept warm.

    Subclasses implement `_load()` (return the loaded object(s)) and their own predict methods,
    which call `self.loaded()` to get what `_load()` returned.
    """

    #: Human name used in logs and statuses, e.g. "caption".
    kind: str = "model"

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._loaded: Any = None
        self._error: str | None = None

    def _load(self) -> Any:
        raise NotImplementedError

    def loaded(self) -> Any:
        """Load on first call (once, even across threads); raise ModelUnavailable if it cannot be."""
        if self._loaded is not None:
            return self._loaded
        with self._lock:
            if self._loaded is None:
                if self._error is not None:
                    raise ModelUnavailable(self._error)
                try:
                    self._loaded = self._load()
                except ModelUnavailable as exc:
                    self._fail(str(exc))
                except Exception as exc:  # any loader failure means "waiting for model"
                    self._fail(f"{type(exc).__name__}: {exc}")
        return self._loaded

    def _fail(self, reason: str) -> None:
        self._error = f"{self.kind} model {self.name!r} cannot be loaded: {reason}"
        log.warning(self._error)
        raise ModelUnavailable(self._error)

    def reset(self) -> None:
        """Forget a failed load so the next use tries again (e.g. after the weights were installed)."""
        with self._lock:
            self._error = None
