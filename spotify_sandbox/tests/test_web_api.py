"""The stand-in's Web API over real HTTP, every answer checked against Spotify's description."""

from __future__ import annotations

import pytest
import requests

from spotify_sandbox import catalogue
from spotify_sandbox.models import Playlist
from spotify_sandbox.testing import Sandbox, SpotifyOpenAPI

pytestmark = pytest.mark.django_db(transaction=True)

ALL_SCOPES = (
    "user-library-read user-library-modify user-top-read user-read-recently-played "
    "playlist-read-private playlist-read-collaborative playlist-modify-private "
    "playlist-modify-public"
)


@pytest.fixture
def demo(sandbox: Sandbox) -> requests.Session:
    return sandbox.session_for(sandbox.issue("demo", scope=ALL_SCOPES).access_token)


def _get(session, spotify_openapi: SpotifyOpenAPI, url: str, **kwargs) -> requests.Response:
    response = session.get(url, timeout=10, **kwargs)
    spotify_openapi.validate(response, request_must_be_valid=response.ok)
    return response


def test_the_profile_has_an_id_and_no_deprecated_fields(demo, sandbox, spotify_openapi) -> None:
    for path in ("me", "me/"):  # spotipy asks for `me/`
        body = _get(demo, spotify_openapi, sandbox.api + path).json()
        assert body["id"] == "demo"
        assert body["account_id"]
        assert {"email", "country", "product", "followers"}.isdisjoint(body)


def test_saved_tracks_page_with_absolute_next_links(demo, sandbox, spotify_openapi) -> None:
    first = _get(demo, spotify_openapi, sandbox.api + "me/tracks", params={"limit": 50}).json()

    assert first["total"] == 300
    assert len(first["items"]) == 50
    assert first["previous"] is None
    assert first["next"] == f"{sandbox.api}me/tracks?offset=50&limit=50"
    seen = [item["track"]["id"] for item in first["items"]]
    page = first
    while page["next"]:
        page = _get(demo, spotify_openapi, page["next"]).json()
        seen += [item["track"]["id"] for item in page["items"]]
    assert len(seen) == len(set(seen)) == 300
    track = first["items"][0]["track"]
    assert track["external_ids"]["isrc"]
    assert {"popularity", "preview_url", "available_markets"}.isdisjoint(track)
    assert {"available_markets"}.isdisjoint(track["album"])
    assert track["album"]["images"][0]["url"].startswith(sandbox.root + "/images/album/")


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 51}, {"limit": "x"}, {"offset": -1}])
def test_limit_and_offset_out_of_bounds_are_400(demo, sandbox, spotify_openapi, params) -> None:
    response = _get(demo, spotify_openapi, sandbox.api + "me/tracks", params=params)

    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400


def test_top_tracks_and_artists_per_time_range(demo, sandbox, spotify_openapi) -> None:
    for time_range in catalogue.TIME_RANGES:
        tracks = _get(
            demo, spotify_openapi, sandbox.api + "me/top/tracks",
            params={"time_range": time_range, "limit": 50},
        ).json()  # fmt: skip
        assert tracks["total"] == 50
        assert tracks["items"][0]["type"] == "track"
    artists = _get(demo, spotify_openapi, sandbox.api + "me/top/artists").json()
    assert artists["items"]
    assert {"genres", "popularity", "followers"}.isdisjoint(artists["items"][0])
    bad = _get(demo, spotify_openapi, sandbox.api + "me/top/tracks", params={"time_range": "ever"})
    assert bad.status_code == 400


def test_recently_played_pages_with_cursors(demo, sandbox, spotify_openapi) -> None:
    url = sandbox.api + "me/player/recently-played"
    first = _get(demo, spotify_openapi, url, params={"limit": 20}).json()

    assert len(first["items"]) == 20
    assert first["next"].startswith(url + "?before=")
    second = _get(demo, spotify_openapi, first["next"]).json()
    assert second["items"][0]["played_at"] < first["items"][-1]["played_at"]
    newest_ms = int(first["cursors"]["after"])
    assert _get(demo, spotify_openapi, url, params={"after": newest_ms}).json()["items"] == []
    both = _get(demo, spotify_openapi, url, params={"after": 1, "before": 2})
    assert both.status_code == 400


