"""Writes on ratings (one per user and recommended item; each updates mood evidence at once) and
on the mood after a list (one per list, changeable)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from core.exceptions import ApplicationError
from feedback.evidence import ratings_changed
from feedback.models import MoodAfter, Rating
from feedback.ports import RatedItem, rated_item
from ml.labels import EMOTIONS

if TYPE_CHECKING:
    from emotions.models import MoodReading
    from recommendations.models import Recommendation

# "How do you feel now?" is about the songs just heard: answers are taken for this long after
# the list was made (the page asks within the hour; the rest is slack for a slow answer).
MOOD_AFTER_WINDOW = dt.timedelta(hours=2)
# The pages ask once a list has been open a few minutes, and for an hour after it was made.
MOOD_AFTER_PROMPT_DELAY = dt.timedelta(minutes=3)
MOOD_AFTER_PROMPT_WINDOW = dt.timedelta(hours=1)


def _validate_stars(stars: int) -> None:
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise ApplicationError("Give between 1 and 5 stars.", extra={"stars": stars})


def rated_item_get(*, user: User, pk: int) -> RatedItem:
    """The item `pk` recommended to `user`, or a 404 error."""
    item = rated_item(pk=pk, user_id=user.pk)
    if item is None:
        raise ApplicationError("That song was not recommended to you.", status_code=404)
    return item


@transaction.atomic
def rating_upsert(*, user: User, item: RatedItem | models.Model | int, stars: int) -> Rating:
    """Rate a recommended song (or change the rating); emotion and strategy come from the list.

    `item` is a recommendation item: as feedback sees it, as the model, or its id.
    """
    _validate_stars(stars)
    if isinstance(item, RatedItem):
        found: RatedItem | None = item
    else:
        found = rated_item(pk=item if isinstance(item, int) else item.pk)
    if found is None or found.user_id != user.pk:
        raise ApplicationError("That song was not recommended to you.", status_code=404)
    rating, created = Rating.objects.select_for_update().get_or_create(
        user=user,
        item_id=found.pk,
        defaults={
            "track_id": found.track_id,
            "emotion": found.emotion,
            "strategy": found.strategy,
            "stars": stars,
        },
    )
    if not created and rating.stars != stars:
        rating.stars = stars
        rating.save(update_fields=["stars", "updated_at"])
    ratings_changed(track_ids=[found.track_id])
    return rating


@transaction.atomic
def rating_update(*, rating: Rating, stars: int) -> Rating:
    """Change the stars of an existing rating."""
    _validate_stars(stars)
    if rating.stars != stars:
        rating.stars = stars
        rating.save(update_fields=["stars", "updated_at"])
        ratings_changed(track_ids=[rating.track_id])
    return rating


@transaction.atomic
def mood_after_set(
    *,
    user: User,
    recommendation: Recommendation,
    emotion: str,
    source: str = MoodAfter.Source.TAP,
    reading: MoodReading | None = None,
    now: dt.datetime | None = None,
) -> tuple[MoodAfter, bool]:
    """Store how `user` felt after `recommendation` (or change the answer); (answer, created).

    The list must be the user's and at most MOOD_AFTER_WINDOW old; the emotion one of the seven.
    """
    if emotion not in EMOTIONS:
        raise ApplicationError(
            "Choose one of the seven feelings.", extra={"emotion": emotion, "choices": EMOTIONS}
        )
    if source not in MoodAfter.Source.values:
        raise ApplicationError("Unknown source of the answer.", extra={"source": source})
    if recommendation.user_id != user.pk:
        raise ApplicationError("That list of songs was not made for you.", status_code=404)
    if reading is not None and reading.user_id != user.pk:
        raise ApplicationError("That reading is not yours.", status_code=404)
    now = now or timezone.now()
    if now - recommendation.created_at > MOOD_AFTER_WINDOW:
        raise ApplicationError(
            "That list is too old to ask how it made you feel: answer on a newer one.",
            extra={"recommendation": recommendation.pk},
        )
    answer, created = MoodAfter.objects.select_for_update().get_or_create(
        recommendation=recommendation,
        defaults={
            "user": user,
            "emotion": emotion,
            "emotion_before": recommendation.emotion,
            "strategy": recommendation.strategy,
            "source": source,
            "reading": reading,
        },
    )
    if not created and (answer.emotion, answer.source, answer.reading_id) != (
        emotion,
        source,
        reading.pk if reading else None,
    ):
        answer.emotion, answer.source, answer.reading = emotion, source, reading
        answer.save(update_fields=["emotion", "source", "reading", "updated_at"])
    return answer, created


@transaction.atomic
def mood_after_follow_reading(*, user: User, reading: MoodReading) -> MoodAfter | None:
    """The answer a snapshot gave, kept in step with a correction of that reading's emotion."""
    answer = MoodAfter.objects.select_for_update().filter(user=user, reading=reading).first()
    emotion = reading.effective_emotion
    if answer is not None and emotion in EMOTIONS and answer.emotion != emotion:
        answer.emotion = emotion
        answer.save(update_fields=["emotion", "updated_at"])
    return answer
