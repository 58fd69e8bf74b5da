"""The Last.fm stand-in over real HTTP: Last.fm's parameters, JSON and XML shapes, error codes."""

from __future__ import annotations

import pytest
import requests

from lastfm_sandbox import data
from lastfm_sandbox.testing import LastfmStandIn
from spotify_sandbox import catalogue

pytestmark = pytest.mark.django_db(transaction=True)


def _procedural(kind: str) -> catalogue.Track:
    """The first demo-catalogue track Last.fm knows `kind` of: tagged, untagged or unknown."""
    for index in range(1000):
        track = catalogue.track(index)
        found = data.track_top_tags(artist=track.artists[0].name, track=track.name)
        state = "unknown" if found is None else "tagged" if found.tags else "untagged"
        if state == kind:
            return track
    raise AssertionError(f"no {kind} track among the first 1000")


def _assert_toptags(body: dict) -> list[dict]:
    assert set(body) == {"toptags"}
    tags = body["toptags"]["tag"]
    for tag in tags:
        assert set(tag) == {"name", "count", "url"}
        assert isinstance(tag["count"], int)
        assert 0 <= tag["count"] <= 100
        assert tag["url"].startswith("https://www.last.fm/tag/")
    counts = [tag["count"] for tag in tags]
    assert counts == sorted(counts, reverse=True)
    return tags


def test_track_top_tags_of_a_real_song(lastfm: LastfmStandIn, music_moods_csv) -> None:
    response = lastfm.call("track.getTopTags", artist="Joni Mitchell", track="Borderline")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    tags = _assert_toptags(body)
    assert body["toptags"]["@attr"] == {"artist": "Joni Mitchell", "track": "Borderline"}
    assert tags[0] == {
        "name": "singer-songwriter",
        "count": 100,
        "url": "https://www.last.fm/tag/singer-songwriter",
    }
    assert "relaxed" in {tag["name"] for tag in tags}


def test_look_ups_ignore_case_and_spacing(lastfm: LastfmStandIn, music_moods_csv) -> None:
    exact = lastfm.call("track.getTopTags", artist="Joni Mitchell", track="Borderline").json()
    sloppy = lastfm.call("track.gettoptags", artist="  JONI   mitchell", track="borderLINE ").json()

    assert sloppy == exact  # names answered as Last.fm spells them


def test_procedural_tracks_ignore_case_too(lastfm: LastfmStandIn) -> None:
    track = _procedural("tagged")
    exact = lastfm.call("track.getTopTags", artist=track.artists[0].name, track=track.name)
    upper = lastfm.call(
        "TRACK.GETTOPTAGS", artist=track.artists[0].name.upper(), track=track.name.lower()
    )

    assert exact.json() == upper.json()
    assert 3 <= len(_assert_toptags(exact.json())) <= 10
    assert exact.json()["toptags"]["@attr"]["track"] == track.name


def test_post_answers_like_get(lastfm: LastfmStandIn) -> None:
    track = _procedural("tagged")
    params = {"artist": track.artists[0].name, "track": track.name}

    got = lastfm.call("track.getTopTags", **params)
    posted = lastfm.call("track.getTopTags", http_method="POST", **params)

    assert posted.status_code == 200
    assert posted.json() == got.json()


def test_artist_top_tags_of_a_real_artist_aggregate_its_songs(
    lastfm: LastfmStandIn, music_moods_csv
) -> None:
    body = lastfm.call("artist.getTopTags", artist="our lady peace").json()

    tags = _assert_toptags(body)
    assert body["toptags"]["@attr"] == {"artist": "Our Lady Peace"}
    assert tags[0]["count"] == 100
    assert {"rock", "alternative"} <= {tag["name"] for tag in tags}


def test_a_track_can_be_found_by_its_musicbrainz_id(lastfm: LastfmStandIn, music_moods_csv) -> None:
    body = lastfm.call("track.getTopTags", mbid="1e49b459-e067-421a-a5dc-dacb0d67ee2c").json()

    assert body["toptags"]["@attr"] == {"artist": "Joni Mitchell", "track": "Borderline"}


def test_a_known_track_without_tags_has_an_empty_list_and_its_artist_has_tags(
    lastfm: LastfmStandIn,
) -> None:
    track = _procedural("untagged")

    body = lastfm.call("track.getTopTags", artist=track.artists[0].name, track=track.name).json()
    artist = lastfm.call("artist.getTopTags", artist=track.artists[0].name).json()

    assert body["toptags"]["tag"] == []
    assert body["toptags"]["@attr"]["track"] == track.name
    assert len(_assert_toptags(artist)) >= 3


