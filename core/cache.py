"""A Redis cache that degrades to misses while Redis is unreachable, instead of failing requests.

In production Redis is both the Celery broker and the cache behind the API throttles and the
sign-in limiter. With Django's plain RedisCache, a Redis outage turns every throttled API call
and every sign-in POST into a 500 before the view can answer "try again". Here a cache error is
logged (at most once a minute) and treated as a miss: throttles and the limiter fail open for
the outage, the views run, and an upload gets its clear 503 from the broker.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import redis
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

ERRORS = (redis.ConnectionError, redis.TimeoutError)
LOG_EVERY_SECONDS = 60.0
T = TypeVar("T")
_last_logged = 0.0


def _log(operation: str, exc: Exception) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= LOG_EVERY_SECONDS:
        _last_logged = now
        logger.warning("cache unavailable (%s: %s); serving without it", operation, exc)


def _tolerant(default: Callable[..., Any]) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Run the cache method; on a Redis connection error return default(*args, **kwargs)."""

    def decorate(method: Callable[..., T]) -> Callable[..., T]:
        @wraps(method)
        def wrapper(self: RedisCache, *args: Any, **kwargs: Any) -> T:
            try:
                return method(self, *args, **kwargs)
            except ERRORS as exc:
                _log(method.__name__, exc)
                return default(*args, **kwargs)

        return wrapper

    return decorate


def _arg(name: str, position: int, fallback: Any = None) -> Callable[..., Any]:
    def pick(*args: Any, **kwargs: Any) -> Any:
        if name in kwargs:
            return kwargs[name]
        return args[position] if len(args) > position else fallback

    return pick


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, answering like an empty cache while Redis is down."""

    get = _tolerant(_arg("default", 1))(RedisCache.get)
    get_many = _tolerant(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _tolerant(lambda *a, **k: False)(RedisCache.has_key)
    add = _tolerant(lambda *a, **k: False)(RedisCache.add)
    set = _tolerant(lambda *a, **k: None)(RedisCache.set)
    set_many = _tolerant(lambda *a, **k: [])(RedisCache.set_many)
    touch = _tolerant(lambda *a, **k: False)(RedisCache.touch)
    delete = _tolerant(lambda *a, **k: False)(RedisCache.delete)
    delete_many = _tolerant(lambda *a, **k: None)(RedisCache.delete_many)
    incr = _tolerant(_arg("delta", 1, 1))(RedisCache.incr)
    clear = _tolerant(lambda *a, **k: False)(RedisCache.clear)
