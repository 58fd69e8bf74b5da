"""The one Spotify client: every Web API call Moodtrack makes goes through this module.

spotipy 2.26 with a plain `requests.Session` (so no urllib3 retry adapter sleeps inside a worker),
`sp.prefix` from `settings.SPOTIFY_API_BASE_URL` (Spotify or the local stand-in), timeouts, paging,
and our own handling: 401 → refresh the token once and retry; other failures → the typed errors
of `spotify.errors` (re-exported here, so `spotify.client.SpotifyRateLimited` keeps working).
Endpoint names are the 2026 ones (`/playlists/{id}/items`, `item` entries, `POST /me/playlists`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import requests
import spotipy
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils.dateparse import parse_datetime

from spotify.errors import (
    DEFAULT_RETRY_AFTER,
    SpotifyApiError,
    SpotifyAuthError,
    SpotifyBadRequest,
    SpotifyError,
    SpotifyForbidden,
    SpotifyNotConnected,
    SpotifyNotFound,
    SpotifyRateLimited,
    SpotifyReauthRequired,
    SpotifyTokenEndpointError,
    SpotifyUnavailable,
    _from_spotipy,
)
from spotify.tokens import spotify_access_token

__all__ = [
    "ArtistData",
    "Page",
    "PlayedTrack",
    "PlaylistRef",
    "SavedTrack",
    "SpotifyApiError",
    "SpotifyAuthError",
    "SpotifyBadRequest",
    "SpotifyClient",
    "SpotifyError",
    "SpotifyForbidden",
    "SpotifyNotConnected",
    "SpotifyNotFound",
    "SpotifyRateLimited",
    "SpotifyReauthRequired",
    "SpotifyUnavailable",
    "TrackData",
    "client_for",
    "client_for_token",
    "create_playlist_with_tracks",
    "get_playlist",
    "iter_my_playlists",
    "iter_playlist_items",
    "iter_recently_played",
    "iter_saved_track_pages",
    "iter_saved_tracks",
    "iter_top_tracks",
    "parse_playlist_ref",
]

logger = logging.getLogger(__name__)

PAGE_SIZE = 50  # the largest page Spotify serves on the endpoints we page through
ADD_ITEMS_BATCH = 100
TIME_RANGES = ("short_term", "medium_term", "long_term")
T = TypeVar("T")


class _RedactBearer(logging.Filter):
    """spotipy logs request headers at DEBUG: never let an access token reach a log."""

    pattern = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Bearer" in message:
            record.msg, record.args = self.pattern.sub(r"\1[redacted]", message), ()
        return True


logging.getLogger("spotipy.client").addFilter(_RedactBearer())


# The client -----------------------------------------------------------------------------------


@dataclass
class SpotifyClient:
    """spotipy for one user (or one bare token), counting the HTTP requests it makes."""

    sp: spotipy.Spotify
    session: requests.Session
    user: AbstractBaseUser | None = None
    requests_made: int = 0

    def call(self, operation: Callable[[spotipy.Spotify], T]) -> T:
        """Run one Web API call with our error handling (at most one token refresh)."""
        refreshed = False
        while True:
            try:
                return operation(self.sp)
            except spotipy.SpotifyException as error:
                if error.http_status == 401 and self.user is not None and not refreshed:
                    self.sp.set_auth(_token(self.user, force_refresh=True))
                    refreshed = True
                    continue
                if error.http_status == 401:
                    raise SpotifyReauthRequired(SpotifyReauthRequired.user_message) from None
                raise _from_spotipy(error) from None
            except requests.RequestException as error:
                raise SpotifyUnavailable(
                    f"Spotify could not be reached ({type(error).__name__})."
                ) from None

    def _count(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.requests_made += 1

    def close(self) -> None:
        """Close the HTTP connections it kept open."""
        self.session.close()


def _token(user: AbstractBaseUser, *, force_refresh: bool = False) -> str:
    try:
        return spotify_access_token(user, force_refresh=force_refresh)
    except SpotifyTokenEndpointError as error:
        if error.status == 429:
            raise SpotifyRateLimited(
                str(error), retry_after=error.retry_after or DEFAULT_RETRY_AFTER
            ) from None
        raise SpotifyUnavailable(str(error), status=error.status) from None


def client_for_token(access_token: str, *, user: AbstractBaseUser | None = None) -> SpotifyClient:
    session = requests.Session()
    sp = spotipy.Spotify(
        auth=access_token,
        requests_session=session,
        requests_timeout=settings.SPOTIFY_REQUEST_TIMEOUT,
        retries=0,
        status_retries=0,
    )
    sp.prefix = settings.SPOTIFY_API_BASE_URL.rstrip("/") + "/"
    client = SpotifyClient(sp=sp, session=session, user=user)
    session.hooks["response"].append(client._count)
    return client


def client_for(user: AbstractBaseUser) -> SpotifyClient:
    """A client for `user`'s Spotify account, its token refreshed first when about to expire."""
    return client_for_token(_token(user), user=user)


