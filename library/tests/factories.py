"""factory_boy factories for the library: artists, tracks, entries, mood playlists, evidence."""

import factory

from accounts.tests.factories import UserFactory
from library.models import (
    Artist,
    LibraryEntry,
    Mood,
    MoodPlaylist,
    MoodPlaylistTrack,
    Track,
    TrackMood,
)


class ArtistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Artist
        django_get_or_create = ("spotify_id",)

    spotify_id = factory.Sequence(lambda n: f"artist{n:018d}")
    name = factory.Sequence(lambda n: f"Artist {n}")


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track
        django_get_or_create = ("spotify_id",)

    spotify_id = factory.Sequence(lambda n: f"track{n:017d}")
    name = factory.Sequence(lambda n: f"Song {n}")
    artist_names = factory.Sequence(lambda n: f"Band {n}")
    album_name = "An Album"
    duration_ms = 200_000
    uri = factory.LazyAttribute(lambda track: f"spotify:track:{track.spotify_id}")


class LibraryEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LibraryEntry

    user = factory.SubFactory(UserFactory)
    track = factory.SubFactory(TrackFactory)
    liked = True


class MoodPlaylistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MoodPlaylist

    name = factory.Sequence(lambda n: f"Mood playlist {n}")
    mood = Mood.CALM


class MoodPlaylistTrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MoodPlaylistTrack

    playlist = factory.SubFactory(MoodPlaylistFactory)
    track = factory.SubFactory(TrackFactory)
    position = factory.Sequence(lambda n: n)


class TrackMoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrackMood

    track = factory.SubFactory(TrackFactory)
    mood = Mood.CALM
    source = TrackMood.Source.CURATED
    score = 1.0
    weight = 1.0


def curated_library(user, *, per_mood: int = 6, moods=tuple(Mood.values)) -> dict[str, list[Track]]:
    """A library of `per_mood` tracks per mood, each in a curated playlist of its mood.

    Every track has its own artist; call track_moods_sync_curated() to turn it into evidence.
    """
    tracks: dict[str, list[Track]] = {}
    for mood in moods:
        playlist = MoodPlaylistFactory(name=f"Curated {mood}", mood=mood)
        tracks[mood] = []
        for position in range(per_mood):
            track = TrackFactory(name=f"{mood.capitalize()} song {position + 1}")
            LibraryEntryFactory(user=user, track=track)
            MoodPlaylistTrackFactory(playlist=playlist, track=track, position=position)
            tracks[mood].append(track)
    return tracks
