"""Middleware: security headers (CSP, Permissions-Policy), sign-in limiter, database outages."""

from __future__ import annotations

import logging
import math
import time
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
    login_attempt_delay,
    login_attempt_refusal,
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


def pause_sign_in(seconds: float) -> None:
    """The per-username delay before a sign-in attempt is checked (tests replace it)."""
    time.sleep(seconds)


class LoginRateLimitMiddleware:
    """Refuses (429) sign-in POSTs from an address with too many failures, or from an address
    that failed too often for this username; slows down attempts for a username that failed
    many times from anywhere, without refusing them (`core.security`, "Sign-in attempt limiter").

    Failures are counted by `core.security` from Django's `user_login_failed` signal, in the
    cache (Redis in production, so every web process shares the counts), keyed by the client's
    real address (`client_address`: REMOTE_ADDR or the trusted proxy's X-Forwarded-For entry).
    """

    MESSAGES = {
        "address": "Too many failed sign-in attempts from your network.",
        "account": "Too many failed sign-in attempts for this account from your network.",
    }

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._paths: frozenset[str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: object, view_args: object, view_kwargs: object
    ) -> HttpResponse | None:
        # A view hook, so it runs only after CsrfViewMiddleware accepted the POST: a request
        # that never reaches authentication cannot be made to wait.
        if request.method != "POST":
            return None
        if self._paths is None:
            self._paths = _login_paths()
        if request.path not in self._paths:
            return None
        username = request.POST.get("username")
        refusal = login_attempt_refusal(request, username)
        if refusal is not None:
            return self._too_many(request, refusal)
        # Only attempts that will be authenticated (and so counted when they fail) wait.
        if request.POST.get("password"):
            delay = login_attempt_delay(username)
            if delay > 0:
                pause_sign_in(delay)
        return None

    def _too_many(self, request: HttpRequest, refusal: str) -> HttpResponse:
        window = login_limits().window_seconds
        response = render(
            request,
            "429.html",
            {
                "message": self.MESSAGES[refusal],
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
