"""HTML views for the Spotify side of recommendations: the library page and "save as playlist"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.spotify_tokens import spotify_association
from core.exceptions import ApplicationError
from recommendations import spotify
from recommendations.library_selectors import (
    library_counts,
    library_entry_list,
    library_sync_get,
    library_sync_is_active,
)
from recommendations.models import LibrarySync, Recommendation
from recommendations.playback import recommendation_save_to_spotify
from recommendations.sync import library_sync_request

PAGE_SIZE = 50


def _status_context(request: HttpRequest) -> dict[str, object]:
    sync = library_sync_get(user=request.user)
    return {
        "sync": sync,
        "active": library_sync_is_active(sync),
        "reauth": sync is not None and sync.status == LibrarySync.Status.REAUTH,
        "connected": spotify_association(request.user) is not None,
        "counts": library_counts(user=request.user),
    }


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """Sync status (polled while a sync runs), library size, and the tracks, 50 a page."""
    context = _status_context(request)
    page = Paginator(library_entry_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "recommendations/library.html", {**context, "page": page})


@login_required
@require_GET
def library_status(request: HttpRequest) -> HttpResponse:
    """The status card alone (HTMX polling); reloads the page when a watched sync ends."""
    context = _status_context(request)
    response = render(request, "recommendations/_library_status.html", context)
    if request.GET.get("watching") and not context["active"]:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def library_sync_start(request: HttpRequest) -> HttpResponse:
    if spotify_association(request.user) is None:
        messages.info(request, "Connect your Spotify account first, then sync your library.")
        return redirect("accounts:profile")
    library_sync_request(user=request.user, reason="sync button")
    if request.htmx:
        return render(request, "recommendations/_library_status.html", _status_context(request))
    messages.success(request, "Your library sync has started.")
    return redirect("recommendations:library")


def _back(request: HttpRequest, recommendation: Recommendation) -> str:
    candidate = request.POST.get("next") or request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return reverse("recommendations:detail", args=[recommendation.pk])


@transaction.non_atomic_requests
@login_required
@require_POST
def recommendation_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save a stored recommendation to the user's Spotify as a private playlist."""
    recommendation = get_object_or_404(Recommendation, pk=pk, user=request.user)
    back = _back(request, recommendation)
    try:
        saved = recommendation_save_to_spotify(recommendation=recommendation, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(back)
    except spotify.SpotifyRateLimited:
        messages.error(request, "Spotify is busy right now. Please try again in a minute.")
        return redirect(back)
    except spotify.SpotifyForbidden:
        messages.error(
            request,
            "Spotify did not let Moodtrack create a playlist. Sign in with Spotify again to "
            "grant playlist access.",
        )
        return redirect(back)
    except spotify.SpotifyApiError:
        messages.error(request, "Spotify did not answer. Please try again in a minute.")
        return redirect(back)
    verb = "Saved" if saved.created else "Already saved"
    text = f"{verb}: a private playlist with {saved.track_count} songs is in your Spotify."
    if saved.demo:
        text += (
            " Demo mode: it lives in Moodtrack's local Spotify stand-in — real playback needs "
            "a real Spotify account."
        )
    messages.success(request, text)
    return redirect(back)
