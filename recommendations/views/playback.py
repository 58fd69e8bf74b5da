"""HTML view for "save as playlist": a stored recommendation becomes a private Spotify playlist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from recommendations.models import Recommendation
from recommendations.playback import recommendation_save_to_spotify
from spotify import client as spotify


def _back(request: HttpRequest, recommendation: Recommendation) -> str:
    candidate = request.POST.get("next") or request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return reverse("recommendations:detail", args=[recommendation.pk])


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
