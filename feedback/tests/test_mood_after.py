""" "How do you feel now?": the valence scale, the answer service and selectors, and the API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from core.exceptions import ApplicationError
from emotions.tests.factories import MoodReadingFactory
from emotions.tests.readings_data import rate, recommend, tracks
from feedback.models import MoodAfter
from feedback.selectors import answerable_recommendation, rating_stars_for_tracks
from feedback.services import MOOD_AFTER_WINDOW, mood_after_follow_reading, mood_after_set
from feedback.valence import VALENCE, mood_change
from ml.labels import EMOTIONS
from recommendations.models import Recommendation
from recommendations.tests.factories import RecommendationFactory

URL = "/api/v1/mood-after/"


def test_every_emotion_has_a_valence_and_the_order_is_pleasant_to_unpleasant() -> None:
    assert set(VALENCE) == set(EMOTIONS)
    assert VALENCE["happy"] > VALENCE["surprise"] > VALENCE["neutral"] > VALENCE["sad"]
    assert {VALENCE[name] for name in ("sad", "angry", "fear", "disgust")} == {-1.0}


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        ("sad", "happy", "better"),
        ("sad", "neutral", "better"),
        ("neutral", "surprise", "better"),
        ("happy", "happy", "same"),
        ("sad", "angry", "same"),
        ("happy", "neutral", "worse"),
        ("surprise", "fear", "worse"),
    ],
)
def test_mood_change_compares_valence(before: str, after: str, change: str) -> None:
    assert mood_change(before, after) == change


@pytest.mark.django_db
def test_an_answer_copies_the_lists_mood_and_strategy_and_can_be_changed(user: User) -> None:
    recommendation = RecommendationFactory(user=user, emotion="sad", strategy="lift")

    first, created = mood_after_set(user=user, recommendation=recommendation, emotion="neutral")
    second, created_again = mood_after_set(
        user=user, recommendation=recommendation, emotion="happy"
    )

    assert (created, created_again) == (True, False)
    assert first.pk == second.pk
    answer = MoodAfter.objects.get()
    assert (answer.emotion_before, answer.strategy, answer.emotion, answer.source) == (
        "sad",
        "lift",
        "happy",
        "tap",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("emotion", ["", "joy", "HAPPY", "contempt"])
def test_an_unknown_emotion_is_refused_with_a_sentence(user: User, emotion: str) -> None:
    recommendation = RecommendationFactory(user=user)

    with pytest.raises(ApplicationError, match="seven feelings") as error:
        mood_after_set(user=user, recommendation=recommendation, emotion=emotion)

    assert error.value.status_code == 400
    assert not MoodAfter.objects.exists()


@pytest.mark.django_db
def test_someone_elses_list_is_not_found(user: User) -> None:
    theirs = RecommendationFactory(user=UserFactory())

    with pytest.raises(ApplicationError) as error:
        mood_after_set(user=user, recommendation=theirs, emotion="happy")

    assert error.value.status_code == 404
    assert answerable_recommendation(user=user, pk=theirs.pk) is None
    assert answerable_recommendation(user=theirs.user, pk=theirs.pk) == theirs
    assert not MoodAfter.objects.exists()


@pytest.mark.django_db
def test_a_list_older_than_the_window_takes_no_answer(user: User) -> None:
    recommendation = RecommendationFactory(user=user)
    later = recommendation.created_at + MOOD_AFTER_WINDOW + dt.timedelta(seconds=1)

    with pytest.raises(ApplicationError, match="too old"):
        mood_after_set(user=user, recommendation=recommendation, emotion="happy", now=later)
    mood_after_set(
        user=user,
        recommendation=recommendation,
        emotion="happy",
        now=recommendation.created_at + MOOD_AFTER_WINDOW,
    )

    assert MoodAfter.objects.count() == 1


@pytest.mark.django_db
def test_a_snapshot_answer_follows_a_correction_of_its_reading(user: User) -> None:
    recommendation = RecommendationFactory(user=user, emotion="sad")
    snapshot = MoodReadingFactory(user=user, done=True, emotion="neutral")
    mood_after_set(
        user=user,
        recommendation=recommendation,
        emotion="neutral",
        source=MoodAfter.Source.SNAPSHOT,
        reading=snapshot,
    )

    snapshot.user_emotion = "happy"
    snapshot.save()
    answer = mood_after_follow_reading(user=user, reading=snapshot)

    assert answer is not None
    assert MoodAfter.objects.get().emotion == "happy"
    # Deleting the snapshot deletes the answer it gave.
    snapshot.delete()
    assert not MoodAfter.objects.exists()


@pytest.mark.django_db
def test_someone_elses_reading_cannot_answer(user: User) -> None:
    recommendation = RecommendationFactory(user=user)
    theirs = MoodReadingFactory(user=UserFactory(), done=True)

    with pytest.raises(ApplicationError):
        mood_after_set(
            user=user,
            recommendation=recommendation,
            emotion="happy",
            source=MoodAfter.Source.SNAPSHOT,
            reading=theirs,
        )


@pytest.mark.django_db
def test_latest_stars_per_track_are_the_listeners_own(user: User) -> None:
    song, other = tracks(["Song", "Other"])
    old = recommend(user, None, [song, other])
    new = recommend(user, None, [song])
    rate(user, old.items.get(track=song), 2)
    rate(user, old.items.get(track=other), 4)
    latest = rate(user, new.items.get(track=song), 5)
    stranger = UserFactory()
    rate(stranger, recommend(stranger, None, [other]).items.get(), 1)

    stars = rating_stars_for_tracks(user=user, track_ids=[song.pk, other.pk])

    assert stars == {song.pk: latest.stars, other.pk: 4}
    assert rating_stars_for_tracks(user=stranger, track_ids=[song.pk]) == {}


# API ------------------------------------------------------------------------------------------


@pytest.fixture
def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_post_answers_then_changes_and_get_reads_it(api: APIClient, user: User) -> None:
    recommendation = RecommendationFactory(user=user, emotion="sad", strategy="lift")

    created = api.post(URL, {"recommendation": recommendation.pk, "emotion": "neutral"})
    changed = api.post(
        URL, {"recommendation": recommendation.pk, "emotion": "angry"}, format="json"
    )
    read = api.get(f"{URL}{recommendation.pk}/")

    assert (created.status_code, changed.status_code, read.status_code) == (201, 200, 200)
    assert created.json()["change"] == "better"
    body = read.json()
    assert (body["emotion"], body["emotion_before"], body["strategy"], body["change"]) == (
        "angry",
        "sad",
        "lift",
        "same",
    )
    assert (body["source"], body["recommendation"], body["reading"]) == (
        "tap",
        recommendation.pk,
        None,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"emotion": "happy"}, "recommendation"),
        ({"recommendation": "x", "emotion": "happy"}, "recommendation"),
        ({"recommendation": 1, "emotion": "joy"}, "emotion"),
        ({"recommendation": 1}, "emotion"),
    ],
)
def test_bad_input_is_a_400_with_a_sentence(api: APIClient, payload: dict, field: str) -> None:
    response = api.post(URL, payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["message"]
    assert field in body["extra"]["fields"]
    assert not MoodAfter.objects.exists()


@pytest.mark.django_db
def test_another_listeners_list_is_a_404(api: APIClient) -> None:
    theirs = RecommendationFactory(user=UserFactory())
    mood_after_set(user=theirs.user, recommendation=theirs, emotion="happy")

    posted = api.post(URL, {"recommendation": theirs.pk, "emotion": "sad"}, format="json")
    read = api.get(f"{URL}{theirs.pk}/")

    assert (posted.status_code, read.status_code) == (404, 404)
    assert "message" in posted.json()
    assert MoodAfter.objects.get().emotion == "happy"


@pytest.mark.django_db
def test_an_old_list_is_a_400_with_a_sentence(api: APIClient, user: User) -> None:
    recommendation = RecommendationFactory(user=user)
    Recommendation.objects.filter(pk=recommendation.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=3)
    )

    response = api.post(URL, {"recommendation": recommendation.pk, "emotion": "happy"})

    assert response.status_code == 400
    assert "too old" in response.json()["message"]


@pytest.mark.django_db
def test_the_mood_after_api_is_in_the_openapi_schema(client: Client) -> None:
    schema = json.loads(
        client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content
    )

    create = schema["paths"]["/api/v1/mood-after/"]["post"]
    assert create["operationId"] == "mood_after_create"
    assert {"201", "200", "400", "404"} <= set(create["responses"])
    detail = schema["paths"]["/api/v1/mood-after/{recommendation_id}/"]["get"]
    assert detail["operationId"] == "mood_after_retrieve"
    output = schema["components"]["schemas"]["MoodAfterOutput"]["properties"]
    assert {"emotion", "emotion_before", "strategy", "change", "source"} <= set(output)


@pytest.mark.django_db
def test_the_admin_lists_answers_read_only(client: Client) -> None:
    admin = UserFactory(is_staff=True, is_superuser=True)
    recommendation = RecommendationFactory(user=admin, emotion="sad")
    mood_after_set(user=admin, recommendation=recommendation, emotion="happy")
    client.force_login(admin)

    listing = client.get("/admin/feedback/moodafter/")
    adding = client.get("/admin/feedback/moodafter/add/")

    assert listing.status_code == 200
    assert b"happy" in listing.content.lower()
    assert adding.status_code == 403
