"""The "Try the demo" sign-in: a fresh listener of the visitor's own (demo/visitors.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST
from rest_framework.throttling import SimpleRateThrottle

from core.throttling import throttled_message, too_many_requests
from demo.visitors import visitor_create, visitor_queryset

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class DemoVisitorThrottle(SimpleRateThrottle):
    """New demo visitors per address (DEMO_VISITOR_RATE), so a script cannot mint thousands."""

    scope = "demo-visitors"

    def get_rate(self) -> str:
        return settings.DEMO_VISITOR_RATE

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _is_visitor(request: HttpRequest) -> bool:
    user = request.user
    return user.is_authenticated and visitor_queryset().filter(pk=user.pk).exists()


@require_POST
def demo_login(request: HttpRequest) -> HttpResponse:
    """Create a demo listener for this visitor and sign it in; only in demo mode."""
    if not settings.DEMO_MODE:
        raise Http404("Demo mode is off.")
    if _is_visitor(request):
        messages.info(request, "You are already signed in as your own demo listener.")
        return redirect(settings.LOGIN_REDIRECT_URL)
    throttle = DemoVisitorThrottle()
    # The throttle reads only the request's address (get_cache_key above).
    if not throttle.allow_request(cast("Request", request), cast("APIView", None)):
        wait = throttle.wait() or 60.0
        return too_many_requests(
            request,
            wait=wait,
            title="Too many demo accounts",
            message="Many demo accounts were started from your network in a short time.",
            retry_text=throttled_message(wait, "You can try the demo again in {wait}."),
            back_url=reverse("login"),
            back_label="Back to sign-in",
        )
    user = visitor_create()
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    hours = settings.DEMO_VISITOR_MAX_AGE_HOURS
    messages.success(
        request,
        "You are signed in as a demo listener of your own, with a month of made-up moods. "
        f"Nobody else sees it, and it is deleted with everything in it after {hours} hours.",
    )
    return redirect(settings.LOGIN_REDIRECT_URL)
