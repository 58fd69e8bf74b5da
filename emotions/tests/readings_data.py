"""Test data for the dashboard and history: timed readings, songs, recommendations, ratings."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence

from accounts.models import User
from emotions.models import MoodReading
from feedback.models import Rating
from library.models import Track
from ml.labels import EMOTIONS
from recommendations.models import Recommendation, RecommendationItem


def probabilities_for(emotion: str, confidence: float) -> dict[str, float]:
    rest = (1 - confidence) / (len(EMOTIONS) - 1)
    return {name: confidence if name == emotion else rest for name in EMOTIONS}


def readings_at(
    user: User,
    moments: Sequence[tuple[dt.datetime, str]],
    *,
    source: str = MoodReading.Source.UPLOAD,
    corrected: dict[int, str] | None = None,
    batch_size: int = 2000,
) -> list[MoodReading]:
    """Done readings at exact times (created_at is auto_now_add, so it is set by a bulk update)."""
    corrected = corrected or {}
    readings = [
        MoodReading(
            user=user,
            source=source,
            status=MoodReading.Status.DONE,
            emotion=emotion,
            confidence=0.8,
            probabilities=probabilities_for(emotion, 0.8),
            face_count=1,
            model_version="test-1",
            user_emotion=corrected.get(index, ""),
        )
        for index, (_, emotion) in enumerate(moments)
    ]
    MoodReading.objects.bulk_create(readings, batch_size=batch_size)
    for reading, (moment, _) in zip(readings, moments, strict=True):
        reading.created_at = moment
    MoodReading.objects.bulk_update(readings, ["created_at"], batch_size=500)
    return readings


def random_moments(
    count: int, *, days: int, now: dt.datetime, seed: int = 7
) -> list[tuple[dt.datetime, str]]:
    """`count` readings spread over the last `days` days, emotions drawn at random."""
    rng = random.Random(seed)
    return [
        (now - dt.timedelta(seconds=rng.randrange(days * 86400)), rng.choice(EMOTIONS))
        for _ in range(count)
    ]


def tracks(names: Iterable[str]) -> list[Track]:
    return [
        Track.objects.create(
            # Spotify ids are 22 characters; the column allows 64 (PostgreSQL enforces it).
            spotify_id=f"sp{name.replace(' ', '')}"[:64],
            name=name,
            artist_names="Band",
        )
        for name in names
    ]


def recommend(
    user: User, reading: MoodReading | None, songs: Sequence[Track], *, emotion: str = "sad"
) -> Recommendation:
    recommendation = Recommendation.objects.create(
        user=user, reading=reading, emotion=emotion, strategy="match"
    )
    for position, track in enumerate(songs, start=1):
        RecommendationItem.objects.create(
            recommendation=recommendation, track=track, position=position, score=1.0, reason="test"
        )
    return recommendation


def rate(user: User, item: RecommendationItem, stars: int) -> Rating:
    recommendation = item.recommendation
    return Rating.objects.create(
        user=user,
        track=item.track,
        item=item,
        emotion=recommendation.emotion,
        strategy=recommendation.strategy,
        stars=stars,
    )
