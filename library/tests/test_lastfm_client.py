"""Our Last.fm client over real HTTP against the stand-in: tags, gaps, errors, the rate limiter."""

from __future__ import annotations

import ast
import contextlib
import csv
import logging
import time

import pytest
import requests

from lastfm_sandbox import data
from lastfm_sandbox.testing import LastfmStandIn
from library.lastfm import (
    DEFAULT_API_URL,
    LastfmClient,
    LastfmError,
    LastfmInvalidKey,
    LastfmNotFound,
    LastfmRateLimited,
    LastfmUnavailable,
    RateLimiter,
    _tags,
    lastfm_client,
)
from spotify_sandbox import catalogue

pytestmark = pytest.mark.django_db(transaction=True)


def _procedural(kind: str) -> catalogue.Track:
    for index in range(1000):
        track = catalogue.track(index)
        found = data.track_top_tags(artist=track.artists[0].name, track=track.name)
        state = "unknown" if found is None else "tagged" if found.tags else "untagged"
        if state == kind:
            return track
    raise AssertionError(f"no {kind} track among the first 1000")


@pytest.fixture
def client(lastfm: LastfmStandIn):
    with lastfm_client() as configured:
        yield configured


# Configuration ---------------------------------------------------------------------------------


def test_no_key_means_no_client(settings) -> None:
    settings.LASTFM_API_KEY = ""
    assert lastfm_client() is None
    settings.LASTFM_API_KEY = "   "
    assert lastfm_client() is None


def test_the_client_is_built_from_settings(settings) -> None:
    settings.LASTFM_API_KEY = "a-key"
    settings.LASTFM_API_URL = "http://127.0.0.1:1/2.0/"
    del settings.LASTFM_MAX_RPS

    client = lastfm_client()

    assert client.api_url == "http://127.0.0.1:1/2.0/"
    assert client.max_rps == 5  # Last.fm's terms
    assert "a-key" not in repr(client)
    del settings.LASTFM_API_URL
    assert lastfm_client().api_url == DEFAULT_API_URL == "https://ws.audioscrobbler.com/2.0/"


# Answers ---------------------------------------------------------------------------------------


