"""The profile page (preferences, Spotify connection, sync status) and the Spotify re-sign-in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods
from social_django.models import UserSocialAuth

from accounts.forms import PreferencesForm
from accounts.services import user_update_preferences
from library.models import LibrarySync
from spotify.tokens import spotify_association, token_expires_in

if TYPE_CHECKING:
    from accounts.http import AuthenticatedHttpRequest


def _safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def spotify_connection(user) -> dict[str, object] | None:
    """What the page may show about the Spotify link: never a token."""
    social = spotify_association(user)
    if social is None:
        return None
    remaining = token_expires_in(social)
    return {
        "uid": social.uid,
        "display_name": social.extra_data.get("display_name") or social.uid,
        "connected_at": social.created,
        "scopes": sorted((social.extra_data.get("scope") or "").split()),
        "token_fresh": remaining is not None and remaining.total_seconds() > 0,
        "can_disconnect": UserSocialAuth.allowed_to_disconnect(user, "spotify", social.pk),
    }


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_update_preferences(
            user=request.user,
            default_strategy=form.cleaned_data["default_strategy"],
            image_retention=form.cleaned_data["image_retention"],
        )
        messages.success(request, "Your settings are saved.")
        return redirect("library:profile")
    sync = LibrarySync.objects.filter(user=request.user).first()
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "spotify": spotify_connection(request.user), "sync": sync},
        status=400 if form.errors else 200,
    )


@require_GET
def spotify_reconnect(request: HttpRequest) -> HttpResponse:
    """Explains why Spotify needs a new sign-in and offers the button; nothing is deleted."""
    return render(
        request,
        "accounts/spotify_reconnect.html",
        {"next": _safe_next(request, "/library/")},
    )
