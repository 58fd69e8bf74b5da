"""Tests for the history page, deleting readings and the data export (HTML and API)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from emotions.models import MoodReading
from emotions.tests.readings_data import rate, readings_at, recommend, tracks
from feedback.models import Rating
from insights.history import HISTORY_PAGE_SIZE, history_delete_all, user_data_export
from library.models import LibraryEntry, Track
from recommendations.models import Recommendation, RecommendationItem


def reading_with_thumbnail(user: User, emotion: str = "happy") -> MoodReading:
    (reading,) = readings_at(user, [(timezone.now(), emotion)])
    reading.thumbnail.save("face.jpg", ContentFile(b"\xff\xd8 a jpeg"), save=True)
    return reading


@pytest.fixture
def history(user: User) -> dict[str, object]:
    """A reading with 2 recommended songs, one rated ★5; another reading; a liked song."""
    first, second = readings_at(
        user,
        [(timezone.now() - dt.timedelta(hours=2), "sad"), (timezone.now(), "happy")],
        corrected={1: "surprise"},
    )
    song_a, song_b = tracks(["Song A", "Song B"])
    recommendation = recommend(user, first, [song_a, song_b])
    rating = rate(user, recommendation.items.first(), 5)
    LibraryEntry.objects.create(user=user, track=song_a, liked=True)
    return {"first": first, "second": second, "recommendation": recommendation, "rating": rating}


@pytest.mark.django_db
def test_history_lists_readings_with_their_songs_and_ratings(
    client_logged_in: Client, history: dict, django_assert_max_num_queries
) -> None:
    readings_at(UserFactory(), [(timezone.now(), "angry")])

    with django_assert_max_num_queries(10):
        response = client_logged_in.get("/mood/history/")

    assert response.status_code == 200
    assert [row["reading"] for row in response.context["rows"]] == [
        history["second"],
        history["first"],
    ]
    first_row = response.context["rows"][1]
    assert [track.name for track in first_row["tracks"]] == ["Song A", "Song B"]
    assert [rating.stars for rating in first_row["ratings"]] == [5]
    assertContains(response, "2 songs")
    assertContains(response, "★5")
    assertContains(response, "Surprise")
    assertContains(response, "model saw happy")
    assertNotContains(response, "Angry")


@pytest.mark.django_db
def test_history_is_paginated(client_logged_in: Client, user: User) -> None:
    readings_at(user, [(timezone.now(), "neutral")] * (HISTORY_PAGE_SIZE + 3))

    first = client_logged_in.get("/mood/history/")
    second = client_logged_in.get("/mood/history/?page=2")
    beyond = client_logged_in.get("/mood/history/?page=99")

    assert len(first.context["rows"]) == HISTORY_PAGE_SIZE
    assert len(second.context["rows"]) == 3
    assertContains(first, 'rel="next"')
    assertContains(first, "Page 1 of 2")
    assert beyond.context["page"].number == 2


@pytest.mark.django_db
def test_an_empty_history_explains_itself(client_logged_in: Client) -> None:
    response = client_logged_in.get("/mood/history/")
    assertContains(response, "Nothing here yet")
    assertNotContains(response, "Delete all my history")


@pytest.mark.django_db
def test_history_needs_a_signed_in_user(client: Client) -> None:
    for url in ("/mood/history/", "/mood/history/export/", "/mood/history/delete/"):
        assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_deleting_a_reading_asks_first_then_removes_it_its_files_and_songs(
    client_logged_in: Client,
    user: User,
    history: dict,
    private_media: Path,
    django_capture_on_commit_callbacks,
) -> None:
    reading = history["first"]
    reading.thumbnail.save("face.jpg", ContentFile(b"\xff\xd8 a jpeg"), save=True)
    thumbnail = private_media / reading.thumbnail.name
    assert thumbnail.exists()

    confirm = client_logged_in.get(f"/mood/history/{reading.pk}/delete/")
    assertContains(confirm, "Delete this reading?")
    assert MoodReading.objects.filter(pk=reading.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_logged_in.post(f"/mood/history/{reading.pk}/delete/", follow=True)

    assertRedirects(response, "/mood/history/")
    assertContains(response, "The reading was deleted")
    assert not MoodReading.objects.filter(pk=reading.pk).exists()
    assert not thumbnail.exists()
    assert not Recommendation.objects.filter(pk=history["recommendation"].pk).exists()
    assert not RecommendationItem.objects.exists()
    # The rating stays (the user's taste), detached from the deleted recommendation.
    rating = Rating.objects.get(pk=history["rating"].pk)
    assert rating.item is None
    assert MoodReading.objects.filter(pk=history["second"].pk).exists()


@pytest.mark.django_db
def test_nobody_can_delete_someone_elses_reading(client_logged_in: Client) -> None:
    (theirs,) = readings_at(UserFactory(), [(timezone.now(), "sad")])

    assert client_logged_in.get(f"/mood/history/{theirs.pk}/delete/").status_code == 404
    assert client_logged_in.post(f"/mood/history/{theirs.pk}/delete/").status_code == 404
    assert MoodReading.objects.filter(pk=theirs.pk).exists()


@pytest.mark.django_db
def test_delete_all_removes_the_whole_history_but_keeps_account_and_library(
    client_logged_in: Client,
    user: User,
    history: dict,
    private_media: Path,
    django_capture_on_commit_callbacks,
) -> None:
    kept = reading_with_thumbnail(user)
    thumbnail = private_media / kept.thumbnail.name
    stranger = UserFactory()
    (theirs,) = readings_at(stranger, [(timezone.now(), "sad")])
    their_rating = rate(stranger, recommend(stranger, theirs, tracks(["Theirs"])).items.get(), 4)

    confirm = client_logged_in.get("/mood/history/delete/")
    assertContains(confirm, "3 readings and their face thumbnails")
    assertContains(confirm, "1 recommendation,")
    assertContains(confirm, "1 rating,")
    assertContains(confirm, "0 answers to “How do you feel now?”")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_logged_in.post("/mood/history/delete/", follow=True)

    assertContains(response, "3 reading(s), 1 recommendation(s), 1 rating(s) and 0 answer(s)")
    assert not MoodReading.objects.filter(user=user).exists()
    assert not Recommendation.objects.filter(user=user).exists()
    assert not Rating.objects.filter(user=user).exists()
    assert not thumbnail.exists()
    assert User.objects.filter(pk=user.pk).exists()
    assert LibraryEntry.objects.filter(user=user).count() == 1
    assert Track.objects.filter(name="Song A").exists()
    assert MoodReading.objects.filter(pk=theirs.pk).exists()
    assert Rating.objects.filter(pk=their_rating.pk).exists()


@pytest.mark.django_db
def test_delete_all_takes_the_users_stars_out_of_the_songs_mood_evidence(
    user: User, history: dict
) -> None:
    from feedback.evidence import ratings_changed
    from library.models import TrackMood

    song = history["rating"].track
    ratings_changed(track_ids=[song.pk])
    assert TrackMood.objects.filter(track=song, source="ratings").exists()

    history_delete_all(user=user)

    assert not TrackMood.objects.filter(track=song, source="ratings").exists()


@pytest.mark.django_db(transaction=True)
def test_files_survive_when_the_deletion_is_rolled_back(user: User, private_media: Path) -> None:
    from django.db import transaction

    reading = reading_with_thumbnail(user)
    thumbnail = private_media / reading.thumbnail.name

    def delete_then_fail() -> None:
        with transaction.atomic():
            history_delete_all(user=user)
            raise RuntimeError("something later in the request failed")

    with pytest.raises(RuntimeError):
        delete_then_fail()

    assert thumbnail.exists()
    assert MoodReading.objects.filter(pk=reading.pk).exists()


def _assert_export_is_only_theirs(data: dict, user: User, history: dict) -> None:
    assert data["format"] == "moodtrack-export/1"
    assert data["account"]["username"] == user.username
    assert [reading["id"] for reading in data["readings"]] == [
        history["first"].pk,
        history["second"].pk,
    ]
    assert data["readings"][1]["your_emotion"] == "surprise"
    (recommendation,) = data["recommendations"]
    assert recommendation["reading_id"] == history["first"].pk
    assert [item["track"]["name"] for item in recommendation["items"]] == ["Song A", "Song B"]
    (rating,) = data["ratings"]
    assert (rating["stars"], rating["track"]["name"]) == (5, "Song A")
    assert rating["recommendation_id"] == recommendation["id"]
    assert [entry["track"]["name"] for entry in data["library"]] == ["Song A"]
    text = json.dumps(data).lower()
    for secret in ("password", "token", "secret", "md5$", "stranger-reading"):
        assert secret not in text


@pytest.mark.django_db
def test_export_downloads_json_with_only_this_users_data(
    client_logged_in: Client, user: User, history: dict
) -> None:
    stranger = UserFactory(username="stranger")
    (theirs,) = readings_at(stranger, [(timezone.now(), "angry")])
    theirs.error_message = "stranger-reading"
    theirs.save()

    response = client_logged_in.get("/mood/history/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="moodtrack-{user.username}-'
    )
    _assert_export_is_only_theirs(json.loads(response.content), user, history)


@pytest.mark.django_db
def test_the_export_api_returns_the_same_document(
    api_client: APIClient, user: User, history: dict
) -> None:
    assert api_client.get("/api/v1/me/export/").status_code in (401, 403)
    api_client.force_authenticate(user)

    response = api_client.get("/api/v1/me/export/")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    _assert_export_is_only_theirs(response.json(), user, history)


@pytest.mark.django_db
def test_export_never_contains_spotify_tokens(user: User, history: dict) -> None:
    if "social_django" not in settings.INSTALLED_APPS:
        pytest.skip("social_django is not installed")
    from social_django.models import UserSocialAuth

    UserSocialAuth.objects.create(
        user=user,
        provider="spotify",
        uid="spotify-user-1",
        extra_data={"access_token": "AT-very-secret", "refresh_token": "RT-very-secret"},
    )

    text = json.dumps(user_data_export(user=user), default=str)

    assert "very-secret" not in text
    assert "spotify-user-1" not in text
