"""Tests for POST /api/v1/ratings/ and GET/PATCH /api/v1/ratings/<id>/."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from feedback.models import Rating
from library.models import TrackMood
from recommendations.tests.factories import RecommendationItemFactory

URL = "/api/v1/ratings/"


@pytest.fixture
def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def item(user):
    return RecommendationItemFactory(recommendation__user=user, recommendation__emotion="neutral")


@pytest.mark.django_db
def test_post_creates_then_updates_a_rating(api, item) -> None:
    created = api.post(URL, {"item": item.pk, "stars": 4}, format="json")
    updated = api.post(URL, {"item": item.pk, "stars": 2}, format="json")

    assert created.status_code == 201
    assert updated.status_code == 200
    body = updated.json()
    assert body["id"] == created.json()["id"]
    assert (body["item"], body["stars"], body["emotion"]) == (item.pk, 2, "neutral")
    assert body["track"] == item.track.spotify_id
    assert TrackMood.objects.filter(track=item.track, source="ratings").exists()


@pytest.mark.django_db
def test_patch_changes_the_stars(api, item) -> None:
    rating_id = api.post(URL, {"item": item.pk, "stars": 4}, format="json").json()["id"]

    response = api.patch(f"{URL}{rating_id}/", {"stars": 1}, format="json")

    assert response.status_code == 200
    assert Rating.objects.get().stars == 1
    assert api.get(f"{URL}{rating_id}/").json()["stars"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("stars", [0, 6, "lots", None])
def test_stars_are_validated(api, item, stars) -> None:
    response = api.post(URL, {"item": item.pk, "stars": stars}, format="json")

    assert response.status_code == 400
    assert "stars" in response.json()["extra"]["fields"]


@pytest.mark.django_db
def test_other_peoples_items_and_ratings_are_not_found(api) -> None:
    stranger = UserFactory()
    theirs = RecommendationItemFactory(recommendation__user=stranger)
    rating = Rating.objects.create(
        user=stranger, track=theirs.track, item=theirs, emotion="sad", strategy="match", stars=5
    )

    assert api.post(URL, {"item": theirs.pk, "stars": 1}, format="json").status_code == 404
    assert api.patch(f"{URL}{rating.pk}/", {"stars": 1}, format="json").status_code == 404
    assert api.get(f"{URL}{rating.pk}/").status_code == 404
    assert Rating.objects.get().stars == 5


@pytest.mark.django_db
def test_ratings_need_authentication(item) -> None:
    assert APIClient().post(URL, {"item": item.pk, "stars": 5}).status_code in (401, 403)
