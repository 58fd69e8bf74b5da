"""The one Spotify client module, over real HTTP against the stand-in (every answer validated)."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from accounts.tests.factories import UserFactory
from spotify import client as spotify
from spotify_sandbox import catalogue
from spotify_sandbox.models import Playlist

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sandbox")]


def test_the_client_uses_a_plain_session_the_prefix_and_a_timeout(listener, sandbox, settings):
    settings.SPOTIFY_REQUEST_TIMEOUT = 4.5
    client = spotify.client_for(listener())

    assert type(client.session) is requests.Session
    # A plain Session: spotipy mounts no urllib3 Retry adapter that would sleep on a 429.
    assert client.session.get_adapter(sandbox.api).max_retries.total == 0
    assert client.sp.prefix == sandbox.api
    assert client.sp.requests_timeout == 4.5


def test_liked_songs_page_by_page(listener, openapi_checked_client) -> None:
    client = spotify.client_for(listener("synthetic-120"))

    pages = list(spotify.iter_saved_track_pages(client))

    assert [(p.offset, len(p.items), p.total) for p in pages] == [(0, 50, 120), (50, 50, 120),
                                                                  (100, 20, 120)]  # fmt: skip
    assert client.requests_made == 3
    first = pages[0].items[0]
    assert first.track.spotify_id == catalogue.track(1000).id
    assert first.track.isrc == catalogue.track(1000).isrc
    assert first.track.image_url.endswith(".svg")
    assert first.added_at.tzinfo is not None
    assert len(list(spotify.iter_saved_tracks(client))) == 120


def test_liked_songs_can_start_at_an_offset(listener) -> None:
    client = spotify.client_for(listener("synthetic-120"))

    pages = list(spotify.iter_saved_track_pages(client, offset=100))

    assert [(p.offset, len(p.items)) for p in pages] == [(100, 20)]


def test_top_tracks_recently_played_and_playlists(listener, openapi_checked_client) -> None:
    client = spotify.client_for(listener("demo"))
    demo = catalogue.user("demo")

    for time_range in spotify.TIME_RANGES:
        top = list(spotify.iter_top_tracks(client, time_range))
        assert [t.spotify_id for t in top] == [catalogue.track(i).id for i in demo.top[time_range]]
    plays = list(spotify.iter_recently_played(client))
    assert len(plays) == 50
    assert plays[0].played_at > plays[-1].played_at
    after = list(spotify.iter_recently_played(client, after=plays[5].played_at))
    assert [p.track.spotify_id for p in after] == [p.track.spotify_id for p in plays[:5]]
    playlists = list(spotify.iter_my_playlists(client))
    assert [(p.name, p.owner_id, p.total) for p in playlists][:2] == [
        ("Morning Run", "demo", 40),
        ("Rainy Day", "demo", 35),
    ]
    items = list(spotify.iter_playlist_items(client, playlists[0].spotify_id))
    assert len(items) == 40
    assert spotify.get_playlist(client, playlists[0].spotify_id)["items"]["total"] == 40


def test_someone_elses_playlist_items_are_forbidden(listener) -> None:
    client = spotify.client_for(listener("demo"))
    followed = catalogue.PLAYLISTS["alex-party"].id

    with pytest.raises(spotify.SpotifyForbidden) as raised:
        list(spotify.iter_playlist_items(client, f"https://open.spotify.com/playlist/{followed}"))
    assert raised.value.status == 403


def test_create_playlist_with_tracks(listener, openapi_checked_client) -> None:
    user = listener("sam")
    uris = [catalogue.track(i).uri for i in range(120)]

    playlist = spotify.create_playlist_with_tracks(user, "Moodtrack · sad", "For a rainy day", uris)

    stored = Playlist.objects.get(spotify_id=playlist["id"])
    assert stored.owner == "sam"
    assert stored.public is False
    assert [e.track_index for e in stored.entries.all()] == list(range(120))  # two batches
    assert playlist["public"] is False


def test_429_raises_with_retry_after_and_reason(listener, sandbox) -> None:
    sandbox.fault("v1/me/tracks*", 429, retry_after=42, body_reason="QUOTA_EXCEEDED")
    client = spotify.client_for(listener())

    with pytest.raises(spotify.SpotifyRateLimited) as raised:
        list(spotify.iter_saved_tracks(client))

    assert raised.value.retry_after == 42
    assert raised.value.reason == "QUOTA_EXCEEDED"
    assert client.requests_made == 1  # no hidden retries


def test_5xx_and_network_failures_raise_unavailable(listener, sandbox, settings) -> None:
    sandbox.fault("v1/me/top/*", 502)
    client = spotify.client_for(listener())
    with pytest.raises(spotify.SpotifyUnavailable):
        list(spotify.iter_top_tracks(client, "short_term"))

    settings.SPOTIFY_API_BASE_URL = "http://127.0.0.1:9/v1/"  # nothing listens on port 9
    with pytest.raises(spotify.SpotifyUnavailable, match="could not be reached"):
        list(spotify.iter_saved_tracks(spotify.client_for(listener("alex"))))


def test_a_401_refreshes_the_token_once_and_retries(listener, sandbox) -> None:
    user = listener("alex")
    before = user.social_auth.get().access_token
    sandbox.fault("v1/me", 401, remaining=1)
    client = spotify.client_for(user)

    profile = spotify.current_profile(client)

    assert profile["id"] == "alex"
    assert user.social_auth.get().access_token != before
    assert client.requests_made == 2


def test_a_401_after_a_refresh_means_sign_in_again(listener, sandbox) -> None:
    sandbox.fault("v1/me", 401)
    client = spotify.client_for(listener("alex"))

    with pytest.raises(spotify.SpotifyReauthRequired):
        spotify.current_profile(client)


def test_endpoints_closed_to_our_app_raise_forbidden(listener) -> None:
    client = spotify.client_for(listener())

    with pytest.raises(spotify.SpotifyForbidden):
        client.call(lambda sp: sp.audio_features([catalogue.track(1).id]))
    with pytest.raises(spotify.SpotifyNotFound):
        client.call(lambda sp: sp.track("0" * 22))


def test_a_user_without_spotify_is_not_connected() -> None:
    with pytest.raises(spotify.SpotifyNotConnected):
        spotify.client_for(UserFactory())


@pytest.mark.parametrize(
    "ref",
    [
        "37i9dQZF1DXcBWIGoYBM5M",
        "spotify:playlist:37i9dQZF1DXcBWIGoYBM5M",
        "spotify:user:someone:playlist:37i9dQZF1DXcBWIGoYBM5M",
        "https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M?si=abc123",
        "open.spotify.com/intl-de/playlist/37i9dQZF1DXcBWIGoYBM5M",
        "  https://open.spotify.com/user/x/playlist/37i9dQZF1DXcBWIGoYBM5M  ",
    ],
)
def test_parse_playlist_ref(ref: str) -> None:
    assert spotify.parse_playlist_ref(ref) == "37i9dQZF1DXcBWIGoYBM5M"


@pytest.mark.parametrize(
    "ref", ["", "https://open.spotify.com/track/37i9dQZF1DXcBWIGoYBM5M", "short", "x" * 23]
)
def test_parse_playlist_ref_refuses_other_things(ref: str) -> None:
    with pytest.raises(ValueError, match="playlist link"):
        spotify.parse_playlist_ref(ref)


def test_track_data_skips_what_cannot_be_stored() -> None:
    assert spotify.TrackData.from_json(None) is None
    assert spotify.TrackData.from_json({"id": "x", "type": "episode"}) is None
    assert spotify.TrackData.from_json({"id": "x", "type": "track", "is_local": True}) is None
    track = spotify.TrackData.from_json(
        {"id": "abc", "name": "N", "artists": [{"id": "a1", "name": "A"}], "type": "track"}
    )
    assert track.uri == "spotify:track:abc"
    assert track.artist_names == "A"


def test_spotipy_debug_logs_never_show_the_token(listener, caplog) -> None:
    user = listener()
    token = user.social_auth.get().access_token
    caplog.set_level("DEBUG", logger="spotipy")

    spotify.current_profile(spotify.client_for(user))

    assert "Bearer [redacted]" in caplog.text
    assert token not in caplog.text


def test_plays_have_aware_datetimes(listener) -> None:
    plays = list(spotify.iter_recently_played(spotify.client_for(listener("sam"))))

    assert len(plays) == 30
    assert all(p.played_at.utcoffset() == dt.timedelta(0) for p in plays)
