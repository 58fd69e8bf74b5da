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


def upload_wait_seconds(request: HttpRequest) -> float | None:
    """Count one upload against the user's budget; None if allowed, else seconds to wait."""
    throttle = ScopedRateThrottle()
    # The throttle reads only the request's user and address and the view's scope.
    view = cast("APIView", SimpleNamespace(throttle_scope=UPLOADS_SCOPE))
    if throttle.allow_request(cast("Request", request), view):
        return None
    return throttle.wait() or 60.0
