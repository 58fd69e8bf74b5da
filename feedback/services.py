"""Writes on ratings: one per user and recommended item; each one updates mood evidence at once."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from core.exceptions import ApplicationError
from feedback.models import Rating
from recommendations.models import RecommendationItem
from recommendations.moods import track_moods_update_from_ratings


def _validate_stars(stars: int) -> None:
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise ApplicationError("Give between 1 and 5 stars.", extra={"stars": stars})


@transaction.atomic
def rating_upsert(*, user: User, item: RecommendationItem, stars: int) -> Rating:
    """Rate a recommended song (or change the rating); emotion and strategy come from the list."""
    _validate_stars(stars)
    recommendation = item.recommendation
    if recommendation.user_id != user.pk:
        raise ApplicationError("That song was not recommended to you.", status_code=404)
    rating, created = Rating.objects.select_for_update().get_or_create(
        user=user,
        item=item,
        defaults={
            "track_id": item.track_id,
            "emotion": recommendation.emotion,
            "strategy": recommendation.strategy,
            "stars": stars,
        },
    )
    if not created and rating.stars != stars:
        rating.stars = stars
        rating.save(update_fields=["stars", "updated_at"])
    track_moods_update_from_ratings(track_ids=[item.track_id])
    return rating


@transaction.atomic
def rating_update(*, rating: Rating, stars: int) -> Rating:
    """Change the stars of an existing rating."""
    _validate_stars(stars)
    if rating.stars != stars:
        rating.stars = stars
        rating.save(update_fields=["stars", "updated_at"])
        track_moods_update_from_ratings(track_ids=[rating.track_id])
    return rating
