"""Library sync upserts: Spotify tracks, artists and a user's library entries, written in bulk.

Idempotent: a page that changes nothing writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from library.models import Artist, LibraryEntry, Track
from spotify import client as spotify

TRACK_FIELDS = ("name", "artist_names", "album_name", "image_url", "duration_ms", "uri", "isrc")
CHUNK = 500


def _artist_ids(tracks: Iterable[spotify.TrackData]) -> dict[str, int]:
    wanted = {artist.spotify_id: artist.name for track in tracks for artist in track.artists}
    if not wanted:
        return {}
    known = {a.spotify_id: a for a in Artist.objects.filter(spotify_id__in=wanted)}
    Artist.objects.bulk_create(
        [Artist(spotify_id=sid, name=name) for sid, name in wanted.items() if sid not in known],
        ignore_conflicts=True,
    )
    renamed = [a for sid, a in known.items() if a.name != wanted[sid]]
    for artist in renamed:
        artist.name = wanted[artist.spotify_id]
    if renamed:
        Artist.objects.bulk_update(renamed, ["name"])
    return dict(Artist.objects.filter(spotify_id__in=wanted).values_list("spotify_id", "pk"))


def _track_values(track: spotify.TrackData) -> dict[str, Any]:
    return {
        "name": track.name,
        "artist_names": track.artist_names[:500],
        "album_name": track.album_name,
        "image_url": track.image_url,
        "duration_ms": track.duration_ms,
        "uri": track.uri,
        "isrc": track.isrc,
    }


def upsert_tracks(tracks: Iterable[spotify.TrackData]) -> dict[str, int]:
    """Create or update tracks (and their artists); returns Spotify id → Track pk."""
    unique = {track.spotify_id: track for track in tracks}
    if not unique:
        return {}
    known = {t.spotify_id: t for t in Track.objects.filter(spotify_id__in=unique)}
    Track.objects.bulk_create(
        [
            Track(spotify_id=sid, **_track_values(track))
            for sid, track in unique.items()
            if sid not in known
        ],
        ignore_conflicts=True,
    )
    now = timezone.now()
    changed, relink = [], set()
    for sid, row in known.items():
        values = _track_values(unique[sid])
        if any(getattr(row, name) != value for name, value in values.items()):
            if row.artist_names != values["artist_names"]:
                relink.add(sid)
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = now
            changed.append(row)
    if changed:
        Track.objects.bulk_update(changed, [*TRACK_FIELDS, "updated_at"])
    ids = dict(Track.objects.filter(spotify_id__in=unique).values_list("spotify_id", "pk"))
    relink |= {sid for sid in unique if sid not in known}
    if relink:
        _link_artists([unique[sid] for sid in relink], ids)
    return ids


def _link_artists(tracks: list[spotify.TrackData], track_ids: dict[str, int]) -> None:
    artist_ids = _artist_ids(tracks)
    through = Track.artists.through
    pks = [track_ids[track.spotify_id] for track in tracks]
    wanted = {
        (track_ids[track.spotify_id], artist_ids[artist.spotify_id])
        for track in tracks
        for artist in track.artists
    }
    existing = set(through.objects.filter(track_id__in=pks).values_list("track_id", "artist_id"))
    stale = existing - wanted
    for track_id, artist_id in stale:
        through.objects.filter(track_id=track_id, artist_id=artist_id).delete()
    through.objects.bulk_create(
        [through(track_id=t, artist_id=a) for t, a in wanted - existing], ignore_conflicts=True
    )


def upsert_entries(
    *, user_id: int, track_ids: dict[str, int], values: dict[str, dict[str, Any]]
) -> int:
    """Set fields on the user's entries for these tracks (creating them); returns rows written.

    `last_played_at` only ever moves forward.
    """
    pks = {track_ids[sid]: fields for sid, fields in values.items() if sid in track_ids}
    known = {e.track_id: e for e in LibraryEntry.objects.filter(user_id=user_id, track_id__in=pks)}
    now = timezone.now()
    created, changed, touched = [], [], set()
    for track_id, fields in pks.items():
        entry = known.get(track_id)
        if entry is None:
            created.append(LibraryEntry(user_id=user_id, track_id=track_id, **fields))
            continue
        dirty = False
        for name, value in fields.items():
            current = getattr(entry, name)
            if name == "last_played_at" and current is not None and value <= current:
                continue
            if current != value:
                setattr(entry, name, value)
                touched.add(name)
                dirty = True
        if dirty:
            entry.updated_at = now
            changed.append(entry)
    LibraryEntry.objects.bulk_create(created, ignore_conflicts=True)
    if changed:
        LibraryEntry.objects.bulk_update(changed, [*sorted(touched), "updated_at"])
    return len(created) + len(changed)


def clear_flag(
    *, user_id: int, flag: str, keep: set[int], also: dict[str, Any] | None = None
) -> int:
    """Unset `flag` on the user's entries whose track is not in `keep`."""
    flagged = LibraryEntry.objects.filter(user_id=user_id, **{flag: True})
    stale = [pk for pk, track_id in flagged.values_list("pk", "track_id") if track_id not in keep]
    updates = {flag: False, "updated_at": timezone.now(), **(also or {})}
    for start in range(0, len(stale), CHUNK):
        LibraryEntry.objects.filter(pk__in=stale[start : start + CHUNK]).update(**updates)
    return len(stale)
