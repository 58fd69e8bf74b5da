"""Local sign-out that says so ("Try the demo" lives in demo/views.py: it creates a listener),
and the page asking a listener to agree again when Moodtrack needs a new Spotify permission."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe
from social_django.models import UserSocialAuth

if TYPE_CHECKING:
    from accounts.http import AuthenticatedHttpRequest


class SignOutView(auth_views.LogoutView):
    """Django's POST-only sign-out, confirmed on the next page."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.success(request, "You are signed out.")
        return response


@require_safe
@login_required
def spotify_permissions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Why Moodtrack asks to sign in with Spotify again (shown once, by the Spotify middleware,
    to listeners whose grant predates `playlist-read-collaborative`)."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    granted = set()
    social = (
        UserSocialAuth.objects.filter(user=request.user, provider="spotify").order_by("-pk").first()
    )
    if social is not None:
        granted = set(str(social.extra_data.get("scope") or "").split())
    missing = [scope for scope in settings.SOCIAL_AUTH_SPOTIFY_SCOPE if scope not in granted]
    return render(
        request,
        "accounts/spotify_permissions.html",
        {"next": next_url or "/", "missing": missing, "connected": social is not None},
    )
