"""Playback and saving: which songs Spotify can play, and saving a recommendation to the user's
Spotify as a private playlist (idempotently)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from core.exceptions import ApplicationError
from recommendations.models import Recommendation
from spotify import client as spotify

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SavedPlaylist:
    playlist_id: str
    created: bool
    track_count: int

    @property
    def open_url(self) -> str:
        return f"https://open.spotify.com/playlist/{self.playlist_id}"

    @property
    def demo(self) -> bool:
        return spotify_is_stand_in()


def spotify_is_stand_in() -> bool:
    """Whether "Spotify" is the local stand-in (demo mode): its ids are made up, but for its real
    songs, so Spotify's player and links don't know them."""
    return "/spotify-sandbox" in settings.SPOTIFY_API_BASE_URL


@lru_cache(maxsize=4)
def _real_track_check(path: str) -> Callable[[str], object]:
    return import_string(path)


def tracks_playable(spotify_ids: Iterable[str]) -> set[str]:
    """The ids among `spotify_ids` that Spotify's embed player and open.spotify.com know: all of
    them with real Spotify; with the stand-in, only its real songs (SPOTIFY_STAND_IN_REAL_TRACK)."""
    ids = set(spotify_ids)
    if not spotify_is_stand_in():
        return ids
    path = getattr(settings, "SPOTIFY_STAND_IN_REAL_TRACK", "")
    if not path:
        return set()
    is_real = _real_track_check(path)
    return {spotify_id for spotify_id in ids if is_real(spotify_id)}


def _names(recommendation: Recommendation, count: int) -> tuple[str, str]:
    when = timezone.localtime(recommendation.created_at)
    verb = "match" if recommendation.strategy == "match" else "lift"
    if recommendation.cold_start:
        # Exploratory picks don't fit a mood yet: don't name the playlist after one.
        name = f"Moodtrack · songs to explore · {when:%d %b %Y}"
    else:
        name = f"Moodtrack · {recommendation.emotion} ({verb}) · {when:%d %b %Y}"
    description = (
        f"{count} songs Moodtrack picked from your library to {verb} a "
        f"{recommendation.emotion} mood."
    )
    return name, description


def recommendation_save_to_spotify(
    *, recommendation: Recommendation, user: Any, client: spotify.SpotifyClient | None = None
) -> SavedPlaylist:
    """Create a private playlist with the recommendation's songs, once.

    The playlist id is stored right after the playlist exists, so a save interrupted between
    creating it and adding the songs finishes on the next attempt instead of making another one;
    a playlist the user deleted in Spotify is made again.
    """
    if recommendation.user_id != user.pk:
        raise ApplicationError("This list of songs is not yours.", status_code=404)
    items = recommendation.items.select_related("track").order_by("position")
    uris = [item.track.uri or f"spotify:track:{item.track.spotify_id}" for item in items]
    if not uris:
        raise ApplicationError("This list has no songs to save.")
    own_client = client is None
    client = client or spotify.client_for(user)
    try:
        return _save(recommendation=recommendation, user=user, client=client, uris=uris)
    finally:
        if own_client:
            client.close()


def _save(
    *, recommendation: Recommendation, user: Any, client: spotify.SpotifyClient, uris: list[str]
) -> SavedPlaylist:
    existing = recommendation.spotify_playlist_id
    if existing:
        try:
            found = spotify.PlaylistRef.from_json(spotify.get_playlist(client, existing))
        except spotify.SpotifyNotFound:
            logger.info("recommendation %s: its playlist is gone, saving again", recommendation.pk)
        else:
            if found.total < len(uris):
                spotify.add_tracks_to_playlist(client, existing, uris[found.total :])
            return SavedPlaylist(existing, created=False, track_count=len(uris))

    name, description = _names(recommendation, len(uris))
    playlist = spotify.create_playlist_with_tracks(user, name, description, [], client=client)
    claimed = Recommendation.objects.filter(
        pk=recommendation.pk, spotify_playlist_id=existing
    ).update(spotify_playlist_id=playlist["id"])
    if not claimed:
        # A concurrent save won the race; keep its playlist.
        recommendation.refresh_from_db(fields=["spotify_playlist_id"])
        return SavedPlaylist(
            recommendation.spotify_playlist_id, created=False, track_count=len(uris)
        )
    recommendation.spotify_playlist_id = playlist["id"]
    spotify.add_tracks_to_playlist(client, playlist["id"], uris)
    logger.info(
        "recommendation %s saved as a %s-track playlist for user %s",
        recommendation.pk, len(uris), user.pk,
    )  # fmt: skip
    return SavedPlaylist(playlist["id"], created=True, track_count=len(uris))
