"""The procedural catalogue: deterministic, Spotify-shaped ids, moods, and the listeners."""

from __future__ import annotations

import pytest

from spotify_sandbox import catalogue


def test_tracks_are_the_same_every_time() -> None:
    first = catalogue.track(123)
    catalogue.track.cache_clear()
    again = catalogue.track(123)

    assert first == again
    assert first.id == catalogue.make_id("track", 123)


def test_ids_look_like_spotify_ids_and_decode_to_their_index() -> None:
    for index in (0, 1, 999, 10_000, catalogue.MAX_INDEX - 1):
        spotify_id = catalogue.make_id("track", index)
        assert len(spotify_id) == 22
        assert spotify_id.isalnum()
        assert catalogue.parse_id("track", spotify_id) == index
        assert catalogue.parse_id("album", spotify_id) is None
    assert catalogue.parse_id("track", "4iV5W9uYEdYUVa79Axb7Rh") is None
    assert len({catalogue.make_id("track", i) for i in range(2000)}) == 2000


def test_every_track_has_a_mood_from_its_valence_and_energy() -> None:
    tracks = [catalogue.track(i) for i in range(600)]

    assert {t.mood for t in tracks} == set(catalogue.MOODS)
    for track in tracks:
        assert track.mood == catalogue.mood_of(track.valence, track.energy)
        assert 0 <= track.valence <= 1
        assert 0 <= track.energy <= 1
        assert len(track.isrc) == 12


@pytest.mark.parametrize("mood", catalogue.MOODS)
def test_tracks_for_mood(mood: str) -> None:
    picked = catalogue.tracks_for_mood(mood, 20)

    assert len(picked) == 20
    assert all(track.mood == mood for track in picked)
    assert picked == catalogue.tracks_for_mood(mood, 20)


def test_unknown_moods_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown mood"):
        catalogue.tracks_for_mood("grumpy", 3)


def test_demo_listeners_have_different_libraries() -> None:
    demo, alex, sam = (catalogue.user(name) for name in ("demo", "alex", "sam"))

    assert (len(demo.liked), len(alex.liked), len(sam.liked)) == (300, 150, 80)
    assert len(set(demo.liked)) == 300
    assert set(demo.liked) != set(alex.liked)
    assert all(len(demo.top[time_range]) == 50 for time_range in catalogue.TIME_RANGES)
    assert len(demo.recent) == 50
    assert [p.name for p in demo.playlists][:3] == ["Morning Run", "Rainy Day", "Focus"]
    assert sum(catalogue.track(i).mood == "sad" for i in sam.liked) > len(sam.liked) / 3


def test_synthetic_listeners_have_exactly_n_liked_songs() -> None:
    assert len(catalogue.user("synthetic-2000").liked) == 2000
    assert len(catalogue.user("synthetic-0").liked) == 0
    assert catalogue.user("synthetic-") is None
    assert catalogue.user("synthetic-01") is None
    assert catalogue.user(f"synthetic-{catalogue.SYNTHETIC_MAX + 1}") is None
    assert catalogue.user("nobody") is None
