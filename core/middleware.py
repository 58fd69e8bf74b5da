"""Middleware: security headers (CSP, Permissions-Policy), sign-in limiter, database outages."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from core.security import (
    PERMISSIONS_POLICY,
    LazyNonce,
    csp_header_value,
    login_attempt_blocked,
    login_limits,
)
from core.throttling import wait_in_words

logger = logging.getLogger(__name__)

CSP_HEADER = "Content-Security-Policy"
CSP_REPORT_ONLY_HEADER = "Content-Security-Policy-Report-Only"


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy and Permissions-Policy to every response.

    A view may set its own policy header; it is left alone. `request.csp_nonce` renders a
    per-request nonce, added to script-src only on responses whose template used it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = LazyNonce()
        # Our own attribute (templates read it); HttpRequest's stub cannot know it.
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        header = (
            CSP_REPORT_ONLY_HEADER if getattr(settings, "CSP_REPORT_ONLY", False) else CSP_HEADER
        )
        if CSP_HEADER not in response.headers and CSP_REPORT_ONLY_HEADER not in response.headers:
            response.headers[header] = csp_header_value(nonce=str(nonce) if nonce.used else None)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def _login_paths() -> frozenset[str]:
    paths = set()
    for name in ("login", "admin:login"):
        paths.add(reverse(name))
    return frozenset(paths)


class LoginRateLimitMiddleware:
    """Answers 429 to sign-in POSTs from an address or for a username with too many failures.

    Failures are counted by `core.security` from Django's `user_login_failed` signal, in the
    cache (Redis in production, so every web process shares the counts).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._paths: frozenset[str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            if self._paths is None:
                self._paths = _login_paths()
            if request.path in self._paths and login_attempt_blocked(
                request, request.POST.get("username")
            ):
                return self._too_many(request)
        return self.get_response(request)

    def _too_many(self, request: HttpRequest) -> HttpResponse:
        window = login_limits().window_seconds
        response = render(
            request,
            "429.html",
            {
                "message": "Too many failed sign-in attempts for this account or from this "
                "network.",
                "retry_minutes": max(1, math.ceil(window / 60)),
                "retry_text": f"You can try again in {wait_in_words(window)}.",
            },
            status=429,
        )
        response.headers["Retry-After"] = str(window)
        return response


class DatabaseUnavailableMiddleware:
    """API calls that hit a database outage get 503 JSON with Retry-After, not an HTML 500.

    Measured by scripts/drills/postgres_restart.py: during a restart, requests failed with
    `OperationalError`; API clients should see the usual `{message, extra}` and retry.
    """

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if not request.path.startswith("/api/"):
            return None
        logger.error("database unavailable for %s %s: %s", request.method, request.path, exception)
        response = JsonResponse(
            {
                "message": "The service is briefly unavailable. Please try again in a moment.",
                "extra": {"code": "database_unavailable"},
            },
            status=503,
        )
        response.headers["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
