"""Spotify Web API JSON shapes (2026 names: playlist `items`/`item`; no deprecated fields)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from spotify_sandbox import catalogue, services
from spotify_sandbox.models import Playlist, PlaylistItem

OPEN_SPOTIFY = "https://open.spotify.com"


@dataclass(frozen=True)
class Links:
    """Absolute URLs on the host the request came to, like Spotify's own `href`/`next` links."""

    root: str  # .../spotify-sandbox/
    # Listener key → its current `id`, for listeners whose id changed (services.listener_rename).
    renamed: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_request(cls, request: HttpRequest) -> Links:
        return cls(
            request.build_absolute_uri(reverse("spotify_sandbox:index")), services.public_ids()
        )

    def user_id(self, spotify_user: str) -> str:
        """The `id` Spotify shows for a listener today (it can change; `account_id` cannot)."""
        return self.renamed.get(spotify_user, spotify_user)

    def api(self, path: str, params: dict[str, object] | None = None) -> str:
        url = f"{self.root}v1/{path.lstrip('/')}"
        return f"{url}?{urlencode(params)}" if params else url

    def image(self, kind: str, spotify_id: str) -> str:
        return f"{self.root}images/{kind}/{spotify_id}.svg"


def timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def simplified_artist(artist: catalogue.Artist, links: Links) -> dict:
    return {
        "external_urls": {"spotify": f"{OPEN_SPOTIFY}/artist/{artist.id}"},
        "href": links.api(f"artists/{artist.id}"),
        "id": artist.id,
        "name": artist.name,
        "type": "artist",
        "uri": artist.uri,
    }


def artist_object(artist: catalogue.Artist, links: Links) -> dict:
    return {**simplified_artist(artist, links), "images": []}


def album_object(album: catalogue.Album, links: Links) -> dict:
    cover = links.image("album", album.id)
    return {
        "album_type": "album",
        "total_tracks": catalogue.TRACKS_PER_ALBUM,
        "external_urls": {"spotify": f"{OPEN_SPOTIFY}/album/{album.id}"},
        "href": links.api(f"albums/{album.id}"),
        "id": album.id,
        "images": [{"url": cover, "height": size, "width": size} for size in (640, 300, 64)],
        "name": album.name,
        "release_date": album.release_date,
        "release_date_precision": "day",
        "type": "album",
        "uri": album.uri,
        "artists": [simplified_artist(album.artist, links)],
    }


def track_object(track: catalogue.Track, links: Links) -> dict:
    return {
        "album": album_object(track.album, links),
        "artists": [simplified_artist(artist, links) for artist in track.artists],
        "disc_number": 1,
        "duration_ms": track.duration_ms,
        "explicit": track.explicit,
        "external_ids": {"isrc": track.isrc},
        "external_urls": {"spotify": f"{OPEN_SPOTIFY}/track/{track.id}"},
        "href": links.api(f"tracks/{track.id}"),
        "id": track.id,
        "is_playable": True,
        "name": track.name,
        "track_number": track.track_number,
        "type": "track",
        "uri": track.uri,
        "is_local": False,
    }


def user_object(person: catalogue.SandboxUser, links: Links) -> dict:
    """`PrivateUserObject` without the deprecated email, country, product and followers."""
    user_id = links.user_id(person.id)
    return {
        "account_id": person.account_id,
        "display_name": person.display_name,
        "external_urls": {"spotify": f"{OPEN_SPOTIFY}/user/{user_id}"},
        "href": links.api(f"users/{user_id}"),
        "id": user_id,
        "images": [],
        "type": "user",
        "uri": f"spotify:user:{user_id}",
    }


def playlist_user(spotify_user: str, links: Links, *, with_name: bool = False) -> dict:
    user_id = links.user_id(spotify_user)
    body = {
        "external_urls": {"spotify": f"{OPEN_SPOTIFY}/user/{user_id}"},
        "href": links.api(f"users/{user_id}"),
        "id": user_id,
        "type": "user",
        "uri": f"spotify:user:{user_id}",
    }
    if with_name:
        person = catalogue.user(spotify_user)
        body["display_name"] = person.display_name if person else None
    return body


