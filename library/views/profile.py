"""The profile page (preferences, Spotify connection, sync status, API tokens) and the Spotify
re-sign-in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from social_django.models import UserSocialAuth

from accounts import services as accounts_services
from accounts.forms import ApiTokenForm, PreferencesForm
from accounts.selectors import api_token_get, api_token_list
from accounts.services import NewApiToken, user_update_preferences
from core.exceptions import ApplicationError
from library.models import LibrarySync
from spotify.tokens import spotify_association, spotify_display_id, token_expires_in

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
        # Spotify's `id` (display data; the association is keyed by the immutable account_id).
        "uid": spotify_display_id(social),
        "display_name": social.extra_data.get("display_name") or spotify_display_id(social),
        "connected_at": social.created,
        "scopes": sorted((social.extra_data.get("scope") or "").split()),
        "token_fresh": remaining is not None and remaining.total_seconds() > 0,
        "can_disconnect": UserSocialAuth.allowed_to_disconnect(user, "spotify", social.pk),
    }


def _profile_page(
    request: AuthenticatedHttpRequest,
    *,
    form: PreferencesForm | None = None,
    token_form: ApiTokenForm | None = None,
    new_token: NewApiToken | None = None,
    status: int = 200,
) -> HttpResponse:
    sync = LibrarySync.objects.filter(user=request.user).first()
    response = render(
        request,
        "accounts/profile.html",
        {
            "form": form or PreferencesForm(instance=request.user),
            "spotify": spotify_connection(request.user),
            "sync": sync,
            "token_form": token_form or ApiTokenForm(),
            "api_tokens": api_token_list(user=request.user),
            "new_token": new_token,
        },
        status=status,
    )
    if new_token is not None:
        # The key is on this page only: no cache, no back-button copy, no proxy may keep it.
        add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
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
    return _profile_page(request, form=form, status=400 if form.errors else 200)


@login_required
@require_POST
def api_token_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Make a token and show its key on the profile page, this once (it is stored hashed)."""
    token_form = ApiTokenForm(request.POST)
    if token_form.is_valid():
        try:
            new_token = accounts_services.api_token_create(
                user=request.user, name=token_form.cleaned_data["name"]
            )
        except ApplicationError as error:
            token_form.add_error("name", error.message)
        else:
            return _profile_page(request, new_token=new_token)
    return _profile_page(request, token_form=token_form, status=400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET: ask to confirm. POST: revoke. Only the listener's own active tokens (else 404)."""
    if request.method == "POST":
        token = accounts_services.api_token_revoke(user=request.user, token_id=pk)
        if token is None:
            raise Http404("No such token.")
        messages.success(
            request, f"The token “{token.name}” is revoked: programs using it are refused now."
        )
        return redirect(reverse("library:profile") + "#api-tokens-title")
    token = api_token_get(user=request.user, token_id=pk)
    if token is None:
        raise Http404("No such token.")
    return render(request, "accounts/api_token_revoke.html", {"token": token})


@require_safe
def spotify_reconnect(request: HttpRequest) -> HttpResponse:
    """Explains why Spotify needs a new sign-in and offers the button; nothing is deleted."""
    return render(
        request,
        "accounts/spotify_reconnect.html",
        {"next": _safe_next(request, "/library/")},
    )