def test_playlists_use_the_2026_field_names(demo, sandbox, spotify_openapi) -> None:
    mine = _get(demo, spotify_openapi, sandbox.api + "me/playlists").json()

    names = [playlist["name"] for playlist in mine["items"]]
    assert names == ["Morning Run", "Rainy Day", "Focus", "Road Trip", "Alex's Party Mix"]
    first = mine["items"][0]
    assert first["items"]["total"] == 40
    assert "tracks" not in first
    full = _get(demo, spotify_openapi, sandbox.api + f"playlists/{first['id']}").json()
    assert "tracks" not in full
    assert full["items"]["total"] == 40
    entry = full["items"]["items"][0]
    assert entry["item"]["type"] == "track"
    assert "track" not in entry
    items = _get(demo, spotify_openapi, first["items"]["href"], params={"limit": 10}).json()
    assert len(items["items"]) == 10
    assert items["next"]


def test_playlist_items_are_403_unless_owner_or_collaborator(demo, sandbox, spotify_openapi):
    mine = {
        p["name"]: p
        for p in _get(demo, spotify_openapi, sandbox.api + "me/playlists").json()["items"]
    }

    collaborative = _get(demo, spotify_openapi, mine["Road Trip"]["items"]["href"])
    assert collaborative.status_code == 200
    followed = _get(demo, spotify_openapi, mine["Alex's Party Mix"]["items"]["href"])
    assert followed.status_code == 403
    # The playlist itself is public: readable, but without its items.
    party_id = mine["Alex's Party Mix"]["id"]
    public = _get(demo, spotify_openapi, sandbox.api + f"playlists/{party_id}")
    assert public.status_code == 200
    assert "items" not in public.json()
    sams = catalogue.PLAYLISTS["sam-blue"].id  # private, not demo's
    assert _get(demo, spotify_openapi, sandbox.api + f"playlists/{sams}").status_code == 404


def test_create_a_private_playlist_and_add_items(demo, sandbox, spotify_openapi) -> None:
    created = demo.post(
        sandbox.api + "me/playlists",
        json={"name": "Moodtrack · calm", "public": False, "description": "test"},
        timeout=10,
    )
    spotify_openapi.validate(created)
    assert created.status_code == 201
    playlist_id = created.json()["id"]
    uris = [catalogue.track(i).uri for i in range(3)]
    added = demo.post(
        sandbox.api + f"playlists/{playlist_id}/items", json={"uris": uris}, timeout=10
    )
    spotify_openapi.validate(added)
    assert added.status_code == 201
    assert added.json()["snapshot_id"]
    again = demo.post(
        sandbox.api + f"playlists/{playlist_id}/items",
        json={"uris": [catalogue.track(9).uri], "position": 0},
        timeout=10,
    )
    assert again.status_code == 201
    assert again.json()["snapshot_id"] != added.json()["snapshot_id"]
    items = _get(demo, spotify_openapi, sandbox.api + f"playlists/{playlist_id}/items").json()
    assert [entry["item"]["uri"] for entry in items["items"]] == [catalogue.track(9).uri, *uris]
    listed = _get(demo, spotify_openapi, sandbox.api + "me/playlists").json()["items"]
    assert listed[0]["id"] == playlist_id
    assert Playlist.objects.get(spotify_id=playlist_id).public is False


def test_another_listener_cannot_add_to_my_playlist(demo, sandbox, spotify_openapi) -> None:
    playlist_id = demo.post(sandbox.api + "me/playlists", json={"name": "mine", "public": False},
                            timeout=10).json()["id"]  # fmt: skip
    sam = sandbox.session_for(sandbox.issue("sam", scope=ALL_SCOPES).access_token)

    denied = sam.post(
        sandbox.api + f"playlists/{playlist_id}/items",
        json={"uris": [catalogue.track(1).uri]},
        timeout=10,
    )
    spotify_openapi.validate(denied, request_must_be_valid=False)
    assert denied.status_code == 403
    assert (
        _get(sam, spotify_openapi, sandbox.api + f"playlists/{playlist_id}/items").status_code
        == 403
    )