@dataclass(frozen=True)
class PlaylistView:
    """A catalogue or created playlist, seen through one interface."""

    id: str
    name: str
    description: str
    owner: str
    public: bool
    collaborative: bool
    collaborators: tuple[str, ...]
    snapshot_id: str
    entries: list[tuple[int, dt.datetime, str]]  # (track index, added_at, added_by)
    image_track: int | None

    def can_read_items(self, user_id: str) -> bool:
        return user_id == self.owner or user_id in self.collaborators

    @classmethod
    def from_spec(cls, spec: catalogue.PlaylistSpec) -> PlaylistView:
        added = catalogue.EPOCH - dt.timedelta(days=30)
        return cls(
            id=spec.id,
            name=spec.name,
            description=spec.description,
            owner=spec.owner,
            public=spec.public,
            collaborative=spec.collaborative,
            collaborators=spec.collaborators,
            snapshot_id=spec.snapshot_id,
            entries=[
                (index, added - dt.timedelta(hours=position), spec.owner)
                for position, index in enumerate(spec.track_indices)
            ],
            image_track=spec.track_indices[0] if spec.track_indices else None,
        )

    @classmethod
    def from_model(cls, playlist: Playlist, snapshot: str) -> PlaylistView:
        items: list[PlaylistItem] = list(playlist.entries.all())
        return cls(
            id=playlist.spotify_id,
            name=playlist.name,
            description=playlist.description,
            owner=playlist.owner,
            public=playlist.public,
            collaborative=playlist.collaborative,
            collaborators=(),
            snapshot_id=snapshot,
            entries=[(item.track_index, item.added_at, item.added_by) for item in items],
            image_track=items[0].track_index if items else None,
        )

    def images(self, links: Links) -> list[dict]:
        if self.image_track is None:
            return []
        album = catalogue.track(self.image_track).album
        return [{"url": links.image("album", album.id), "height": 640, "width": 640}]

    def base(self, links: Links) -> dict:
        return {
            "collaborative": self.collaborative,
            "description": self.description,
            "external_urls": {"spotify": f"{OPEN_SPOTIFY}/playlist/{self.id}"},
            "href": links.api(f"playlists/{self.id}"),
            "id": self.id,
            "images": self.images(links),
            "name": self.name,
            "owner": playlist_user(self.owner, links, with_name=True),
            "public": self.public,
            "snapshot_id": self.snapshot_id,
            "type": "playlist",
            "uri": f"spotify:playlist:{self.id}",
        }

    def simplified(self, links: Links) -> dict:
        return {
            **self.base(links),
            "items": {"href": links.api(f"playlists/{self.id}/items"), "total": len(self.entries)},
        }

    def item_objects(self, links: Links, offset: int, limit: int) -> list[dict]:
        return [
            {
                "added_at": timestamp(added_at),
                "added_by": playlist_user(added_by, links),
                "is_local": False,
                "item": track_object(catalogue.track(index), links),
            }
            for index, added_at, added_by in self.entries[offset : offset + limit]
        ]


def paging(
    links: Links,
    path: str,
    *,
    items: list[dict],
    offset: int,
    limit: int,
    total: int,
    params: dict[str, object] | None = None,
) -> dict:
    """A `PagingObject` with absolute `href`, `next` and `previous` links."""
    params = dict(params or {})

    def at(position: int) -> str:
        return links.api(path, {**params, "offset": position, "limit": limit})

    return {
        "href": at(offset),
        "items": items,
        "limit": limit,
        "next": at(offset + limit) if offset + limit < total else None,
        "offset": offset,
        "previous": at(max(0, offset - limit)) if offset > 0 else None,
        "total": total,
    }


def error(status: int, message: str, reason: str = "") -> dict:
    body: dict[str, object] = {"status": status, "message": message}
    if reason:
        body["reason"] = reason
    return {"error": body}
