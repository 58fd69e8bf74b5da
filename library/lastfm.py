"""The one seam to Last.fm: a track's and an artist's top tags, over `requests`.

Not pylast (7.2.0 checked): its `_Request` always sends to f"https://{host}" — `ws_server` is a
(host, path) pair and the scheme is fixed — so it cannot reach a plain-http stand-in without
patching its internals; it reads only XML (never sends `format=json`); it opens a new httpx2 client
with fixed timeouts for every call and pulls in httpx2/httpcore2/anyio/truststore; its limiter is
an unlocked 0.2 s sleep per network object; and every service error is one `WSError` with the code
as a string. What we need is two read-only methods, so this module is a thin client of our own.

Requests are POSTed (Last.fm accepts every method as POST), so the API key never appears in a URL,
an access log or an exception message; it is never logged. A limiter shared by every client of a
process keeps to LASTFM_MAX_RPS requests in any one-second window (Last.fm's terms: 5). A client
holds a `requests.Session`: use one per thread, and close it (or use it as a context manager).
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from django.conf import settings

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://ws.audioscrobbler.com/2.0/"
DEFAULT_MAX_RPS = 5.0
DEFAULT_TIMEOUT = (5.0, 10.0)  # seconds to connect, to read
USER_AGENT = "Moodtrack/0.1 (mood-based recommendations; library/lastfm.py)"

Tag = tuple[str, int]


class LastfmError(Exception):
    """Last.fm could not answer the question; `code` is Last.fm's error code when it sent one."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class LastfmInvalidKey(LastfmError):
    """Error 10 (invalid API key) or 26 (suspended key): no request will succeed."""


class LastfmRateLimited(LastfmError):
    """Error 29: too many requests; try again later."""


class LastfmNotFound(LastfmError):
    """Error 6: Last.fm does not know the track or the artist."""


class LastfmUnavailable(LastfmError):
    """Network failure, HTTP 5xx, or error 8/11/16: try again later."""


_BY_CODE: dict[int, type[LastfmError]] = {
    6: LastfmNotFound,
    8: LastfmUnavailable,
    10: LastfmInvalidKey,
    11: LastfmUnavailable,
    16: LastfmUnavailable,
    26: LastfmInvalidKey,
    29: LastfmRateLimited,
}


