"""The Last.fm stand-in's state, in Django's cache: API keys, rate budgets, errors forced by tests.

Tests force errors in-process with `errors_force` (there is no HTTP control endpoint). With the
default local-memory cache that reaches only the process the call is made in, which is where
pytest-django's `live_server` answers.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

_PREFIX = "lastfm_sandbox"
_FORCED_LEFT = f"{_PREFIX}:forced:left"
_FORCED_WHAT = f"{_PREFIX}:forced:what"
_FORCED_TTL = 3600  # seconds; a forced error nobody collects does not outlive a test session


@dataclass(frozen=True)
class ForcedError:
    """What the next requests get: a Last.fm error code (with its body) or a bare HTTP status."""

    code: int | None = None
    http_status: int | None = None


def key_valid(*, api_key: str) -> bool:
    return bool(api_key) and api_key in settings.LASTFM_SANDBOX_API_KEYS


def rate_take(*, api_key: str) -> bool:
    """Count one request against the key's per-second budget; False once it is spent (error 29).

    LASTFM_SANDBOX_MAX_RPS requests per key in each wall-clock second; 0 means no limit.
    """
    budget = int(getattr(settings, "LASTFM_SANDBOX_MAX_RPS", 0) or 0)
    if budget <= 0:
        return True
    digest = hashlib.sha256(api_key.encode()).hexdigest()[:16]
    window = f"{_PREFIX}:rate:{digest}:{int(time.time())}"
    cache.add(window, 0, timeout=5)
    try:
        used = cache.incr(window)
    except ValueError:  # the window expired between add and incr
        cache.add(window, 1, timeout=5)
        used = 1
    return used <= budget


def errors_force(*, count: int = 1, code: int | None = 29, http_status: int | None = None) -> None:
    """Answer the next `count` requests (any key, any method) with error `code` (29: rate limit
    exceeded; 11/16: temporarily unavailable; 10: invalid key...) or, when `http_status` is given,
    with that bare HTTP status (502, 503...) and no Last.fm body."""
    if count < 1:
        raise ValueError("count must be at least 1")
    if http_status is None and code is None:
        raise ValueError("give a Last.fm error code or an HTTP status")
    cache.set(_FORCED_WHAT, ForcedError(code=code, http_status=http_status), _FORCED_TTL)
    cache.set(_FORCED_LEFT, count, _FORCED_TTL)


def errors_clear() -> None:
    cache.delete_many([_FORCED_LEFT, _FORCED_WHAT])


def forced_take() -> ForcedError | None:
    """The forced error this request gets, spending one; None when none is pending."""
    if not cache.get(_FORCED_LEFT):
        return None
    try:
        left = cache.decr(_FORCED_LEFT)
    except ValueError:  # expired or cleared meanwhile
        return None
    if left < 0:
        return None
    return cache.get(_FORCED_WHAT)