# What comes back ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArtistData:
    spotify_id: str
    name: str


@dataclass(frozen=True)
class TrackData:
    """The fields of a Spotify track object that Moodtrack stores."""

    spotify_id: str
    name: str
    artists: tuple[ArtistData, ...]
    album_name: str
    image_url: str
    duration_ms: int
    uri: str
    isrc: str

    @property
    def artist_names(self) -> str:
        return ", ".join(artist.name for artist in self.artists)

    @classmethod
    def from_json(cls, obj: dict[str, Any] | None) -> TrackData | None:
        """None for what cannot be stored: a missing track, a local file, an episode."""
        if not obj or obj.get("type", "track") != "track" or obj.get("is_local"):
            return None
        if not obj.get("id"):
            return None
        album = obj.get("album") or {}
        images = album.get("images") or []
        # Images come widest first; a ~300px one is what the pages show.
        image = next((i for i in images if (i.get("width") or 0) <= 320), None) or (
            images[0] if images else None
        )
        return cls(
            spotify_id=obj["id"],
            name=(obj.get("name") or "")[:300],
            artists=tuple(
                ArtistData(a["id"], (a.get("name") or "")[:300])
                for a in obj.get("artists") or []
                if a.get("id")
            ),
            album_name=(album.get("name") or "")[:300],
            image_url=(image or {}).get("url", "")[:500],
            duration_ms=int(obj.get("duration_ms") or 0),
            uri=obj.get("uri") or f"spotify:track:{obj['id']}",
            isrc=((obj.get("external_ids") or {}).get("isrc") or "")[:20],
        )


@dataclass(frozen=True)
class SavedTrack:
    track: TrackData
    added_at: dt.datetime | None


@dataclass(frozen=True)
class PlayedTrack:
    track: TrackData
    played_at: dt.datetime


@dataclass(frozen=True)
class PlaylistRef:
    spotify_id: str
    name: str
    owner_id: str
    collaborative: bool
    public: bool | None
    snapshot_id: str
    total: int

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> PlaylistRef:
        # 2026: `items` ({href, total}) replaced `tracks`; read the old name only as a fallback.
        items = obj.get("items") if isinstance(obj.get("items"), dict) else obj.get("tracks")
        return cls(
            spotify_id=obj["id"],
            name=obj.get("name") or "",
            owner_id=(obj.get("owner") or {}).get("id", ""),
            collaborative=bool(obj.get("collaborative")),
            public=obj.get("public"),
            snapshot_id=obj.get("snapshot_id") or "",
            total=int((items or {}).get("total") or 0),
        )


@dataclass(frozen=True)
class Page:
    """One page of a paged endpoint, its items already parsed."""

    items: list[Any]
    offset: int
    total: int
    raw_count: int = 0
    has_next: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _when(value: str | None) -> dt.datetime | None:
    return parse_datetime(value) if value else None


def _pages(client: SpotifyClient, first: Callable[[spotipy.Spotify], dict]) -> Iterator[dict]:
    page = client.call(first)
    while page:
        yield page
        if not page.get("next"):
            return
        # mypy cannot infer a lambda with a default argument against Callable[[Spotify], T].
        page = client.call(lambda sp, current=page: sp.next(current))  # type: ignore[misc]


# Reads ----------------------------------------------------------------------------------------


def current_profile(client: SpotifyClient) -> dict[str, Any]:
    return client.call(lambda sp: sp.current_user())


def iter_saved_track_pages(client: SpotifyClient, *, offset: int = 0) -> Iterator[Page]:
    """Liked Songs, newest first, a page of up to 50 at a time starting at `offset`."""
    for raw in _pages(
        client, lambda sp: sp.current_user_saved_tracks(limit=PAGE_SIZE, offset=offset)
    ):
        saved = []
        for entry in raw.get("items") or []:
            track = TrackData.from_json(entry.get("track"))
            if track is not None:
                saved.append(SavedTrack(track, _when(entry.get("added_at"))))
        yield Page(
            items=saved,
            offset=int(raw.get("offset") or 0),
            total=int(raw.get("total") or 0),
            raw_count=len(raw.get("items") or []),
            has_next=bool(raw.get("next")),
        )


def iter_saved_tracks(client: SpotifyClient) -> Iterator[SavedTrack]:
    for page in iter_saved_track_pages(client):
        yield from page.items