def test_unknown_tracks_and_artists_are_error_6(lastfm: LastfmStandIn) -> None:
    track = _procedural("unknown")

    procedural = lastfm.call("track.getTopTags", artist=track.artists[0].name, track=track.name)
    invented = lastfm.call("track.getTopTags", artist="Nobody At All", track="Nothing")
    artist = lastfm.call("artist.getTopTags", artist="Nobody At All")

    assert procedural.status_code == 200  # Last.fm's JSON errors come with HTTP 200
    assert procedural.json() == {"error": 6, "message": "Track not found", "links": []}
    assert invented.json()["error"] == 6
    assert artist.json() == {
        "error": 6,
        "message": "The artist you supplied could not be found",
        "links": [],
    }


def test_missing_parameters_are_error_6(lastfm: LastfmStandIn) -> None:
    assert lastfm.call("track.getTopTags", artist="Joni Mitchell").json()["error"] == 6
    assert lastfm.call("artist.getTopTags").json()["error"] == 6


@pytest.mark.parametrize("api_key", ["not-a-key", None, ""])
def test_invalid_or_missing_api_key_is_error_10(lastfm: LastfmStandIn, api_key) -> None:
    response = lastfm.call("artist.getTopTags", artist="Mara Lind", api_key=api_key)

    assert response.json() == {
        "error": 10,
        "message": "Invalid API key - You must be granted a valid key by last.fm",
        "links": [],
    }


def test_keys_come_from_the_setting(lastfm: LastfmStandIn, settings) -> None:
    settings.LASTFM_SANDBOX_API_KEYS = ["another-key"]

    assert lastfm.call("artist.getTopTags", artist="Mara Lind").json()["error"] == 10
    ok = lastfm.call("artist.getTopTags", artist="Mara Lind", api_key="another-key").json()
    assert "toptags" in ok


def test_an_unknown_method_is_error_3(lastfm: LastfmStandIn) -> None:
    for method in ("track.getInfo", "", "user.getTopTags"):
        assert lastfm.call(method, artist="Mara Lind").json()["error"] == 3


def test_tests_can_force_error_29_for_the_next_requests(lastfm: LastfmStandIn) -> None:
    lastfm.force_errors(count=2, code=29)

    answers = [lastfm.call("artist.getTopTags", artist="Mara Lind").json() for _ in range(3)]

    assert (
        answers[0]
        == answers[1]
        == {
            "error": 29,
            "message": "Rate Limit Exceeded - Your IP has made too many requests in a short period",
            "links": [],
        }
    )
    assert "toptags" in answers[2]


def test_a_forced_http_status_has_no_lastfm_body(lastfm: LastfmStandIn) -> None:
    lastfm.force_errors(count=1, http_status=503)

    failed = lastfm.call("artist.getTopTags", artist="Mara Lind")

    assert failed.status_code == 503
    assert lastfm.call("artist.getTopTags", artist="Mara Lind").status_code == 200


def test_each_key_has_a_per_second_budget(lastfm: LastfmStandIn, settings) -> None:
    settings.LASTFM_SANDBOX_MAX_RPS = 3

    with requests.Session() as session:
        params = {"method": "artist.getTopTags", "artist": "Mara Lind", "format": "json"}
        answers = [
            session.get(lastfm.url, params={**params, "api_key": lastfm.api_key}, timeout=10)
            for _ in range(8)
        ]

    errors = [answer.json().get("error") for answer in answers]
    # Eight requests within a second or two windows: at most 2 x 3 get through.
    assert errors.count(29) >= 2
    assert errors.count(None) >= 3


def test_without_format_json_it_answers_xml(lastfm: LastfmStandIn) -> None:
    track = _procedural("tagged")

    ok = lastfm.call(
        "track.getTopTags", artist=track.artists[0].name, track=track.name, format=None
    )
    missing = lastfm.call("track.getTopTags", artist="Nobody At All", track="x", format=None)
    bad_key = lastfm.call("track.getTopTags", artist="x", track="y", format=None, api_key="no")

    assert ok.headers["Content-Type"].startswith("text/xml")
    assert '<lfm status="ok">' in ok.text
    assert f'track="{track.name}"' in ok.text
    assert "<tag><count>100</count>" in ok.text
    assert missing.status_code == 400
    assert '<error code="6">Track not found</error>' in missing.text
    assert bad_key.status_code == 403
    assert '<error code="10">' in bad_key.text


def test_the_stand_in_is_off_when_disabled(lastfm: LastfmStandIn, settings) -> None:
    settings.LASTFM_SANDBOX_ENABLED = False

    assert lastfm.call("artist.getTopTags", artist="Mara Lind").status_code == 404


def test_other_http_methods_are_refused(lastfm: LastfmStandIn) -> None:
    assert requests.put(lastfm.url, timeout=10).status_code == 405
