"""Tests for recommendation_create: candidates, evidence, reasons, cold start, storage, speed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from core.exceptions import ApplicationError
from feedback.services import rating_upsert
from library.evidence import track_moods_sync_curated
from library.models import TrackMood
from library.tests.factories import (
    LibraryEntryFactory,
    TrackFactory,
    TrackMoodFactory,
    curated_library,
)
from recommendations.models import Recommendation
from recommendations.services import recommendation_create
from recommendations.tests.factories import DoneReadingFactory


@pytest.fixture
def library(user) -> dict:
    tracks = curated_library(user, per_mood=6)
    track_moods_sync_curated()
    return tracks


def names(recommendation: Recommendation) -> list[str]:
    return [item.track.name for item in recommendation.items.order_by("position")]


@pytest.mark.django_db
def test_it_stores_ten_items_with_positions_reasons_and_score_terms(user, library) -> None:
    reading = DoneReadingFactory(user=user, emotion="sad")

    recommendation = recommendation_create(
        user=user, emotion="sad", strategy="match", reading=reading, seed=7
    )

    items = list(recommendation.items.order_by("position"))
    assert [item.position for item in items] == list(range(1, 11))
    assert recommendation.reading == reading
    assert recommendation.seed == 7
    assert not recommendation.cold_start
    assert all(item.reason.startswith("in your Liked Songs") for item in items)
    assert set(items[0].components) >= {
        "mood_fit",
        "affinity",
        "mood_affinity",
        "crowd",
        "explore",
        "recent",
        "mood_confidence",
    }
    assert [item.score for item in items] == sorted((item.score for item in items), reverse=True)


@pytest.mark.django_db
def test_match_puts_the_target_mood_first_with_a_curated_reason(user, library) -> None:
    recommendation = recommendation_create(user=user, emotion="sad", strategy="match", seed=1)

    top = list(recommendation.items.order_by("position"))[:6]
    assert {item.track.name.split()[0] for item in top} == {"Sad"}
    assert all("curated sad" in item.reason for item in top)


@pytest.mark.django_db
def test_lift_turns_sadness_toward_calm_then_happy(user, library) -> None:
    recommendation = recommendation_create(user=user, emotion="sad", strategy="lift", seed=1)

    moods = [name.split()[0] for name in names(recommendation)]
    assert set(moods[:6]) == {"Calm"}
    assert set(moods[6:10]) == {"Happy"}
    assert "Sad" not in moods


@pytest.mark.django_db
def test_candidates_are_only_the_users_own_library(user, library) -> None:
    stranger = UserFactory()
    for _ in range(20):
        track = TrackFactory(name="Not yours")
        LibraryEntryFactory(user=stranger, track=track)
        TrackMoodFactory(track=track, mood="sad")

    recommendation = recommendation_create(user=user, emotion="sad", strategy="match", seed=2)

    assert "Not yours" not in names(recommendation)


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_list(user, library) -> None:
    first = names(recommendation_create(user=user, emotion="neutral", strategy="match", seed=5))
    Recommendation.objects.all().delete()  # no recency penalty from the first list
    again = names(recommendation_create(user=user, emotion="neutral", strategy="match", seed=5))

    assert first == again


@pytest.mark.django_db
def test_cold_start_explores_the_library_and_says_so(user) -> None:
    for index in range(12):
        LibraryEntryFactory(user=user, track=TrackFactory(name=f"Unknown {index}"))

    recommendation = recommendation_create(user=user, emotion="happy", strategy="match", seed=3)

    assert recommendation.cold_start
    assert recommendation.items.count() == 10
    assert all("exploring" in item.reason for item in recommendation.items.all())


@pytest.mark.django_db
def test_unknown_mood_tracks_are_tried_and_labelled_exploring(user, library) -> None:
    for index in range(5):
        LibraryEntryFactory(user=user, track=TrackFactory(name=f"Mystery {index}"))

    reasons = {
        item.track.name: item.reason
        for seed in range(6)
        for item in recommendation_create(
            user=user, emotion="sad", strategy="match", seed=seed
        ).items.all()
    }

    mysteries = [name for name in reasons if name.startswith("Mystery")]
    assert mysteries, "unknown tracks should make it into some lists"
    assert all("exploring" in reasons[name] for name in mysteries)


@pytest.mark.django_db
def test_at_most_two_songs_per_artist_in_the_top_ten(user) -> None:
    for index in range(30):
        track = TrackFactory(artist_names=f"Prolific Band, Guest {index}" if index < 15 else "")
        LibraryEntryFactory(user=user, track=track)
        TrackMoodFactory(track=track, mood="happy", score=1.0 if index < 15 else 0.6)

    recommendation = recommendation_create(user=user, emotion="happy", strategy="match", seed=4)

    artists = [item.track.artist_names for item in recommendation.items.all()]
    assert sum(name.startswith("Prolific Band") for name in artists) == 2


@pytest.mark.django_db
def test_a_small_library_gives_a_short_list(user) -> None:
    for _ in range(3):
        LibraryEntryFactory(user=user)

    recommendation = recommendation_create(user=user, emotion="happy", strategy="lift", seed=1)

    assert recommendation.items.count() == 3


@pytest.mark.django_db
def test_recently_shown_songs_give_way_to_others(user, library) -> None:
    first = recommendation_create(user=user, emotion="sad", strategy="match", seed=9)
    second = recommendation_create(user=user, emotion="sad", strategy="match", seed=9)

    recent = second.items.get(track=first.items.get(position=1).track).components["recent"]
    assert recent == 1.0
    assert names(first) != names(second)


@pytest.mark.django_db
def test_a_rating_changes_the_next_recommendation(user, library) -> None:
    first = recommendation_create(user=user, emotion="sad", strategy="lift", seed=11)
    loved = first.items.select_related("track").get(position=8)  # a happy song, below calm ones
    rating_upsert(user=user, item=loved, stars=5)

    again = recommendation_create(user=user, emotion="sad", strategy="lift", seed=11)

    item = again.items.get(track=loved.track)
    assert item.position < loved.position
    assert item.components["affinity"] > 0
    assert "you rated it ★5 when sad" in item.reason
    assert TrackMood.objects.filter(track=loved.track, source="ratings").exists()


@pytest.mark.django_db
def test_it_rejects_unknown_emotions_strategies_and_sizes(user, library) -> None:
    with pytest.raises(ApplicationError, match="emotion"):
        recommendation_create(user=user, emotion="bored", strategy="match")
    with pytest.raises(ApplicationError, match="strategy"):
        recommendation_create(user=user, emotion="sad", strategy="ignore")
    with pytest.raises(ApplicationError, match="between 1 and 50"):
        recommendation_create(user=user, emotion="sad", strategy="match", n=0)


@pytest.mark.django_db
def test_it_refuses_someone_elses_reading(user, library) -> None:
    with pytest.raises(ApplicationError) as error:
        recommendation_create(
            user=user, emotion="sad", strategy="match", reading=DoneReadingFactory()
        )
    assert error.value.status_code == 404


@pytest.mark.django_db
def test_an_empty_library_is_an_explained_error(user) -> None:
    with pytest.raises(ApplicationError) as error:
        recommendation_create(user=user, emotion="sad", strategy="match")

    assert error.value.extra == {"reason": "empty_library"}
    assert "sync" in error.value.message


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_library(user) -> None:
    def queries_for(size: int) -> int:
        for _ in range(size):
            track = TrackFactory()
            LibraryEntryFactory(user=user, track=track)
            TrackMoodFactory(track=track, mood="calm")
        recommendation_create(user=user, emotion="fear", strategy="match", seed=0)
        with CaptureQueriesContext(connection) as captured:
            recommendation_create(user=user, emotion="fear", strategy="match", seed=1)
        return len(captured)

    small = queries_for(12)
    assert queries_for(200) == small
    assert small <= 15


@pytest.mark.django_db
def test_the_artist_cap_holds_past_the_prefetched_candidates(user) -> None:
    for _ in range(110):
        track = TrackFactory(artist_names="One Band")
        LibraryEntryFactory(user=user, track=track)
        TrackMoodFactory(track=track, mood="sad")
    for index in range(8):
        LibraryEntryFactory(user=user, track=TrackFactory(artist_names=f"Solo {index}"))

    recommendation = recommendation_create(user=user, emotion="sad", strategy="match", seed=1)

    artists = [item.track.artist_names for item in recommendation.items.all()]
    assert artists.count("One Band") == 2
    assert len(artists) == 10


@pytest.mark.django_db
def test_ratings_give_an_unknown_track_a_mood_and_a_reason(user) -> None:
    track = TrackFactory(name="Word of mouth")
    for _ in range(12):
        LibraryEntryFactory(user=user)  # other songs, moods unknown
    LibraryEntryFactory(user=user, track=track)
    for _ in range(3):
        other = UserFactory()
        LibraryEntryFactory(user=other, track=track)
        listed = recommendation_create(user=other, emotion="sad", strategy="match", seed=1)
        rating_upsert(user=other, item=listed.items.get(track=track), stars=5)

    recommendation = recommendation_create(user=user, emotion="sad", strategy="match", seed=2)

    first = recommendation.items.get(position=1)
    assert first.track == track
    assert "ratings say sad" in first.reason
    # One known song among ten picks: the list is still exploratory, and says so.
    assert recommendation.cold_start
    small = recommendation_create(user=user, emotion="sad", strategy="match", n=1, seed=3)
    assert not small.cold_start
