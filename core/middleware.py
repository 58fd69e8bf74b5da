"""Security middleware: response headers (CSP, Permissions-Policy) and the sign-in limiter."""

from __future__ import annotations

import math
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from core.security import (
    PERMISSIONS_POLICY,
    LazyNonce,
    csp_header_value,
    login_attempt_blocked,
    login_limits,
)

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
        request.csp_nonce = nonce
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
        try:
            paths.add(reverse(name))
        except NoReverseMatch:
            continue
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
            },
            status=429,
        )
        response.headers["Retry-After"] = str(window)
        return response
