"""pytest fixtures for talking to the Last.fm stand-in over real HTTP (a pytest plugin).

`lastfm`: the stand-in served by pytest-django's `live_server`, with Moodtrack's Last.fm settings
pointed at it (so `library.lastfm.lastfm_client()` talks to it), raw-request and error-forcing
helpers. So that a test may look up a whole library quickly, the client's limiter is set to 1,000
requests per second and the stand-in's per-key budget is off; a test that checks either sets
LASTFM_MAX_RPS or LASTFM_SANDBOX_MAX_RPS itself. `music_moods_csv`: the shared real songs, or a
skip (a failure under CI=true) when they are absent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

SANDBOX_KEY = "moodtrack-lastfm-sandbox-key"


@dataclass
class LastfmStandIn:
    """The stand-in on the live server: its URL, a valid key, and helpers for tests."""

    base: str  # http://127.0.0.1:PORT
    api_key: str

    @property
    def url(self) -> str:
        return f"{self.base}/lastfm-sandbox/2.0/"

    def call(self, method: str, *, http_method: str = "GET", **params: str) -> requests.Response:
        """One raw request: the key and format=json are added unless given (None leaves out)."""
        query: dict[str, Any] = {"method": method, "api_key": self.api_key, "format": "json"}
        query.update(params)
        query = {key: value for key, value in query.items() if value is not None}
        with requests.Session() as session:
            if http_method == "POST":
                return session.post(self.url, data=query, timeout=10)
            return session.get(self.url, params=query, timeout=10)

    def force_errors(
        self, *, count: int = 1, code: int | None = 29, http_status: int | None = None
    ) -> None:
        """The next `count` requests get Last.fm error `code` (or the bare HTTP status)."""
        from lastfm_sandbox import services

        services.errors_force(count=count, code=code, http_status=http_status)


@pytest.fixture
def lastfm(
    live_server: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LastfmStandIn]:
    """The stand-in over real HTTP; Moodtrack's Last.fm settings point at it for this test."""
    base = live_server.url.replace("localhost", "127.0.0.1")
    settings.LASTFM_SANDBOX_ENABLED = True
    settings.LASTFM_SANDBOX_API_KEYS = [SANDBOX_KEY]
    settings.LASTFM_SANDBOX_MAX_RPS = 0
    stand_in = LastfmStandIn(base=base, api_key=SANDBOX_KEY)
    settings.LASTFM_API_URL = stand_in.url
    settings.LASTFM_API_KEY = SANDBOX_KEY
    settings.LASTFM_MAX_RPS = 1000
    # Close every HTTP session the test opened (a kept-alive connection would hold a live-server
    # thread past the test), as the Spotify stand-in's `sandbox` fixture does.
    opened: list[requests.Session] = []
    original_init = requests.Session.__init__

    def tracked_init(self: requests.Session, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(requests.Session, "__init__", tracked_init)
    yield stand_in
    for session in opened:
        session.close()


@pytest.fixture
def music_moods_csv(settings: Any) -> Path:
    """../shared/data/music_moods/tracks.csv (MUSIC_MOODS_CSV): skip without it, fail under CI."""
    path = Path(settings.MUSIC_MOODS_CSV)
    if not path.is_file():
        message = f"the shared real songs are absent: {path} (../shared/data/music_moods)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {message}")
        pytest.skip(message)
    return path
