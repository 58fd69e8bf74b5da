"""The one Spotify error hierarchy: spotipy's exceptions mapped to ours."""

from __future__ import annotations

import spotipy

from spotify import errors


def test_spotipy_exception_mapping() -> None:
    error = spotipy.SpotifyException(429, -1, "u:\n slow", headers={"Retry-After": "9"})
    mapped = errors._from_spotipy(error)
    assert isinstance(mapped, errors.SpotifyRateLimited)
    assert mapped.retry_after == 9
    assert str(mapped) == "slow"
    missing = errors._from_spotipy(spotipy.SpotifyException(429, -1, "x", headers={}))
    assert missing.retry_after == errors.DEFAULT_RETRY_AFTER
