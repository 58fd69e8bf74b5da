"""Writes on ratings: one per user and recommended item; each one updates mood evidence at once."""

from __future__ import annotations

from django.db import models, transaction

from accounts.models import User
from core.exceptions import ApplicationError
from feedback.evidence import ratings_changed
from feedback.models import Rating
from feedback.ports import RatedItem, rated_item


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
