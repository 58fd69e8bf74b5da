"""Reads on ratings: a user's own, the crowd's (aggregated, never per person), and UI state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np
from django.db.models import Count, QuerySet, Sum

from accounts.models import User
from core.validation import id_in_range
from feedback.models import MoodAfter, Rating

if TYPE_CHECKING:
    from recommendations.models import Recommendation


@dataclass
class UserRatingRows:
    """One user's ratings, newest first, as arrays."""

    track_ids: np.ndarray
    stars: np.ndarray
    same_emotion: np.ndarray
    emotions: list[str]


@dataclass
class CrowdEvidence:
    """Other listeners' ratings per track in one emotion: only counts and sums, no people.

    `listeners` counts distinct raters and `stars` is the sum of their average stars, so a
    listener who rated a track many times still counts once.
    """

    track_ids: np.ndarray
    listeners: np.ndarray
    stars: np.ndarray


def user_track_affinity(*, user: User, emotion: str) -> UserRatingRows:
    """The user's own ratings (every emotion), marked by whether they were given in `emotion`."""
    rows = list(
        Rating.objects.filter(user=user)
        .order_by("-updated_at", "-id")
        .values_list("track_id", "stars", "emotion")
    )
    emotions = [row[2] for row in rows]
    return UserRatingRows(
        track_ids=np.array([row[0] for row in rows], dtype=np.int64),
        stars=np.array([row[1] for row in rows], dtype=float),
        same_emotion=np.array([name == emotion for name in emotions], dtype=bool),
        emotions=emotions,
    )


def crowd_evidence(
    *, user: User, emotion: str, track_ids: QuerySet | Iterable[int]
) -> CrowdEvidence:
    """Everyone else's ratings of `track_ids` given in `emotion`, aggregated per track in SQL."""
    rows = list(
        Rating.objects.filter(emotion=emotion, track_id__in=track_ids)
        .exclude(user=user)
        .values("track_id")
        .order_by()
        .annotate(
            ratings=Count("id"), listeners=Count("user", distinct=True), star_sum=Sum("stars")
        )
        .values_list("track_id", "ratings", "listeners", "star_sum")
    )
    ratings = np.array([row[1] for row in rows], dtype=float)
    listeners = np.array([row[2] for row in rows], dtype=float)
    star_sum = np.array([row[3] for row in rows], dtype=float)
    return CrowdEvidence(
        track_ids=np.array([row[0] for row in rows], dtype=np.int64),
        listeners=listeners,
        stars=star_sum * listeners / np.maximum(ratings, 1.0),
    )


def rating_contexts_for_tracks(*, track_ids: Iterable[int]) -> list[tuple[int, str, str, int]]:
    """(track_id, emotion, strategy, stars) of every rating of these tracks, without the raters."""
    return list(
        Rating.objects.filter(track_id__in=list(track_ids))
        .order_by("track_id", "id")
        .values_list("track_id", "emotion", "strategy", "stars")
    )


def rated_track_ids() -> list[int]:
    """Every track somebody has rated (for re-deriving ratings evidence after a rule change)."""
    return list(Rating.objects.order_by().values_list("track_id", flat=True).distinct())


def rating_stars_for_items(*, user: User, item_ids: Iterable[int]) -> dict[int, int]:
    """The user's stars per recommendation item, for drawing the rating widgets."""
    return dict(
        Rating.objects.filter(user=user, item_id__in=list(item_ids)).values_list("item_id", "stars")
    )


def rating_stars_for_tracks(*, user: User, track_ids: Iterable[int]) -> dict[int, int]:
    """The user's latest stars per track, whichever list it was rated in (pre-fills later lists)."""
    latest: dict[int, int] = {}
    rows = (
        Rating.objects.filter(user=user, track_id__in=list(track_ids))
        .order_by("-updated_at", "-id")
        .values_list("track_id", "stars")
    )
    for track_id, stars in rows:
        latest.setdefault(track_id, stars)
    return latest


def rating_get(*, user: User, pk: int) -> Rating | None:
    return Rating.objects.filter(user=user, pk=pk).select_related("track", "item").first()


def rating_list(*, user: User) -> QuerySet[Rating]:
    return Rating.objects.filter(user=user).select_related("track")


def mood_after_get(*, user: User, recommendation_id: int) -> MoodAfter | None:
    """The user's answer to "How do you feel now?" for one of their lists, if any."""
    if not id_in_range(recommendation_id):  # a 20-digit path id would overflow the driver
        return None
    return MoodAfter.objects.filter(user=user, recommendation_id=recommendation_id).first()


def mood_after_list(*, user: User) -> QuerySet[MoodAfter]:
    return MoodAfter.objects.filter(user=user)


def answerable_recommendation(*, user: User, pk: int) -> Recommendation | None:
    """The user's list `pk`, for an answer about it.

    Feedback sits below recommendations and does not import it: the model is the one the
    answer's foreign key points at.
    """
    model = MoodAfter._meta.get_field("recommendation").related_model
    found = model._default_manager.filter(pk=pk, user=user).first()  # type: ignore[union-attr]
    return cast("Recommendation | None", found)
