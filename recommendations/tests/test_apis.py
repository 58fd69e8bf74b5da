"""Tests for GET/POST /api/v1/recommendations/."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from emotions.models import MoodReading
from library.evidence import track_moods_sync_curated
from library.tests.factories import curated_library
from recommendations.models import Recommendation
from recommendations.tests.factories import DoneReadingFactory

URL = "/api/v1/recommendations/"


@pytest.fixture
def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def reading(user) -> MoodReading:
    curated_library(user, per_mood=5)
    track_moods_sync_curated()
    return DoneReadingFactory(user=user, emotion="angry")


@pytest.mark.django_db
def test_post_for_a_reading_uses_its_emotion_and_the_default_strategy(api, user, reading) -> None:
    user.default_strategy = "lift"
    user.save()

    response = api.post(URL, {"reading": reading.pk}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["reading"], body["emotion"], body["strategy"]) == (reading.pk, "angry", "lift")
    assert body["cold_start"] is False
    assert body["page_url"].endswith(f"/songs/{body['id']}/")
    assert len(body["items"]) == 10
    first = body["items"][0]
    assert first["position"] == 1
    assert first["reason"].startswith("in your Liked Songs · curated calm")
    assert first["track"]["embed_url"].startswith("https://open.spotify.com/embed/track/")
    assert set(first["components"]) >= {"mood_fit", "affinity", "crowd", "explore", "recent"}
    assert first["my_rating"] is None


@pytest.mark.django_db
def test_post_for_an_emotion_with_a_strategy_seed_and_size(api, reading) -> None:
    body = {"emotion": "sad", "strategy": "match", "n": 4, "seed": 12}
    first = api.post(URL, body, format="json").json()
    Recommendation.objects.all().delete()
    again = api.post(URL, body, format="json").json()

    assert first["reading"] is None
    assert len(first["items"]) == 4
    assert [i["track"]["spotify_id"] for i in first["items"]] == [
        i["track"]["spotify_id"] for i in again["items"]
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"emotion": "bored"},
        {"emotion": "sad", "strategy": "ignore"},
        {"emotion": "sad", "n": 0},
    ],
)
def test_post_validates_its_input(api, reading, body) -> None:
    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["message"] == "Validation error."


@pytest.mark.django_db
def test_post_for_someone_elses_reading_is_not_found(api, reading) -> None:
    response = api.post(URL, {"reading": DoneReadingFactory().pk}, format="json")

    assert response.status_code == 404


@pytest.mark.django_db
def test_post_for_an_unfinished_reading_explains(api, user, reading) -> None:
    pending = DoneReadingFactory(user=user, status=MoodReading.Status.PENDING, emotion="")

    response = api.post(URL, {"reading": pending.pk}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "message": "This reading has no emotion yet.",
        "extra": {"reading": pending.pk, "status": "pending"},
    }


@pytest.mark.django_db
def test_post_with_an_empty_library_explains(api) -> None:
    response = api.post(URL, {"emotion": "happy"}, format="json")

    assert response.status_code == 400
    assert response.json()["extra"] == {"reason": "empty_library"}


@pytest.mark.django_db
def test_get_lists_the_recommendations_for_a_reading(api, user, reading) -> None:
    api.post(URL, {"reading": reading.pk, "strategy": "match"}, format="json")
    api.post(URL, {"reading": reading.pk, "strategy": "lift"}, format="json")
    api.post(URL, {"emotion": "happy"}, format="json")

    response = api.get(URL, {"reading": reading.pk})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [r["strategy"] for r in body["results"]] == ["lift", "match"]
    assert api.get(URL).json()["count"] == 3


@pytest.mark.django_db
def test_get_shows_only_the_users_own_lists(api, reading) -> None:
    stranger = UserFactory()
    curated_library(stranger, per_mood=2)
    Recommendation.objects.create(user=stranger, emotion="sad", strategy="match")

    assert api.get(URL).json()["count"] == 0
    assert api.get(URL, {"reading": "x"}).status_code == 400


@pytest.mark.django_db
def test_the_api_needs_authentication(reading) -> None:
    assert APIClient().get(URL).status_code in (401, 403)
    assert APIClient().post(URL, {"emotion": "sad"}, format="json").status_code in (401, 403)


@pytest.mark.django_db
def test_a_song_rated_in_an_earlier_list_carries_its_stars_into_later_lists(api, reading) -> None:
    first = api.post(URL, {"reading": reading.pk, "n": 20}, format="json").json()
    rated = first["items"][0]
    assert (
        api.post("/api/v1/ratings/", {"item": rated["id"], "stars": 2}, format="json").status_code
        == 201
    )

    later = api.post(URL, {"reading": reading.pk, "n": 20}, format="json").json()

    again = next(
        i for i in later["items"] if i["track"]["spotify_id"] == rated["track"]["spotify_id"]
    )
    assert again["my_rating"] is None  # this item (of the new list) has no rating of its own
    assert again["song_rating"] == 2  # but the song was rated ★2 in the earlier list
    others = [i for i in later["items"] if i["id"] != again["id"]]
    assert all(i["song_rating"] is None for i in others)
