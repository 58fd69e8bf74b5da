"""Tests for the curated demo mood playlists made from the stand-in's catalogue."""

from io import StringIO

import pytest
from django.apps import apps

from demo import moods as demo_moods
from library.models import MoodPlaylist, TrackMood
from spotify_sandbox import catalogue


@pytest.mark.django_db
def test_it_creates_one_curated_playlist_per_mood_once() -> None:
    out = StringIO()
    demo_moods.seed(stdout=out)
    demo_moods.seed(stdout=out)

    playlists = MoodPlaylist.objects.order_by("mood")
    assert [p.mood for p in playlists] == ["calm", "energetic", "happy", "sad"]
    for playlist in playlists:
        tracks = list(playlist.tracks.all())
        assert len(tracks) == demo_moods.TRACKS_PER_MOOD
        assert {catalogue.track_by_id(t.spotify_id).mood for t in tracks} == {playlist.mood}
        assert all(t.artist_names and t.name for t in tracks)
    curated = TrackMood.objects.filter(source="curated")
    assert curated.count() == 4 * demo_moods.TRACKS_PER_MOOD
    assert "demo mood playlist 'Demo · Slow breath': 20 calm tracks" in out.getvalue()


@pytest.mark.django_db
def test_it_does_nothing_without_the_stand_in(monkeypatch) -> None:
    monkeypatch.setattr(apps, "is_installed", lambda name: name != "spotify_sandbox")
    out = StringIO()

    demo_moods.seed(stdout=out)

    assert not MoodPlaylist.objects.exists()
    assert "skipped" in out.getvalue()