def test_bad_uris_and_too_many_items_are_400(demo, sandbox, spotify_openapi) -> None:
    playlist_id = demo.post(sandbox.api + "me/playlists", json={"name": "x", "public": False},
                            timeout=10).json()["id"]  # fmt: skip
    url = sandbox.api + f"playlists/{playlist_id}/items"

    bad = demo.post(url, json={"uris": ["spotify:track:nope"]}, timeout=10)
    many = demo.post(url, json={"uris": [catalogue.track(i).uri for i in range(101)]}, timeout=10)
    for response in (bad, many):
        spotify_openapi.validate(response, request_must_be_valid=False)
        assert response.status_code == 400


def test_save_to_library_puts_the_track_on_top_of_liked_songs(demo, sandbox, spotify_openapi):
    uri = catalogue.track(4321).uri
    saved = demo.put(sandbox.api + "me/library", params={"uris": uri}, timeout=10)
    spotify_openapi.validate(saved)
    assert saved.status_code == 200

    liked = _get(demo, spotify_openapi, sandbox.api + "me/tracks", params={"limit": 1}).json()
    assert liked["total"] == 301
    assert liked["items"][0]["track"]["uri"] == uri
    too_many = demo.put(
        sandbox.api + "me/library", params={"uris": ",".join([uri] * 41)}, timeout=10
    )
    assert too_many.status_code == 400


def test_single_track_and_artist(demo, sandbox, spotify_openapi) -> None:
    track = catalogue.track(7)
    body = _get(demo, spotify_openapi, sandbox.api + f"tracks/{track.id}").json()
    assert body["name"] == track.name
    artist = _get(demo, spotify_openapi, sandbox.api + f"artists/{track.artists[0].id}").json()
    assert artist["name"] == track.artists[0].name
    assert _get(demo, spotify_openapi, sandbox.api + "tracks/" + "0" * 22).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["audio-features/abc", "recommendations", "playlists/abc/tracks", "users/demo/playlists",
     "tracks?ids=a,b"],
)  # fmt: skip
def test_endpoints_closed_to_our_app_answer_403(demo, sandbox, path) -> None:
    response = demo.get(sandbox.api + path, timeout=10)

    assert response.status_code == 403
    assert response.json()["error"]["status"] == 403


def test_tokens_are_checked(sandbox, spotify_openapi) -> None:
    url = sandbox.api + "me/tracks"
    missing = requests.get(url, timeout=10)
    wrong = sandbox.session_for("not-a-token").get(url, timeout=10)
    narrow = sandbox.session_for(sandbox.issue("demo", scope="user-top-read").access_token)
    insufficient = narrow.get(url, timeout=10)
    from spotify_sandbox import services

    expired_token = sandbox.issue("sam").access_token
    services.tokens_expire(spotify_user="sam")
    expired = sandbox.session_for(expired_token).get(url, timeout=10)

    for response, status in ((missing, 401), (wrong, 401), (insufficient, 403), (expired, 401)):
        spotify_openapi.validate(response, request_must_be_valid=False)
        assert response.status_code == status
    assert expired.json()["error"]["message"] == "The access token expired"
    assert "invalid_token" in expired.headers["WWW-Authenticate"]


def test_every_listener_sees_only_their_own_library(sandbox, spotify_openapi) -> None:
    def liked_ids(user: str) -> set[str]:
        session = sandbox.session_for(sandbox.issue(user).access_token)
        body = _get(
            session, spotify_openapi, sandbox.api + "me/tracks", params={"limit": 50}
        ).json()
        return {item["track"]["id"] for item in body["items"]}

    demo, sam = liked_ids("demo"), liked_ids("sam")
    assert demo != sam
    assert len(demo) == 50
    assert liked_ids("synthetic-30").isdisjoint(demo)
