"""Tests for the rating selectors: the user's own, the crowd's (anonymous), widget state."""

import pytest

from accounts.tests.factories import UserFactory
from feedback.selectors import (
    crowd_evidence,
    rating_contexts_for_tracks,
    rating_stars_for_items,
    user_track_affinity,
)
from feedback.services import rating_upsert
from library.tests.factories import TrackFactory
from recommendations.tests.factories import RecommendationItemFactory


def rate(user, track, stars: int, emotion: str = "sad"):
    item = RecommendationItemFactory(
        recommendation__user=user, recommendation__emotion=emotion, track=track
    )
    return rating_upsert(user=user, item=item, stars=stars)


@pytest.mark.django_db
def test_user_affinity_lists_the_users_ratings_and_marks_the_emotion(user) -> None:
    track = TrackFactory()
    rate(user, track, 5, emotion="sad")
    rate(user, track, 2, emotion="happy")
    rate(UserFactory(), track, 1)

    rows = user_track_affinity(user=user, emotion="sad")

    assert sorted(zip(rows.stars.tolist(), rows.same_emotion.tolist(), strict=True)) == [
        (2.0, False),
        (5.0, True),
    ]
    assert set(rows.track_ids.tolist()) == {track.pk}


@pytest.mark.django_db
def test_crowd_evidence_aggregates_other_listeners_in_the_emotion(user) -> None:
    track, other_track = TrackFactory(), TrackFactory()
    rate(user, track, 1)  # the asking user's own rating is not crowd evidence
    for stars in (5, 4, 4):
        rate(UserFactory(), track, stars)
    rate(UserFactory(), track, 1, emotion="happy")  # another emotion
    rate(UserFactory(), other_track, 3)

    crowd = crowd_evidence(user=user, emotion="sad", track_ids=[track.pk])

    assert crowd.track_ids.tolist() == [track.pk]
    assert crowd.listeners.tolist() == [3.0]
    assert crowd.stars.tolist() == [13.0]
    assert set(vars(crowd)) == {"track_ids", "listeners", "stars"}


@pytest.mark.django_db
def test_a_listener_who_rates_a_track_often_counts_once(user) -> None:
    track, keen = TrackFactory(), UserFactory()
    for stars in (5, 5, 2):
        rate(keen, track, stars)

    crowd = crowd_evidence(user=user, emotion="sad", track_ids=[track.pk])

    assert crowd.listeners.tolist() == [1.0]
    assert crowd.stars.tolist() == [4.0]


@pytest.mark.django_db
def test_rating_contexts_carry_no_rater() -> None:
    track = TrackFactory()
    rate(UserFactory(), track, 4)

    assert rating_contexts_for_tracks(track_ids=[track.pk]) == [(track.pk, "sad", "match", 4)]


@pytest.mark.django_db
def test_widget_state_is_the_users_own_stars(user) -> None:
    track = TrackFactory()
    mine = rate(user, track, 3)
    rate(UserFactory(), track, 5)

    assert rating_stars_for_items(user=user, item_ids=[mine.item_id]) == {mine.item_id: 3}
