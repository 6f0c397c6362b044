"""Waiting on a condition instead of sleeping: a test that needs time to pass waits for a sign that it has."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], what: str, timeout: float = 60, every: float = 0.05) -> T:
    """Poll `condition` until it returns something truthy, and return that; fail naming `what` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(every)


@contextmanager
def threads_finished(timeout: float = 30) -> Iterator[None]:
    """On leaving the block, wait until every thread started inside it has finished: whatever work the block
    handed to the background (a mail being sent, say) has then been done, or was never started."""
    before = set(threading.enumerate())
    yield
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout)
        assert not thread.is_alive(), f"{thread.name} still runs after {timeout:g} s"
