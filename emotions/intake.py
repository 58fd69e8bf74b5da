"""How many uploads one web process decodes at once (security finding 2, docs/RELIABILITY.md).

Each decode may hold up to READING_MAX_DECODE_BYTES plus a few MB of frame; gunicorn runs
several threads per worker, so without a bound four large uploads at once cost four times that.
A request that cannot get a slot within READING_DECODE_WAIT_SECONDS is told to try again (503).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from core.exceptions import ApplicationError

BUSY_MESSAGE = "We're busy reading other photos right now. Please try again in a few seconds."

_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None
_slots_size = 0


def _semaphore() -> threading.BoundedSemaphore:
    """The process's slots, made on first use (and again if the setting changed, as in tests)."""
    global _slots, _slots_size
    size = max(1, int(settings.READING_MAX_CONCURRENT_DECODES))
    with _lock:
        if _slots is None or _slots_size != size:
            _slots, _slots_size = threading.BoundedSemaphore(size), size
        return _slots


@contextmanager
def decode_slot() -> Iterator[None]:
    """Hold one of this process's decode slots for the block, or raise a 503 ApplicationError."""
    slots = _semaphore()
    if not slots.acquire(timeout=float(settings.READING_DECODE_WAIT_SECONDS)):
        raise ApplicationError(
            BUSY_MESSAGE,
            extra={"field": "image", "code": "busy", "retry_after_seconds": 5},
            status_code=503,
        )
    try:
        yield
    finally:
        slots.release()