def iter_top_tracks(client: SpotifyClient, time_range: str = "medium_term") -> Iterator[TrackData]:
    if time_range not in TIME_RANGES:
        raise ValueError(f"time_range must be one of {', '.join(TIME_RANGES)}")
    first = lambda sp: sp.current_user_top_tracks(limit=PAGE_SIZE, time_range=time_range)  # noqa: E731
    for raw in _pages(client, first):
        for obj in raw.get("items") or []:
            track = TrackData.from_json(obj)
            if track is not None:
                yield track


def iter_recently_played(
    client: SpotifyClient, *, after: dt.datetime | None = None
) -> Iterator[PlayedTrack]:
    """Plays newest first; with `after`, only plays after that moment (cursor paging)."""
    after_ms = int(after.timestamp() * 1000) if after else None
    first = lambda sp: sp.current_user_recently_played(limit=PAGE_SIZE, after=after_ms)  # noqa: E731
    for raw in _pages(client, first):
        for entry in raw.get("items") or []:
            track = TrackData.from_json(entry.get("track"))
            played_at = _when(entry.get("played_at"))
            if track is not None and played_at is not None:
                yield PlayedTrack(track, played_at)


def iter_my_playlists(client: SpotifyClient) -> Iterator[PlaylistRef]:
    """Playlists the user owns or follows."""
    for raw in _pages(client, lambda sp: sp.current_user_playlists(limit=PAGE_SIZE)):
        for obj in raw.get("items") or []:
            if obj and obj.get("id"):
                yield PlaylistRef.from_json(obj)


def iter_playlist_items(client: SpotifyClient, playlist_id: str) -> Iterator[TrackData]:
    """The tracks of a playlist the user owns or collaborates on (Spotify answers 403 otherwise)."""
    playlist_id = parse_playlist_ref(playlist_id)
    first = lambda sp: sp.playlist_items(  # noqa: E731
        playlist_id, limit=PAGE_SIZE, additional_types=("track",)
    )
    for raw in _pages(client, first):
        for entry in raw.get("items") or []:
            # 2026: each entry's `track` became `item`.
            track = TrackData.from_json(
                entry.get("item") if "item" in entry else entry.get("track")
            )
            if track is not None:
                yield track


def get_playlist(client: SpotifyClient, playlist_id: str) -> dict[str, Any]:
    """The playlist object (its `items` page is present only for the owner or a collaborator)."""
    playlist_id = parse_playlist_ref(playlist_id)
    return client.call(lambda sp: sp.playlist(playlist_id, additional_types=("track",)))


# Writes ---------------------------------------------------------------------------------------


def add_tracks_to_playlist(client: SpotifyClient, playlist_id: str, track_uris: list[str]) -> str:
    """Append tracks, 100 per request; returns the last snapshot id."""
    snapshot = ""
    for start in range(0, len(track_uris), ADD_ITEMS_BATCH):
        batch = track_uris[start : start + ADD_ITEMS_BATCH]
        # The documented body is {"uris": [...]} (spotipy's own helper posts a bare list).
        # mypy cannot infer a lambda with a default argument against Callable[[Spotify], T].
        result = client.call(
            lambda sp, batch=batch: sp._post(  # type: ignore[misc]
                f"playlists/{playlist_id}/items", payload={"uris": batch}
            )
        )
        snapshot = (result or {}).get("snapshot_id", snapshot)
    return snapshot


def create_playlist_with_tracks(
    user: AbstractBaseUser,
    name: str,
    description: str,
    track_uris: list[str],
    *,
    client: SpotifyClient | None = None,
) -> dict[str, Any]:
    """A new private playlist (`POST /me/playlists`) holding `track_uris`; returns its JSON."""
    client = client or client_for(user)
    playlist = client.call(
        lambda sp: sp.current_user_playlist_create(
            name=name[:100], public=False, description=description[:300]
        )
    )
    if track_uris:
        add_tracks_to_playlist(client, playlist["id"], track_uris)
    return playlist


PLAYLIST_REF = re.compile(
    r"""^(?:
        spotify:(?:user:[^:]+:)?playlist:(?P<uri>[0-9A-Za-z]{22})
      | (?:https?://)?open\.spotify\.com/(?:intl-[a-z-]+/)?(?:user/[^/]+/)?playlist/(?P<url>[0-9A-Za-z]{22})(?:[/?#].*)?
      | (?P<id>[0-9A-Za-z]{22})
    )$""",
    re.VERBOSE,
)


def parse_playlist_ref(url_or_id: str) -> str:
    """The playlist id in an open.spotify.com URL, a spotify:playlist: URI, or a bare id."""
    match = PLAYLIST_REF.match((url_or_id or "").strip())
    if not match:
        raise ValueError(
            "Enter a Spotify playlist link (https://open.spotify.com/playlist/…), "
            "a spotify:playlist:… URI, or a 22-character playlist id."
        )
    return match["uri"] or match["url"] or match["id"]
