"""A user's reading history and data controls: the history page, deleting, and the data export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import User
from core.exceptions import ApplicationError
from emotions.models import MoodReading
from emotions.services import reading_delete
from feedback.evidence import ratings_changed
from feedback.models import MoodAfter, Rating
from feedback.valence import mood_change
from library.models import LibraryEntry
from recommendations.models import Recommendation, RecommendationItem

HISTORY_PAGE_SIZE = 20
EXPORT_FORMAT = "moodtrack-export/1"


@dataclass(frozen=True)
class HistoryDeletion:
    readings: int
    recommendations: int
    ratings: int
    moods_after: int = 0


def history_page(*, user: User, page_number: int | str | None) -> Page:
    """One page of the user's readings, newest first, with their songs and the ratings given."""
    items = RecommendationItem.objects.select_related("track").prefetch_related(
        Prefetch("ratings", queryset=Rating.objects.filter(user=user), to_attr="user_ratings")
    )
    readings = MoodReading.objects.filter(user=user).prefetch_related(
        Prefetch(
            "recommendations",
            queryset=Recommendation.objects.filter(user=user).prefetch_related(
                Prefetch("items", queryset=items)
            ),
        )
    )
    return Paginator(readings, HISTORY_PAGE_SIZE).get_page(page_number)


def history_counts(*, user: User) -> HistoryDeletion:
    """What "delete all my history" would remove."""
    return HistoryDeletion(
        readings=MoodReading.objects.filter(user=user).count(),
        recommendations=Recommendation.objects.filter(user=user).count(),
        ratings=Rating.objects.filter(user=user).count(),
        moods_after=MoodAfter.objects.filter(user=user).count(),
    )


def _delete_files_on_commit(names: Iterable[str]) -> None:
    """Remove stored frames/thumbnails once the rows are gone for good (not on a rollback)."""
    names = [name for name in names if name]
    if not names:
        return
    storage = MoodReading._meta.get_field("image").storage

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


@transaction.atomic
def history_reading_delete(*, user: User, reading_id: int) -> None:
    """Delete one of the user's readings, its files and the recommendations made for it."""
    reading = MoodReading.objects.filter(user=user, pk=reading_id).first()
    if reading is None:
        raise ApplicationError("That reading does not exist.", status_code=404)
    reading_delete(reading=reading)


@transaction.atomic
def history_delete_all(*, user: User) -> HistoryDeletion:
    """Delete every reading (and its files), recommendation, rating and mood-after answer."""
    readings = MoodReading.objects.filter(user=user)
    files = readings.values_list("image", "thumbnail")
    _delete_files_on_commit(name for pair in files for name in pair)
    rated_tracks = set(Rating.objects.filter(user=user).values_list("track_id", flat=True))
    ratings, _ = Rating.objects.filter(user=user).delete()
    moods_after, _ = MoodAfter.objects.filter(user=user).delete()
    recommendations = Recommendation.objects.filter(user=user).count()
    reading_count = readings.count()
    # Recommendations cascade to their items; readings cascade to the recommendations made for them.
    Recommendation.objects.filter(user=user).delete()
    readings.delete()
    # The listeners'-ratings mood evidence of those songs no longer counts this user's stars.
    ratings_changed(track_ids=rated_tracks)
    return HistoryDeletion(
        readings=reading_count,
        recommendations=recommendations,
        ratings=ratings,
        moods_after=moods_after,
    )


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _track(track: Any) -> dict[str, Any]:
    return {
        "spotify_id": track.spotify_id,
        "name": track.name,
        "artists": track.artist_names,
        "album": track.album_name,
    }


def user_data_export(*, user: User) -> dict[str, Any]:
    """Everything the user has given us, as JSON-ready data: no tokens, images or other users."""
    readings = [
        {
            "id": reading.pk,
            "created_at": _iso(reading.created_at),
            "source": reading.source,
            "status": reading.status,
            "emotion": reading.emotion,
            "your_emotion": reading.user_emotion,
            "confidence": reading.confidence,
            "probabilities": reading.probabilities,
            "faces": reading.faces,
            "face_count": reading.face_count,
            "group": reading.group,
            "mood_source": reading.mood_source,
            "uncertain": reading.uncertain,
            "model_version": reading.model_version,
            "thumbnail_kept": bool(reading.thumbnail),
        }
        for reading in MoodReading.objects.filter(user=user).order_by("created_at", "id")
    ]
    recommendations = [
        {
            "id": recommendation.pk,
            "created_at": _iso(recommendation.created_at),
            "reading_id": recommendation.reading_id,
            "emotion": recommendation.emotion,
            "strategy": recommendation.strategy,
            "saved_playlist_id": recommendation.spotify_playlist_id,
            "items": [
                {
                    "position": item.position,
                    "track": _track(item.track),
                    "score": item.score,
                    "reason": item.reason,
                }
                for item in recommendation.items.all()
            ],
        }
        for recommendation in Recommendation.objects.filter(user=user)
        .order_by("created_at", "id")
        .prefetch_related(
            Prefetch("items", queryset=RecommendationItem.objects.select_related("track"))
        )
    ]
    ratings = [
        {
            "id": rating.pk,
            "created_at": _iso(rating.created_at),
            "updated_at": _iso(rating.updated_at),
            "stars": rating.stars,
            "emotion": rating.emotion,
            "strategy": rating.strategy,
            "recommendation_id": rating.item.recommendation_id if rating.item else None,
            "track": _track(rating.track),
        }
        for rating in Rating.objects.filter(user=user)
        .select_related("track", "item")
        .order_by("created_at", "id")
    ]
    moods_after = [
        {
            "recommendation_id": answer.recommendation_id,
            "created_at": _iso(answer.created_at),
            "updated_at": _iso(answer.updated_at),
            "emotion_before": answer.emotion_before,
            "emotion_after": answer.emotion,
            "strategy": answer.strategy,
            "change": mood_change(answer.emotion_before, answer.emotion),
            "source": answer.source,
            "reading_id": answer.reading_id,
        }
        for answer in MoodAfter.objects.filter(user=user).order_by("created_at", "id")
    ]
    library = [
        {
            "track": _track(entry.track),
            "sources": entry.sources,
            "liked_at": _iso(entry.liked_at),
            "last_played_at": _iso(entry.last_played_at),
            "first_seen_at": _iso(entry.first_seen_at),
        }
        for entry in LibraryEntry.objects.filter(user=user).select_related("track").order_by("id")
    ]
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(timezone.now()),
        "account": {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined": _iso(user.date_joined),
            "default_strategy": user.default_strategy,
            "image_retention": user.image_retention,
        },
        "readings": readings,
        "recommendations": recommendations,
        "ratings": ratings,
        "moods_after": moods_after,
        "library": library,
    }


def export_filename(*, user: User) -> str:
    return f"moodtrack-{user.username}-{timezone.localdate().isoformat()}.json"
