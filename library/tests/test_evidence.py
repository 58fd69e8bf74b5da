"""Tests for mood evidence: curated playlists, ratings, the audio-features provider seam."""

import pytest
from django.test import override_settings

from feedback.evidence import ratings_changed
from feedback.services import rating_upsert
from library.evidence import (
    AudioFeatures,
    get_audio_features_provider,
    mood_for_audio,
    track_moods_sync_curated,
    track_moods_update_from_audio,
)
from library.models import TrackMood
from library.tests.factories import MoodPlaylistFactory, MoodPlaylistTrackFactory, TrackFactory
from recommendations.selectors import track_mood_distribution
from recommendations.tests.factories import RecommendationItemFactory


class FakeAudioFeatures:
    """Stands in for a provider with access to valence and energy."""

    def __init__(self, known: dict[str, AudioFeatures] | None = None) -> None:
        self.known = known or {}
        self.asked: list[list[str]] = []

    def features(self, spotify_ids):
        self.asked.append(list(spotify_ids))
        return {sid: self.known[sid] for sid in spotify_ids if sid in self.known}


def evidence(track) -> set[tuple[str, str]]:
    return set(TrackMood.objects.filter(track=track).values_list("mood", "source"))


@pytest.mark.parametrize(
    ("valence", "energy", "mood"),
    [
        (0.9, 0.9, "happy"),
        (0.2, 0.9, "energetic"),
        (0.45, 0.7, "energetic"),
        (0.1, 0.1, "sad"),
        (0.8, 0.2, "calm"),
        (0.45, 0.3, "calm"),  # calm reaches down to mid valence
        (0.35, 0.3, "sad"),
    ],
)
def test_valence_and_energy_map_to_quadrants(valence: float, energy: float, mood: str) -> None:
    assert mood_for_audio(AudioFeatures(valence=valence, energy=energy))[0] == mood


def test_clear_quadrants_score_higher_than_borderline_ones() -> None:
    _, clear = mood_for_audio(AudioFeatures(valence=0.95, energy=0.95))
    _, borderline = mood_for_audio(AudioFeatures(valence=0.52, energy=0.55))

    assert clear == 1.0
    assert 0.5 <= borderline < 0.7


def test_no_audio_features_provider_is_enabled_by_default() -> None:
    assert get_audio_features_provider() is None


@pytest.mark.django_db
def test_without_a_provider_audio_evidence_is_left_alone() -> None:
    track = TrackFactory()

    assert track_moods_update_from_audio(track_ids=[track.pk]) == 0
    assert not TrackMood.objects.exists()


@pytest.mark.django_db
def test_a_provider_adds_audio_evidence_for_the_tracks_it_knows() -> None:
    known, unknown = TrackFactory(), TrackFactory()
    provider = FakeAudioFeatures({known.spotify_id: AudioFeatures(valence=0.1, energy=0.2)})

    written = track_moods_update_from_audio(track_ids=[known.pk, unknown.pk], provider=provider)

    assert written == 1
    assert sorted(provider.asked[0]) == sorted([known.spotify_id, unknown.spotify_id])
    assert evidence(known) == {("sad", "audio")}
    assert evidence(unknown) == set()
    # New features replace the old quadrant.
    provider.known[known.spotify_id] = AudioFeatures(valence=0.9, energy=0.9)
    track_moods_update_from_audio(track_ids=[known.pk], provider=provider)
    assert evidence(known) == {("happy", "audio")}


@pytest.mark.django_db
@override_settings(AUDIO_FEATURES_PROVIDER="library.tests.test_evidence.FakeAudioFeatures")
def test_the_provider_is_named_in_settings() -> None:
    assert isinstance(get_audio_features_provider(), FakeAudioFeatures)


@pytest.mark.django_db
def test_curated_playlists_become_evidence_and_leaving_one_removes_it() -> None:
    track = TrackFactory()
    calm = MoodPlaylistTrackFactory(playlist=MoodPlaylistFactory(mood="calm"), track=track)
    MoodPlaylistTrackFactory(playlist=MoodPlaylistFactory(mood="sad"), track=track)

    track_moods_sync_curated(track_ids=[track.pk])
    assert evidence(track) == {("calm", "curated"), ("sad", "curated")}

    calm.delete()
    track_moods_sync_curated(track_ids=[track.pk])
    assert evidence(track) == {("sad", "curated")}


