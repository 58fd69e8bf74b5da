"""The per-user upload budget (DRF scope `uploads`), shared by the API and the HTML form."""

from __future__ import annotations

from types import SimpleNamespace

from django.http import HttpRequest
from rest_framework.throttling import ScopedRateThrottle

UPLOADS_SCOPE = "uploads"


def upload_wait_seconds(request: HttpRequest) -> float | None:
    """Count one upload against the user's budget; None if allowed, else seconds to wait."""
    throttle = ScopedRateThrottle()
    if throttle.allow_request(request, SimpleNamespace(throttle_scope=UPLOADS_SCOPE)):
        return None
    return throttle.wait() or 60.0
