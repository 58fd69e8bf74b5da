"""The per-user upload budget (DRF scope `uploads`), shared by the API and the HTML form."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

from django.http import HttpRequest
from rest_framework.throttling import ScopedRateThrottle

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

UPLOADS_SCOPE = "uploads"
# The sentence a throttled upload gets, page and API alike (`{wait}` in words).
UPLOADS_THROTTLED_MESSAGE = "You've uploaded a lot of photos. You can upload again in {wait}."


def upload_wait_seconds(request: HttpRequest) -> float | None:
    """Count one upload against the user's budget; None if allowed, else seconds to wait."""
    throttle = ScopedRateThrottle()
    # The throttle reads only the request's user and address and the view's scope.
    view = cast("APIView", SimpleNamespace(throttle_scope=UPLOADS_SCOPE))
    if throttle.allow_request(cast("Request", request), view):
        return None
    return throttle.wait() or 60.0


def upload_refund(request: HttpRequest) -> None:
    """Give back the upload just counted: a rejected upload (bad image, 4xx) costs nothing.

    The budget is per user (an authenticated request's cache key is the user's id), so a
    refund touches only this listener's count.
    """
    throttle = ScopedRateThrottle()
    throttle.scope = UPLOADS_SCOPE
    _, duration = throttle.parse_rate(throttle.get_rate())
    view = cast("APIView", SimpleNamespace(throttle_scope=UPLOADS_SCOPE))
    key = throttle.get_cache_key(cast("Request", request), view)
    if key is None or duration is None:
        return
    history = throttle.cache.get(key, [])
    if history:
        history.pop(0)  # the newest request: DRF inserts each allowed one at the front
        throttle.cache.set(key, history, duration)
