"""recommendation_create with the feature ranker: an artist's ★5 carries over, the novelty budget
holds, and pooled ratings never say who gave them (issue 16)."""

import pytest

from accounts.tests.factories import UserFactory
from feedback.evidence import ratings_changed
from feedback.models import Rating
from feedback.services import rating_upsert
from library.tests.factories import LibraryEntryFactory, TrackFactory, TrackMoodFactory
from recommendations.models import Recommendation
from recommendations.services import recommendation_create


def names(recommendation: Recommendation) -> list[str]:
    return [item.track.name for item in recommendation.items.order_by("position")]


@pytest.fixture
def library(user) -> list:
    """Thirty sad-tagged songs by fifteen artists, two songs each."""
    tracks = []
    for index in range(30):
        track = TrackFactory(name=f"Song {index}", artist_names=f"Artist {index // 2}")
        LibraryEntryFactory(user=user, track=track)
        TrackMoodFactory(track=track, mood="sad", source="tags", score=0.8, weight=0.6)
        tracks.append(track)
    return tracks


@pytest.mark.django_db
def test_a_five_star_song_brings_its_artists_other_song_along(user, library) -> None:
    first = recommendation_create(user=user, emotion="sad", strategy="match", seed=1)
    loved = first.items.select_related("track").get(position=1)
    sibling = next(
        t for t in library if t.artist_names == loved.track.artist_names and t != loved.track
    )
    rating_upsert(user=user, item=loved, stars=5)

    items = []
    for seed in range(2, 7):
        Recommendation.objects.all().delete()  # no recency penalty
        listed = recommendation_create(user=user, emotion="sad", strategy="match", seed=seed)
        items.append(listed.items.filter(track=sibling).first())

    assert all(item is not None for item in items)  # in every list, never rated itself
    assert all(item.components["artist"] > 0 for item in items)
    assert all("you rated this artist ★5 when sad" in item.reason for item in items)


@pytest.mark.django_db
def test_the_novelty_budget_holds_through_the_service(user, library) -> None:
    first = recommendation_create(user=user, emotion="sad", strategy="match", seed=1)
    for item in first.items.all():
        rating_upsert(user=user, item=item, stars=5)

    again = recommendation_create(user=user, emotion="sad", strategy="match", seed=2)

    loved = set(first.items.values_list("track_id", flat=True))
    shown = list(again.items.values_list("track_id", flat=True))
    assert len(shown) == 10
    assert len(loved & set(shown)) <= 3


def _pooled(listener, tracks, stars: list[int]) -> None:
    Rating.objects.bulk_create(
        [
            Rating(user=listener, track=t, emotion="sad", strategy="match", stars=s)
            for t, s in zip(tracks, stars, strict=True)
        ]
    )
    ratings_changed(track_ids=[t.pk for t in tracks])


@pytest.mark.django_db
def test_the_list_does_not_depend_on_who_gave_the_pooled_ratings(user, library) -> None:
    rated = library[5:15]
    stars = [5, 1, 4, 2, 5, 5, 1, 3, 4, 2]
    alice = UserFactory(username="alice-pooled", email="alice@example.org")
    bob = UserFactory(username="bob-pooled", email="bob@example.org")

    _pooled(alice, rated, stars)
    by_alice = recommendation_create(user=user, emotion="sad", strategy="match", seed=4)
    first = (names(by_alice), [(i.reason, i.components) for i in by_alice.items.all()])
    Rating.objects.filter(user=alice).delete()
    Recommendation.objects.all().delete()
    _pooled(bob, rated, stars)
    by_bob = recommendation_create(user=user, emotion="sad", strategy="match", seed=4)

    assert (names(by_bob), [(i.reason, i.components) for i in by_bob.items.all()]) == first
    for item in by_bob.items.all():
        text = f"{item.reason} {item.components}"
        for other in (alice, bob):
            assert other.username not in text
            assert other.email not in text
        assert not {"user", "user_id", "rater", "raters"} & set(item.components)


@pytest.mark.django_db
def test_liked_top_tracks_count_as_top_tracks_and_lead_a_first_list(user, library) -> None:
    """Most top tracks are liked songs too: the more telling flag wins, and says so."""
    from recommendations.ranking import PICK_SOURCES
    from recommendations.selectors import library_candidates

    favourites = {library[4].pk, library[11].pk, library[26].pk}
    user.library.filter(track_id__in=favourites).update(top_medium=True)
    user.library.filter(track_id=library[26].pk).update(top_short=True, recent=True)

    candidates = library_candidates(user=user)
    source = dict(zip(candidates.track_ids.tolist(), candidates.pick_source.tolist(), strict=True))
    assert source[library[4].pk] == source[library[11].pk] == PICK_SOURCES.index("top_medium")
    assert source[library[26].pk] == PICK_SOURCES.index("top_short")
    assert source[library[0].pk] == PICK_SOURCES.index("liked")

    listed = recommendation_create(user=user, emotion="sad", strategy="match", seed=1)
    top_three = list(listed.items.order_by("position")[:3])
    assert {item.track_id for item in top_three} == favourites
    assert all(item.components["pick_source"] > 0 for item in top_three)
    assert top_three[0].reason.startswith("one of your top tracks")
    others = listed.items.exclude(track_id__in=favourites)
    assert all(item.reason.startswith("in your Liked Songs") for item in others)


