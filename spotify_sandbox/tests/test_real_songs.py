"""Real songs in the stand-in's catalogue and the `real` listener, with the shared file or not."""

from __future__ import annotations

import csv

import pytest

from spotify_sandbox import catalogue, real_songs
from spotify_sandbox.testing import Sandbox, SpotifyOpenAPI

ALL_SCOPES = "user-library-read user-top-read user-read-recently-played playlist-read-private"


@pytest.fixture
def first_row(music_moods_csv) -> dict[str, str]:
    with music_moods_csv.open(newline="", encoding="utf-8") as handle:
        return next(csv.DictReader(handle))


def test_real_songs_keep_their_spotify_id_title_and_artist(first_row) -> None:
    index = catalogue.parse_id("track", first_row["spotify_id"])

    track = catalogue.track(index)

    assert index >= catalogue.REAL_SONGS_BASE
    assert len(real_songs.songs()) == 494
    assert catalogue.track_by_id(first_row["spotify_id"]) == track
    assert (track.id, track.name) == (first_row["spotify_id"], first_row["track"])
    assert [artist.name for artist in track.artists] == [first_row["artist"]]
    assert track.mood == catalogue.mood_of(float(first_row["valence"]), float(first_row["energy"]))
    assert catalogue.artist_by_id(track.artists[0].id) == track.artists[0]
    assert catalogue.album_by_id(track.album.id) == track.album
    assert len(track.isrc) == 12


def test_procedural_ids_are_unchanged() -> None:
    for index in (0, 999, 10_000):
        assert catalogue.parse_id("track", catalogue.make_id("track", index)) == index
    assert catalogue.track_by_id(catalogue.make_id("track", catalogue.MAX_INDEX - 1))


def test_a_made_up_id_in_the_real_songs_range_is_no_track(music_moods_csv) -> None:
    assert catalogue.track_by_id(catalogue.make_id("track", catalogue.REAL_SONGS_BASE)) is None


def test_the_real_listener_mostly_has_real_songs(music_moods_csv) -> None:
    person = catalogue.user("real")

    real = [index for index in person.liked if index >= catalogue.REAL_SONGS_BASE]
    assert len(real) / len(person.liked) > 0.8
    assert len(set(person.liked)) == len(person.liked)
    assert all(len(person.top[time_range]) == 50 for time_range in catalogue.TIME_RANGES)
    names = [playlist.name for playlist in person.playlists]
    assert {"rainy days", "gym"} <= set(names)
    assert all(playlist.owner == "real" for playlist in person.playlists)
    assert catalogue.playlist_spec(person.playlists[0].id) == person.playlists[0]
    assert person in catalogue.listeners()


def test_without_the_shared_file_real_has_a_procedural_library(settings, tmp_path) -> None:
    settings.MUSIC_MOODS_CSV = tmp_path / "absent.csv"

    person = catalogue.user("real")

    assert real_songs.songs() == ()
    assert person.liked
    assert all(index < catalogue.REAL_SONGS_BASE for index in person.liked)
    assert {"rainy days", "gym"} <= {playlist.name for playlist in person.playlists}
    assert catalogue.track(person.playlists[0].track_indices[0]).name


@pytest.mark.django_db(transaction=True)
def test_the_web_api_serves_real_songs(
    sandbox: Sandbox, spotify_openapi: SpotifyOpenAPI, first_row
) -> None:
    session = sandbox.session_for(sandbox.issue("real", scope=ALL_SCOPES).access_token)

    def get(path: str, **params):
        response = session.get(sandbox.api + path, params=params, timeout=10)
        spotify_openapi.validate(response)
        assert response.status_code == 200, response.text
        return response.json()

    one = get(f"tracks/{first_row['spotify_id']}")
    liked = get("me/tracks", limit=50)
    playlists = get("me/playlists")
    rainy = next(p for p in playlists["items"] if p["name"] == "rainy days")
    items = get(f"playlists/{rainy['id']}/items")
    top = get("me/top/tracks", time_range="short_term")

    assert (one["name"], one["artists"][0]["name"]) == (first_row["track"], first_row["artist"])
    assert one["uri"] == f"spotify:track:{first_row['spotify_id']}"
    known = {song.spotify_id for song in real_songs.songs()}
    assert liked["total"] == len(catalogue.user("real").liked)
    assert sum(item["track"]["id"] in known for item in liked["items"]) > 40
    assert items["total"] == 30
    assert all(item["item"]["id"] in known for item in items["items"])
    assert top["items"]
