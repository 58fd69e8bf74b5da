"""Tests for rating_upsert and rating_update."""

import pytest

from accounts.tests.factories import UserFactory
from core.exceptions import ApplicationError
from feedback.models import Rating
from feedback.services import rating_update, rating_upsert
from library.models import TrackMood
from recommendations.tests.factories import RecommendationItemFactory


@pytest.fixture
def item():
    return RecommendationItemFactory(
        recommendation__emotion="angry", recommendation__strategy="lift"
    )


@pytest.mark.django_db
def test_a_rating_takes_its_context_from_the_recommendation(item) -> None:
    rating = rating_upsert(user=item.recommendation.user, item=item, stars=4)

    assert rating.track == item.track
    assert (rating.emotion, rating.strategy, rating.stars) == ("angry", "lift", 4)


@pytest.mark.django_db
def test_rating_the_same_item_again_updates_it(item) -> None:
    user = item.recommendation.user
    first = rating_upsert(user=user, item=item, stars=2)

    again = rating_upsert(user=user, item=item, stars=5)

    assert again.pk == first.pk
    assert Rating.objects.get().stars == 5


@pytest.mark.django_db
def test_a_rating_updates_the_tracks_mood_evidence_at_once(item) -> None:
    user = item.recommendation.user
    rating = rating_upsert(user=user, item=item, stars=5)
    high = TrackMood.objects.get(track=item.track, source="ratings", mood="calm").score

    rating_update(rating=rating, stars=1)

    low = TrackMood.objects.get(track=item.track, source="ratings", mood="calm").score
    assert low < 0.25 < high


@pytest.mark.django_db
def test_nobody_rates_someone_elses_recommendation(item) -> None:
    with pytest.raises(ApplicationError) as error:
        rating_upsert(user=UserFactory(), item=item, stars=5)

    assert error.value.status_code == 404
    assert not Rating.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("stars", [0, 6, -1, True, "5", 2.5])
def test_stars_are_whole_numbers_from_one_to_five(item, stars) -> None:
    with pytest.raises(ApplicationError, match="between 1 and 5"):
        rating_upsert(user=item.recommendation.user, item=item, stars=stars)
