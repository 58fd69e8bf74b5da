"""HTML views of recommended songs: the panel for a reading (HTMX partial) and a stored list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from core.exceptions import ApplicationError
from emotions.models import MoodReading
from emotions.presentation import ADJECTIVES
from feedback.selectors import mood_after_get, rating_stars_for_items, rating_stars_for_tracks
from library.selectors import library_sync_get, library_sync_is_active
from recommendations.models import Recommendation, Strategy
from recommendations.playback import spotify_is_stand_in, tracks_playable
from recommendations.rules import rule_targets
from recommendations.selectors import (
    library_state,
    recommendation_get,
    recommendation_latest_for_reading,
)
from recommendations.services import recommendation_create
from recommendations.views.mood_after import answer_sentence, link_pending_snapshot, prompt_context

if TYPE_CHECKING:
    from accounts.http import AuthenticatedHttpRequest

PANEL_TEMPLATE = "recommendations/_panel.html"


def _save_url(recommendation: Recommendation) -> str | None:
    return reverse("recommendations:save", args=[recommendation.pk])


def _strategy(request: AuthenticatedHttpRequest) -> str:
    chosen = request.POST.get("strategy") or request.GET.get("strategy")
    return chosen if chosen in Strategy.values else request.user.default_strategy


def _target_words(emotion: str, strategy: str) -> str:
    moods = sorted(rule_targets(emotion=emotion, strategy=strategy).items(), key=lambda m: -m[1])
    return " and ".join(mood for mood, _weight in moods)


def _panel_context(
    request: AuthenticatedHttpRequest, recommendation: Recommendation | None, **extra: Any
) -> dict[str, Any]:
    items = list(recommendation.items.all()) if recommendation else []
    stars = rating_stars_for_items(user=request.user, item_ids=[item.pk for item in items])
    # A song rated in an earlier list shows those stars here too (the latest rating wins).
    earlier = rating_stars_for_tracks(
        user=request.user, track_ids=[item.track_id for item in items if item.pk not in stars]
    )
    playable = tracks_playable(item.track.spotify_id for item in items)
    context = {
        "recommendation": recommendation,
        "rows": [
            (item, stars.get(item.pk) or earlier.get(item.track_id), item.pk not in stars)
            for item in items
        ],
        # Spotify's player and links only for songs Spotify knows (demo: the stand-in's real ones).
        "playable_ids": playable,
        "unplayable_count": sum(item.track.spotify_id not in playable for item in items),
        "stand_in": spotify_is_stand_in(),
        "strategies": Strategy.choices,
        "library_url": reverse("library:library"),
        "capture_url": reverse("emotions:capture"),
        # Focus the new heading after the listener switched strategy or asked again, or when the
        # reading's panel asks for it (?focus=1: the songs that follow a mood correction).
        "focus": bool(request.htmx)
        and (request.htmx.target == "songs-panel" or request.GET.get("focus") == "1"),
    }
    if recommendation:
        answer = mood_after_get(user=request.user, recommendation_id=recommendation.pk)
        context.update(prompt_context(recommendation, answer))
        context.update(
            save_url=_save_url(recommendation),
            target_words=_target_words(recommendation.emotion, recommendation.strategy),
            strategy=recommendation.strategy,
            feeling=ADJECTIVES.get(recommendation.emotion, recommendation.emotion),
        )
    context.update(extra)
    return context


def _render_panel(
    request: AuthenticatedHttpRequest, context: dict[str, Any], page: str
) -> HttpResponse:
    return render(request, PANEL_TEMPLATE if request.htmx else page, context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def songs_for_reading(request: AuthenticatedHttpRequest, reading_id: int) -> HttpResponse:
    """GET: the latest list for the reading and strategy (made on first visit); POST: new picks."""
    reading = get_object_or_404(MoodReading, pk=reading_id, user=request.user)
    strategy = _strategy(request)
    page = "recommendations/for_reading.html"
    base: dict[str, Any] = {"reading": reading, "strategy": strategy, "panel_url": request.path}
    emotion = reading.effective_emotion
    if not emotion or not reading.is_final:
        return _render_panel(
            request, _panel_context(request, None, state="no_emotion", **base), page
        )
    # This reading may be the snapshot that answers "How do you feel now?" for an earlier list.
    answered_earlier = link_pending_snapshot(request, reading)
    if answered_earlier is not None:
        base["answered_earlier"] = answer_sentence(answered_earlier)
    state = library_state(user=request.user)
    if state.entries == 0:
        empty = "empty_library" if state.synced else "no_library"
        # While the first sync runs, the panel asks again by itself (HTMX) until songs are there.
        syncing = library_sync_is_active(library_sync_get(user=request.user))
        context = _panel_context(request, None, state=empty, syncing=syncing, **base)
        return _render_panel(request, context, page)

    recommendation = None
    if request.method in ("GET", "HEAD"):
        recommendation = recommendation_latest_for_reading(
            user=request.user, reading_id=reading.pk, strategy=strategy, emotion=emotion
        )
    if recommendation is None:
        try:
            created = recommendation_create(
                user=request.user, emotion=emotion, strategy=strategy, reading=reading
            )
        except ApplicationError as error:
            context = _panel_context(request, None, state="error", error=error.message, **base)
            return _render_panel(request, context, page)
        if request.method == "POST" and not request.htmx:
            return redirect(f"{request.path}?strategy={strategy}")
        recommendation = recommendation_get(user=request.user, pk=created.pk)
    context = _panel_context(request, recommendation, state="ok", **base)
    return _render_panel(request, context, page)


@login_required
@require_safe
def recommendation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A stored recommendation, with its songs, reasons and the listener's ratings."""
    recommendation = recommendation_get(user=request.user, pk=pk)
    if recommendation is None:
        raise Http404("No such recommendation.")
    panel_url = (
        reverse("recommendations:for_reading", args=[recommendation.reading_id])
        if recommendation.reading_id
        else None
    )
    context = _panel_context(
        request,
        recommendation,
        state="ok",
        reading=recommendation.reading,
        panel_url=panel_url,
        reading_url=(
            reverse("emotions:reading", args=[recommendation.reading_id])
            if recommendation.reading_id
            else ""
        ),
        stored=True,
    )
    return render(request, "recommendations/detail.html", context)