def test_a_real_songs_tags(client: LastfmClient, music_moods_csv) -> None:
    with music_moods_csv.open(newline="", encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    expected = list(
        zip(ast.literal_eval(row["tags"]), ast.literal_eval(row["weights"]), strict=True)
    )

    assert client.track_top_tags(artist=row["artist"], track=row["track"]) == expected


def test_a_track_without_tags_gives_an_empty_list_and_its_artist_has_tags(
    client: LastfmClient,
) -> None:
    track = _procedural("untagged")

    assert client.track_top_tags(artist=track.artists[0].name, track=track.name) == []
    artist_tags = client.artist_top_tags(artist=track.artists[0].name)
    assert len(artist_tags) >= 3
    assert artist_tags[0][1] == 100
    assert all(isinstance(name, str) and 0 <= count <= 100 for name, count in artist_tags)


def test_a_tagged_procedural_track(client: LastfmClient) -> None:
    track = _procedural("tagged")

    tags = client.track_top_tags(artist=track.artists[0].name.lower(), track=track.name)

    assert 3 <= len(tags) <= 10
    assert {name for name, _ in tags} & set(data.MOOD_TAGS[track.mood])


def test_unknown_tracks_and_artists_raise_not_found(client: LastfmClient) -> None:
    track = _procedural("unknown")

    with pytest.raises(LastfmNotFound) as unknown:
        client.track_top_tags(artist=track.artists[0].name, track=track.name)
    with pytest.raises(LastfmNotFound):
        client.artist_top_tags(artist="Nobody At All")
    with pytest.raises(LastfmNotFound):
        client.track_top_tags(artist="", track="Untitled")  # not even asked
    assert unknown.value.code == 6


def test_the_real_listeners_songs_mostly_have_tags(client: LastfmClient, music_moods_csv) -> None:
    songs = [catalogue.track(index) for index in catalogue.user("real").liked[:40]]

    tagged = 0
    for song in songs:
        with contextlib.suppress(LastfmNotFound):
            tagged += bool(client.track_top_tags(artist=song.artists[0].name, track=song.name))
    assert tagged >= 30


# Errors ----------------------------------------------------------------------------------------


def test_error_29_raises_rate_limited(client: LastfmClient, lastfm: LastfmStandIn) -> None:
    lastfm.force_errors(count=1, code=29)

    with pytest.raises(LastfmRateLimited) as limited:
        client.artist_top_tags(artist="Mara Lind")

    assert limited.value.code == 29
    assert client.artist_top_tags(artist="Mara Lind")  # the next request is answered


def test_an_invalid_key_raises_invalid_key(lastfm: LastfmStandIn, settings) -> None:
    settings.LASTFM_API_KEY = "not-a-valid-key"

    with lastfm_client() as client, pytest.raises(LastfmInvalidKey) as invalid:
        client.artist_top_tags(artist="Mara Lind")

    assert invalid.value.code == 10
    assert "not-a-valid-key" not in str(invalid.value)


def test_a_suspended_key_is_an_invalid_key(client: LastfmClient, lastfm: LastfmStandIn) -> None:
    lastfm.force_errors(code=26)

    with pytest.raises(LastfmInvalidKey):
        client.artist_top_tags(artist="Mara Lind")


@pytest.mark.parametrize(("code", "http_status"), [(11, None), (16, None), (None, 503)])
def test_outages_raise_unavailable(
    client: LastfmClient, lastfm: LastfmStandIn, code, http_status
) -> None:
    lastfm.force_errors(code=code, http_status=http_status)

    with pytest.raises(LastfmUnavailable):
        client.artist_top_tags(artist="Mara Lind")


def test_an_unreachable_service_raises_unavailable(caplog) -> None:
    client = LastfmClient(api_key="secret-key-123", api_url="http://127.0.0.1:9/2.0/", max_rps=0)

    with caplog.at_level(logging.DEBUG), pytest.raises(LastfmUnavailable) as down:
        client.artist_top_tags(artist="Mara Lind")

    assert "secret-key-123" not in str(down.value)
    assert "secret-key-123" not in str(down.value.__cause__)
    assert "secret-key-123" not in caplog.text


def test_other_errors_are_lastfm_errors(client: LastfmClient, lastfm: LastfmStandIn) -> None:
    lastfm.force_errors(code=2)

    with pytest.raises(LastfmError) as failed:
        client.artist_top_tags(artist="Mara Lind")

    assert type(failed.value) is LastfmError
    assert failed.value.code == 2


def test_the_key_is_never_in_a_url_or_a_log(
    client: LastfmClient, lastfm: LastfmStandIn, caplog
) -> None:
    urls: list[str] = []
    client.session.hooks["response"].append(lambda response, **kwargs: urls.append(response.url))

    with caplog.at_level(logging.DEBUG, logger="library.lastfm"):
        client.artist_top_tags(artist="Mara Lind")
        lastfm.force_errors(code=29)
        with pytest.raises(LastfmRateLimited):
            client.artist_top_tags(artist="Mara Lind")

    assert urls
    assert all(lastfm.api_key not in url for url in urls)
    assert lastfm.api_key not in caplog.text
    assert "lastfm artist.getTopTags" in caplog.text


# The limiter -----------------------------------------------------------------------------------


def test_at_most_five_requests_start_in_any_second(lastfm: LastfmStandIn, settings) -> None:
    settings.LASTFM_MAX_RPS = 5
    sent: list[float] = []
    with lastfm_client() as client:
        original_send = client.session.send

        def timed_send(request: requests.PreparedRequest, **kwargs) -> requests.Response:
            sent.append(time.monotonic())
            return original_send(request, **kwargs)

        client.session.send = timed_send
        started = time.monotonic()
        for _ in range(12):
            client.artist_top_tags(artist="Mara Lind")
        elapsed = time.monotonic() - started

    assert len(sent) == 12
    for first, sixth in zip(sent, sent[5:], strict=False):
        assert sixth - first >= 0.99, "six requests started within one second"
    assert 1.9 <= elapsed < 5  # 12 requests at 5/s: two full windows, not one request a second


def test_the_limiter_is_shared_by_threads_and_never_exceeds_the_rate() -> None:
    now = [0.0]
    starts: list[float] = []

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(5, clock=lambda: now[0], sleep=sleep)
    for _ in range(23):
        limiter.wait()
        starts.append(now[0])

    assert starts[:5] == [0.0] * 5
    assert starts[5:10] == [1.0] * 5
    assert all(b - a >= 1.0 for a, b in zip(starts, starts[5:], strict=False))


@pytest.mark.parametrize(("rate", "burst", "gap"), [(2.5, 2, 1.0), (0.5, 1, 2.0), (1, 1, 1.0)])
def test_fractional_rates_stay_under_the_rate(rate: float, burst: int, gap: float) -> None:
    now = [0.0]
    limiter = RateLimiter(
        rate, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s)
    )
    starts = []
    for _ in range(6):
        limiter.wait()
        starts.append(now[0])

    assert all(b - a >= gap for a, b in zip(starts, starts[burst:], strict=False))


def test_a_zero_rate_means_no_limiter() -> None:
    limiter = RateLimiter(0, sleep=lambda s: pytest.fail("slept"))
    assert [limiter.wait() for _ in range(50)] == [0.0] * 50


# Parsing quirks --------------------------------------------------------------------------------


def test_one_tag_as_an_object_and_counts_as_strings_are_read() -> None:
    one = {"toptags": {"tag": {"name": " rock ", "count": "87", "url": "u"}, "@attr": {}}}
    none = {"toptags": {"@attr": {"artist": "x"}}}
    odd = {"toptags": {"tag": [{"name": "", "count": 5}, {"name": "jazz", "count": "n/a"}]}}

    assert _tags(one) == [("rock", 87)]
    assert _tags(none) == []
    assert _tags(odd) == [("jazz", 0)]
    with pytest.raises(LastfmError):
        _tags({"similartracks": {}})