@pytest.mark.django_db
def test_candidates_carry_each_songs_tag_cluster_aligned_with_its_id(user, library) -> None:
    import numpy as np

    from library.models import Track
    from library.tagclusters import CLUSTERS
    from recommendations.ranking import NO_PICK_SOURCE, PICK_SOURCES
    from recommendations.selectors import MAX_PACKED_TRACK_ID, library_candidates

    for index, track in enumerate(library[:24]):
        Track.objects.filter(pk=track.pk).update(tag_cluster=index % len(CLUSTERS))
    Track.objects.filter(pk=library[24].pk).update(tag_cluster=len(CLUSTERS) + 70)  # not ours
    Track.objects.filter(pk=library[25].pk).update(tag_cluster=-3)
    user.library.filter(track_id=library[3].pk).update(top_short=True)
    # The largest track id the packed number keeps exact, with the largest cluster and source.
    far = TrackFactory(pk=MAX_PACKED_TRACK_ID - 1, tag_cluster=len(CLUSTERS) - 1)
    LibraryEntryFactory(user=user, track=far, liked=False, playlist=False)

    candidates = library_candidates(user=user)

    ids = candidates.track_ids.tolist()
    assert ids == sorted([t.pk for t in library] + [far.pk])
    cluster = dict(zip(ids, candidates.tag_cluster.tolist(), strict=True))
    source = dict(zip(ids, candidates.pick_source.tolist(), strict=True))
    assert candidates.tag_cluster.dtype == np.int64
    assert [cluster[t.pk] for t in library] == [i % 12 for i in range(24)] + [-1] * 6
    assert cluster[far.pk] == len(CLUSTERS) - 1
    assert source[library[3].pk] == PICK_SOURCES.index("top_short")
    assert {source[t.pk] for t in library if t != library[3]} == {PICK_SOURCES.index("liked")}
    assert source[far.pk] == NO_PICK_SOURCE


@pytest.mark.django_db
def test_a_list_is_made_with_the_clusters_handed_to_the_ranker(user, library, monkeypatch) -> None:
    import numpy as np

    from library.models import Track
    from recommendations import services
    from recommendations.selectors import library_candidates

    indie, jazz = 1, 6
    Track.objects.filter(pk__in=[t.pk for t in library[:15]]).update(tag_cluster=indie)
    Track.objects.filter(pk__in=[t.pk for t in library[15:25]]).update(tag_cluster=jazz)
    handed: list[np.ndarray] = []
    real_rank = services.rank

    def watched_rank(data, **kwargs):
        handed.append(data.tag_cluster)
        return real_rank(data, **kwargs)

    monkeypatch.setattr(services, "rank", watched_rank)

    listed = recommendation_create(user=user, emotion="sad", strategy="match", seed=3)

    assert listed.items.count() == 10
    assert len(handed) == 1
    expected = library_candidates(user=user).tag_cluster
    assert handed[0].tolist() == expected.tolist()
    assert sorted(expected.tolist()) == [-1] * 5 + [indie] * 15 + [jazz] * 10


@pytest.mark.django_db
def test_a_five_star_song_lifts_its_genre_family_and_says_why(user, library) -> None:
    from library.models import Track

    indie, jazz = 1, 6
    Track.objects.filter(pk__in=[t.pk for t in library[:10]]).update(tag_cluster=indie)
    Track.objects.filter(pk__in=[t.pk for t in library[10:]]).update(tag_cluster=jazz)
    first = recommendation_create(user=user, emotion="sad", strategy="match", seed=1)
    loved = first.items.select_related("track").filter(track__tag_cluster=indie).first()
    assert loved is not None
    rating_upsert(user=user, item=loved, stars=5)
    Recommendation.objects.all().delete()  # no recency penalty

    again = recommendation_create(user=user, emotion="sad", strategy="match", seed=2)

    items = list(again.items.select_related("track"))
    family = [i for i in items if i.track.tag_cluster == indie and i.track != loved.track]
    other_artist = [i for i in family if i.track.artist_names != loved.track.artist_names]
    assert other_artist, "the lift brings other indie artists into the list"
    assert all(i.components["tag_cluster"] > 0 for i in family)
    assert all(i.components["tag_cluster"] == 0 for i in items if i.track.tag_cluster == jazz)
    assert all("you gave another indie & alternative song ★5" in i.reason for i in other_artist)
