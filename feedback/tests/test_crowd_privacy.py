"""Other listeners' ratings move the crowd evidence, and nothing shows who gave them."""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from feedback.services import rating_upsert
from library.evidence import track_moods_sync_curated
from library.tests.factories import LibraryEntryFactory, curated_library
from recommendations.models import Recommendation
from recommendations.services import CROWD_MENTION_MIN, recommendation_create
from recommendations.tests.factories import DoneReadingFactory


def crowd_member(name: str, track):
    """Another listener with the track in their library, who rates it ★5 when sad."""
    other = UserFactory(username=name, email=f"{name}@example.org")
    LibraryEntryFactory(user=other, track=track)
    recommendation = recommendation_create(user=other, emotion="sad", strategy="match", seed=1)
    rating_upsert(user=other, item=recommendation.items.get(track=track), stars=5)
    return other


def item_for(user, track, seed: int):
    Recommendation.objects.filter(user=user).delete()  # no recency penalty between runs
    recommendation = recommendation_create(user=user, emotion="sad", strategy="match", seed=seed)
    return recommendation.items.filter(track=track).first()


@pytest.mark.django_db
def test_other_listeners_shift_the_crowd_term_anonymously(user) -> None:
    tracks = curated_library(user, per_mood=4)
    track_moods_sync_curated()
    shared = tracks["sad"][0]
    before = item_for(user, shared, seed=3)

    first = crowd_member("zebra-crowd-one", shared)
    one = item_for(user, shared, seed=3)
    others = [first] + [crowd_member(f"zebra-crowd-{n}", shared) for n in range(2, 4)]
    many = item_for(user, shared, seed=3)

    assert before.components["crowd"] == 0
    assert 0 < one.components["crowd"] < many.components["crowd"]
    assert "listeners" not in one.reason  # a single rater is never hinted at
    assert len(others) == CROWD_MENTION_MIN
    assert "listeners liked it when sad" in many.reason


@pytest.mark.django_db
def test_one_listener_rating_often_is_still_one_listener(user) -> None:
    tracks = curated_library(user, per_mood=4)
    track_moods_sync_curated()
    shared = tracks["sad"][0]
    keen = crowd_member("zebra-keen", shared)
    once = item_for(user, shared, seed=3).components["crowd"]
    for _ in range(CROWD_MENTION_MIN):
        again = recommendation_create(user=keen, emotion="sad", strategy="match")
        rating_upsert(user=keen, item=again.items.get(track=shared), stars=5)

    item = item_for(user, shared, seed=3)

    assert item.components["crowd"] == once
    assert "listeners" not in item.reason


@pytest.mark.django_db
def test_no_page_or_api_response_reveals_the_other_listeners(user) -> None:
    tracks = curated_library(user, per_mood=4)
    track_moods_sync_curated()
    shared = tracks["sad"][0]
    others = [crowd_member(f"zebra-crowd-{n}", shared) for n in range(CROWD_MENTION_MIN)]
    reading = DoneReadingFactory(user=user, emotion="sad")

    browser = Client()
    browser.force_login(user)
    panel = browser.get(f"/songs/reading/{reading.pk}/", {"strategy": "match"})
    recommendation = Recommendation.objects.get(user=user)
    detail = browser.get(f"/songs/{recommendation.pk}/")
    api = APIClient()
    api.force_authenticate(user)
    created = api.post("/api/v1/recommendations/", {"reading": reading.pk}, format="json")
    listed = api.get("/api/v1/recommendations/", {"reading": reading.pk})
    item = recommendation.items.get(track=shared)
    rated = api.post("/api/v1/ratings/", {"item": item.pk, "stars": 4}, format="json")

    assert "listeners liked it when sad" in panel.content.decode()
    outputs = {
        "panel": panel.content.decode(),
        "detail": detail.content.decode(),
        "created": json.dumps(created.json()),
        "listed": json.dumps(listed.json()),
        "rated": json.dumps(rated.json()),
    }
    for where, text in outputs.items():
        for other in others:
            assert other.username not in text, where
            assert other.email not in text, where
            assert f'"user": {other.pk}' not in text, where
            assert f"user_id={other.pk}" not in text, where
    for body in (created.json(), *listed.json()["results"], rated.json()):
        assert not {"user", "user_id", "username", "raters"} & set(body)