class RateLimiter:
    """At most `max_per_second` starts in any one-second window, across threads (0: no limit)."""

    def __init__(
        self,
        max_per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.max_per_second = max_per_second
        # `burst` starts per `window` seconds, never above the rate: 5/s -> 5 per 1 s, 2.5/s -> 2
        # per 1 s, 0.5/s -> 1 per 2 s.
        self._burst = max(1, int(max_per_second))
        self._window = 1.0 if max_per_second >= 1 else 1 / max_per_second if max_per_second else 0
        self._sent: collections.deque[float] = collections.deque(maxlen=self._burst)
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def wait(self) -> float:
        """Block until a request may start; returns the seconds waited."""
        if self.max_per_second <= 0:
            return 0.0
        with self._lock:
            now = self._clock()
            at = now
            if len(self._sent) == self._burst:
                at = max(now, self._sent[0] + self._window)
            self._sent.append(at)  # reserved: later callers queue behind this slot
        delay = at - now
        if delay > 0:
            self._sleep(delay)
        return max(0.0, delay)


_limiters: dict[tuple[str, float], RateLimiter] = {}
_limiters_lock = threading.Lock()


def _limiter_for(api_url: str, max_per_second: float) -> RateLimiter:
    """The process-wide limiter for one Last.fm endpoint and rate."""
    with _limiters_lock:
        key = (api_url, max_per_second)
        if key not in _limiters:
            _limiters[key] = RateLimiter(max_per_second)
        return _limiters[key]


def _tags(body: dict[str, Any]) -> list[Tag]:
    """(name, count) pairs of a `toptags` answer, most-used first; [] when it has none."""
    top = body.get("toptags")
    if not isinstance(top, dict):
        raise LastfmError("Last.fm answered without `toptags`")
    raw = top.get("tag") or []
    if isinstance(raw, dict):  # Last.fm's XML-to-JSON turns a one-tag list into an object
        raw = [raw]
    if not isinstance(raw, list):
        return []
    tags: list[Tag] = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        name = str(item.get("name") or "").strip()
        if not name:
            continue
        try:
            count = int(float(item.get("count") or 0))
        except (TypeError, ValueError):
            count = 0
        tags.append((name, max(0, min(100, count))))
    return tags


class LastfmClient:
    """Read-only Last.fm web service calls: track and artist top tags."""

    def __init__(
        self,
        *,
        api_key: str,
        api_url: str = DEFAULT_API_URL,
        max_rps: float = DEFAULT_MAX_RPS,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("a Last.fm API key is required")
        self._api_key = api_key
        self.api_url = api_url
        self.max_rps = max_rps
        self.timeout = timeout
        self.limiter = _limiter_for(api_url, max_rps)
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    def __repr__(self) -> str:  # never the key
        return f"LastfmClient(api_url={self.api_url!r}, max_rps={self.max_rps})"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> LastfmClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the two questions
    def track_top_tags(self, *, artist: str, track: str) -> list[Tag]:
        """The track's top tags, most-used first ([] when it has none).

        Raises LastfmNotFound when Last.fm does not know the track.
        """
        if not artist.strip() or not track.strip():
            raise LastfmNotFound("a track needs an artist and a title", code=6)
        body = self._call("track.getTopTags", artist=artist, track=track, autocorrect="1")
        return _tags(body)

    def artist_top_tags(self, *, artist: str) -> list[Tag]:
        """The artist's top tags, most-used first ([] when it has none).

        Raises LastfmNotFound when Last.fm does not know the artist.
        """
        if not artist.strip():
            raise LastfmNotFound("an artist needs a name", code=6)
        return _tags(self._call("artist.getTopTags", artist=artist, autocorrect="1"))

    # -- the wire
    def _call(self, method: str, **params: str) -> dict[str, Any]:
        form = {**params, "method": method, "api_key": self._api_key, "format": "json"}
        waited = self.limiter.wait()
        started = time.monotonic()
        try:
            response = self.session.post(self.api_url, data=form, timeout=self.timeout)
        except requests.RequestException as exc:
            logger.warning("lastfm %s: unreachable (%s)", method, type(exc).__name__)
            raise LastfmUnavailable(f"Last.fm is unreachable ({type(exc).__name__})") from exc
        logger.debug(
            "lastfm %s: HTTP %s in %.3fs (waited %.3fs for the limiter)",
            method,
            response.status_code,
            time.monotonic() - started,
            waited,
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and "error" in body:
            raise self._error(method, body)
        if response.status_code >= 500:
            raise LastfmUnavailable(f"Last.fm answered HTTP {response.status_code}")
        if response.status_code == 429:
            raise LastfmRateLimited("Last.fm answered HTTP 429", code=29)
        if response.status_code >= 400 or not isinstance(body, dict):
            raise LastfmError(f"Last.fm answered HTTP {response.status_code} without JSON")
        return body

    @staticmethod
    def _error(method: str, body: dict[str, Any]) -> LastfmError:
        try:
            code = int(body["error"])
        except (TypeError, ValueError):
            return LastfmError(f"Last.fm answered an unreadable error: {body['error']!r}")
        message = str(body.get("message") or "no message")
        kind = _BY_CODE.get(code, LastfmError)
        if kind is not LastfmNotFound:
            logger.warning("lastfm %s: error %s (%s)", method, code, message)
        return kind(f"Last.fm error {code}: {message}", code=code)


def lastfm_client() -> LastfmClient | None:
    """A client configured from settings, or None when LASTFM_API_KEY is empty (the source is
    off)."""
    api_key = (getattr(settings, "LASTFM_API_KEY", "") or "").strip()
    if not api_key:
        return None
    return LastfmClient(
        api_key=api_key,
        api_url=getattr(settings, "LASTFM_API_URL", "") or DEFAULT_API_URL,
        max_rps=float(getattr(settings, "LASTFM_MAX_RPS", DEFAULT_MAX_RPS)),
    )