@pytest.mark.django_db
def test_a_full_curated_sync_drops_tracks_no_playlist_holds() -> None:
    kept, dropped = TrackFactory(), TrackFactory()
    MoodPlaylistTrackFactory(playlist=MoodPlaylistFactory(mood="happy"), track=kept)
    entry = MoodPlaylistTrackFactory(playlist=MoodPlaylistFactory(mood="calm"), track=dropped)
    track_moods_sync_curated()
    entry.delete()

    track_moods_sync_curated()

    assert evidence(kept) == {("happy", "curated")}
    assert evidence(dropped) == set()


@pytest.mark.django_db
def test_ratings_become_evidence_for_the_rules_target_moods() -> None:
    item = RecommendationItemFactory(recommendation__emotion="sad", recommendation__strategy="lift")

    rating_upsert(user=item.recommendation.user, item=item, stars=5)

    rows = {
        mood: (score, weight)
        for mood, score, weight in TrackMood.objects.filter(
            track=item.track, source="ratings"
        ).values_list("mood", "score", "weight")
    }
    assert set(rows) == {"calm", "happy"}
    assert rows["calm"][0] > 0.25
    assert rows["calm"][1] > rows["happy"][1]


@pytest.mark.django_db
def test_low_ratings_are_evidence_against_the_mood() -> None:
    item = RecommendationItemFactory(recommendation__emotion="happy")

    rating_upsert(user=item.recommendation.user, item=item, stars=1)

    score = TrackMood.objects.get(track=item.track, source="ratings").score
    assert score < 0.5
    assert track_mood_distribution(track_id=item.track_id).shares["happy"] < 0.25


@pytest.mark.django_db
def test_rating_evidence_disappears_with_the_ratings() -> None:
    item = RecommendationItemFactory()
    rating = rating_upsert(user=item.recommendation.user, item=item, stars=4)
    rating.delete()

    ratings_changed(track_ids=[item.track_id])

    assert evidence(item.track) == set()


@pytest.mark.django_db
def test_the_distribution_selector_says_how_sure_we_are() -> None:
    unknown, curated = TrackFactory(), TrackFactory()
    MoodPlaylistTrackFactory(playlist=MoodPlaylistFactory(mood="energetic"), track=curated)
    track_moods_sync_curated()

    nothing = track_mood_distribution(track_id=unknown.pk)
    known = track_mood_distribution(track_id=curated.pk)

    assert not nothing.known
    assert nothing.shares == pytest.approx(dict.fromkeys(nothing.shares, 0.25))
    assert known.known
    assert max(known.shares, key=known.shares.get) == "energetic"
    assert known.sources == {"energetic": ["curated"]}
    assert sum(known.shares.values()) == pytest.approx(1.0)


@pytest.mark.django_db
def test_a_curated_recording_reaches_its_other_releases_by_isrc() -> None:
    curated = TrackFactory(isrc="GBAYE0601498")
    reissue = TrackFactory(isrc="gbaye0601498")  # another album, another Spotify id
    unrelated = TrackFactory(isrc="USUM71703861")
    MoodPlaylistTrackFactory(playlist=MoodPlaylistFactory(mood="calm"), track=curated)

    track_moods_sync_curated(track_ids=[reissue.pk, unrelated.pk])

    evidence = TrackMood.objects.get(track=reissue, source=TrackMood.Source.CURATED)
    assert evidence.mood == "calm"
    assert "curated playlist" in evidence.detail
    assert not TrackMood.objects.filter(track=unrelated).exists()
    # The playlist's own track is curated directly, without a detail to explain.
    assert TrackMood.objects.get(track=curated, source=TrackMood.Source.CURATED).detail == ""


@pytest.mark.django_db
def test_after_a_sync_a_listeners_release_of_a_curated_recording_is_curated() -> None:
    from library.evidence import track_moods_curated_for_library
    from library.tests.factories import LibraryEntryFactory

    curated = TrackFactory(isrc="GBAYE0601498")
    MoodPlaylistTrackFactory(playlist=MoodPlaylistFactory(mood="sad"), track=curated)
    mine = LibraryEntryFactory(track=TrackFactory(isrc="GBAYE0601498"))
    other = LibraryEntryFactory(user=mine.user, track=TrackFactory(isrc="USUM71703861"))

    track_moods_curated_for_library(user_id=mine.user_id)

    assert TrackMood.objects.get(track=mine.track).mood == "sad"
    assert not TrackMood.objects.filter(track=other.track).exists()
