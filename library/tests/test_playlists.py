"""The listener's own playlists: stored at sync, and their names read as personal mood evidence."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from library.lexicon import moods_from_text
from library.models import LibraryEntry, LibraryPlaylist, Track, TrackMood
from library.playlists import (
    MIN_SCORE,
    library_playlist_save,
    library_playlists_prune,
    playlist_moods_update,
)
from library.sync import library_sync_run
from spotify_sandbox import catalogue, real_songs

PLAYLISTS = TrackMood.Source.PLAYLISTS


def _evidence(user, track_id: int) -> dict[str, tuple[float, float, str]]:
    return {
        row.mood: (row.score, row.weight, row.detail)
        for row in TrackMood.objects.filter(user=user, track_id=track_id, source=PLAYLISTS)
    }


def _tracks(n: int, *, start: int = 0) -> list[Track]:
    return [
        Track.objects.create(spotify_id=f"t{start + i:04d}", name=f"Song {start + i}")
        for i in range(n)
    ]


# Through a real sync of the `real` stand-in listener ------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox")
def test_a_sync_stores_the_real_listeners_playlists_and_reads_their_names(listener) -> None:
    user = listener(catalogue.REAL_USER)

    library_sync_run(user_id=user.pk)

    specs = {spec.id: spec for spec in real_songs.listener().extra_playlists}
    stored = {p.spotify_id: p for p in LibraryPlaylist.objects.filter(user=user)}
    assert {p.name for p in stored.values()} == {
        "rainy days", "gym", "sunday morning coffee", "2019 faves",
    }  # fmt: skip
    members: dict[str, set[str]] = {}
    for spotify_id, playlist in stored.items():
        members[playlist.name] = set(playlist.tracks.values_list("spotify_id", flat=True))
        assert members[playlist.name] == {
            catalogue.track(i).id for i in specs[spotify_id].track_indices
        }
        assert len(members[playlist.name]) == 30

    rows = TrackMood.objects.filter(source=PLAYLISTS)
    assert rows.exists()
    assert set(rows.values_list("user_id", flat=True)) == {user.pk}  # personal, this listener's
    assert all(row.score > MIN_SCORE for row in rows)
    ids = dict(Track.objects.values_list("spotify_id", "pk"))

    # A song only in "rainy days": its name's distribution and confidence, and the name as detail.
    rainy = moods_from_text("rainy days")
    only_rainy = members["rainy days"] - members["gym"] - members["sunday morning coffee"]
    song = ids[sorted(only_rainy)[0]]
    assert _evidence(user, song) == {
        mood: (pytest.approx(score, abs=1e-3), pytest.approx(rainy.confidence), "rainy days")
        for mood, score in rainy.distribution.items()
        if score > MIN_SCORE
    }
    assert set(_evidence(user, song)) == {"sad", "calm"}

    gym = _evidence(user, ids[sorted(members["gym"] - members["rainy days"])[0]])
    assert max(gym, key=lambda mood: gym[mood][0]) == "energetic"
    assert {detail for _, _, detail in gym.values()} <= {"gym", "gym, sunday morning coffee"}

    # "2019 faves" says no mood: its songs get nothing from it.
    faves_only = (
        members["2019 faves"]
        - members["rainy days"]
        - members["gym"]
        - members["sunday morning coffee"]
    )
    assert faves_only
    for spotify_id in faves_only:
        assert _evidence(user, ids[spotify_id]) == {}
    assert not rows.filter(detail__contains="2019").exists()

    # Every song in a mood-named playlist has this evidence.
    named = members["rainy days"] | members["gym"] | members["sunday morning coffee"]
    assert set(rows.values_list("track__spotify_id", flat=True)) == named


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox")
def test_a_resync_drops_playlists_no_longer_there_and_their_evidence(listener) -> None:
    user = listener(catalogue.REAL_USER)
    library_sync_run(user_id=user.pk)
    gone_track = Track.objects.create(spotify_id="gone-track-0001", name="Old sad song")
    LibraryEntry.objects.create(user=user, track=gone_track, liked=True)
    library_playlist_save(
        user_id=user.pk, spotify_id="deleted-playlist", name="sad songs", track_ids=[gone_track.pk]
    )
    playlist_moods_update(user_id=user.pk)
    assert _evidence(user, gone_track.pk)["sad"][2] == "sad songs"
    before = sorted(
        TrackMood.objects.filter(source=PLAYLISTS).exclude(track=gone_track)
        .values_list("track_id", "mood", "score", "weight", "detail")
    )  # fmt: skip

    library_sync_run(user_id=user.pk)

    assert not LibraryPlaylist.objects.filter(user=user, spotify_id="deleted-playlist").exists()
    assert LibraryPlaylist.objects.filter(user=user).count() == 4
    assert _evidence(user, gone_track.pk) == {}
    after = sorted(
        TrackMood.objects.filter(source=PLAYLISTS)
        .values_list("track_id", "mood", "score", "weight", "detail")
    )  # fmt: skip
    assert after == before  # the same playlists give the same evidence


# Unit level: the service alone ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_spanish_name_is_read_as_personal_evidence_for_its_owner_only() -> None:
    owner, other = UserFactory(), UserFactory()
    tracks = _tracks(3)
    library_playlist_save(
        user_id=owner.pk,
        spotify_id="pl-tristes",
        name="canciones tristes",
        track_ids=[t.pk for t in tracks],
    )

    written = playlist_moods_update(user_id=owner.pk)

    estimate = moods_from_text("canciones tristes")
    assert estimate is not None
    assert estimate.mood == "sad"
    assert written == 3
    for track in tracks:
        assert _evidence(owner, track.pk) == {
            "sad": (1.0, pytest.approx(estimate.confidence), "canciones tristes")
        }
        assert _evidence(other, track.pk) == {}
    assert not TrackMood.objects.filter(user__isnull=True).exists()
    assert playlist_moods_update(user_id=other.pk) == 0


@pytest.mark.django_db
def test_a_song_in_several_mood_playlists_gets_their_confidence_weighted_mix() -> None:
    user = UserFactory()
    both, calm_only = _tracks(2)
    library_playlist_save(
        user_id=user.pk, spotify_id="a", name="chill", track_ids=[both.pk, calm_only.pk]
    )
    library_playlist_save(user_id=user.pk, spotify_id="b", name="gym", track_ids=[both.pk])

    playlist_moods_update(user_id=user.pk)

    chill, gym = moods_from_text("chill"), moods_from_text("gym")
    total = chill.confidence + gym.confidence
    expected = {
        mood: (
            chill.confidence * chill.distribution[mood] + gym.confidence * gym.distribution[mood]
        )
        / total
        for mood in chill.distribution
    }
    got = _evidence(user, both.pk)
    assert set(got) == {mood for mood, score in expected.items() if score > MIN_SCORE}
    for mood, (score, weight, detail) in got.items():
        assert score == pytest.approx(expected[mood], abs=1e-3)
        assert weight == pytest.approx(max(chill.confidence, gym.confidence))
        assert detail == "chill, gym"
    assert set(_evidence(user, calm_only.pk)) == {"calm"}
    assert _evidence(user, calm_only.pk)["calm"][2] == "chill"


@pytest.mark.django_db
def test_renaming_or_emptying_a_playlist_updates_membership_and_evidence() -> None:
    user = UserFactory()
    a, b = _tracks(2)
    library_playlist_save(user_id=user.pk, spotify_id="p", name="sad songs", track_ids=[a.pk, b.pk])
    playlist_moods_update(user_id=user.pk)
    assert set(_evidence(user, a.pk)) == {"sad"}

    playlist = library_playlist_save(
        user_id=user.pk, spotify_id="p", name="sad songs", track_ids=[b.pk]
    )
    playlist_moods_update(user_id=user.pk)
    assert list(playlist.tracks.all()) == [b]
    assert _evidence(user, a.pk) == {}
    assert set(_evidence(user, b.pk)) == {"sad"}

    library_playlist_save(user_id=user.pk, spotify_id="p", name="2019 faves", track_ids=[b.pk])
    playlist_moods_update(user_id=user.pk)
    assert LibraryPlaylist.objects.get(user=user, spotify_id="p").name == "2019 faves"
    assert not TrackMood.objects.filter(user=user).exists()

    assert library_playlists_prune(user_id=user.pk, keep=[]) == 1
    assert not LibraryPlaylist.objects.filter(user=user).exists()
