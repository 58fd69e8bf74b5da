"""Curators' work: import a Spotify playlist as a mood playlist, set moods, check the rules."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.exceptions import ApplicationError
from library.evidence import track_moods_sync_curated
from library.models import Artist, Mood, MoodPlaylist, MoodPlaylistTrack, Track
from ml.labels import EMOTIONS
from recommendations.models import EmotionMoodRule, Strategy
from spotify import client as spotify
from spotify.tokens import spotify_association, spotify_display_id

logger = logging.getLogger(__name__)

ImportStatus = MoodPlaylist.ImportStatus
# Progress is written to the playlist every this many tracks (the admin page polls it).
PROGRESS_EVERY = 50
MAX_IMPORT_TRACKS = 10_000


# Emotion → mood rules --------------------------------------------------------------------------


def rule_coverage_problems(rules: Iterable[tuple[str, str, float]]) -> list[str]:
    """What is wrong with a set of (emotion, strategy, weight) rules; empty when nothing is.

    Every emotion needs, for every strategy, at least one target mood with a weight above 0 —
    otherwise a reading with that emotion would have nothing to recommend for.
    """
    covered = {(emotion, strategy) for emotion, strategy, weight in rules if weight > 0}
    problems = []
    for strategy in Strategy:
        missing = [emotion for emotion in EMOTIONS if (emotion, strategy.value) not in covered]
        if missing:
            problems.append(
                f'"{strategy.label}" has no mood with a weight above 0 for: {", ".join(missing)}.'
            )
    return problems


def rule_coverage_after(
    *,
    changed: dict[int, tuple[str, str, float] | None] | None = None,
    added: Iterable[tuple[str, str, float]] = (),
) -> list[str]:
    """Coverage problems once rows are changed (pk → new values, None = deleted) and added."""
    changed = changed or {}
    rules = {
        pk: (emotion, strategy, weight)
        for pk, emotion, strategy, weight in EmotionMoodRule.objects.values_list(
            "pk", "emotion", "strategy", "weight"
        )
    }
    for pk, values in changed.items():
        if values is None:
            rules.pop(pk, None)
        else:
            rules[pk] = values
    return rule_coverage_problems([*rules.values(), *added])


# Mood playlists ---------------------------------------------------------------------------------


def playlist_track_ids(*, playlist_ids: Iterable[int]) -> set[int]:
    return set(
        MoodPlaylistTrack.objects.filter(playlist_id__in=list(playlist_ids)).values_list(
            "track_id", flat=True
        )
    )


def curated_evidence_refresh(*, track_ids: Iterable[int]) -> int:
    """Bring the tracks' curated mood evidence in line with the playlists they are in now."""
    track_ids = set(track_ids)
    if not track_ids:
        return 0
    return track_moods_sync_curated(track_ids=track_ids)


@transaction.atomic
def mood_playlists_set_mood(*, playlist_ids: Iterable[int], mood: str) -> int:
    """Give playlists a new mood and move their tracks' curated evidence with it."""
    if mood not in Mood.values:
        raise ApplicationError(f"Unknown mood {mood!r}.", extra={"mood": mood})
    playlist_ids = list(playlist_ids)
    updated = MoodPlaylist.objects.filter(pk__in=playlist_ids).update(
        mood=mood, updated_at=timezone.now()
    )
    curated_evidence_refresh(track_ids=playlist_track_ids(playlist_ids=playlist_ids))
    return updated


def _csv_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def mood_playlists_csv(*, playlist_ids: Iterable[int]) -> str:
    """One row per track of each playlist: playlist, mood, position and the track's details."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["playlist", "mood", "spotify_playlist_id", "position", "track", "artists", "album",
         "spotify_track_id", "uri"]
    )  # fmt: skip
    entries = (
        MoodPlaylistTrack.objects.filter(playlist_id__in=list(playlist_ids))
        .select_related("playlist", "track")
        .order_by("playlist__name", "playlist_id", "position", "id")
    )
    for entry in entries:
        playlist, track = entry.playlist, entry.track
        writer.writerow(
            [
                _csv_cell(value)
                for value in (
                    playlist.name,
                    playlist.mood,
                    playlist.spotify_playlist_id,
                    entry.position,
                    track.name,
                    track.artist_names,
                    track.album_name,
                    track.spotify_id,
                    track.uri,
                )
            ]
        )
    return out.getvalue()


# Import from Spotify ----------------------------------------------------------------------------

# What a curator reads when Spotify answers 403 or 404 for a playlist.
REFUSED_MESSAGE = "Spotify won't show this playlist: it is not yours or not public."
NOT_CONNECTED_MESSAGE = (
    "Connect your Spotify account first (on your profile page): the import reads the "
    "playlist as you, so it must be yours or one you collaborate on."
)
# The most playlists the import form lists (Spotify pages them 50 at a time).
MAX_LISTED_PLAYLISTS = 500


@dataclass(frozen=True)
class CuratorPlaylists:
    """The playlists a curator may import: their own and those they collaborate on.

    `connected` is False without a Spotify connection; `problem` says why the list is missing
    when Spotify could not be read (the curator can still paste a link).
    """

    connected: bool
    playlists: list[spotify.PlaylistRef] = field(default_factory=list)
    problem: str = ""


def curator_playlists(*, user: User) -> CuratorPlaylists:
    """The curator's own Spotify playlists (name order), read now with their token."""
    social = spotify_association(user)
    if social is None:
        return CuratorPlaylists(connected=False)
    found: list[spotify.PlaylistRef] = []
    client = None
    try:
        client = spotify.client_for(user)
        for ref in spotify.iter_my_playlists(client):
            # Followed playlists of others show in the list too; Spotify won't give their tracks.
            if ref.owner_id == spotify_display_id(social) or ref.collaborative:
                found.append(ref)
            if len(found) >= MAX_LISTED_PLAYLISTS:
                break
    except spotify.SpotifyNotConnected:
        return CuratorPlaylists(connected=False)
    except spotify.SpotifyAuthError as exc:
        return CuratorPlaylists(connected=True, problem=exc.user_message)
    except spotify.SpotifyError as exc:
        logger.warning("curator %s: playlists not listed (%s)", user.pk, type(exc).__name__)
        return CuratorPlaylists(
            connected=True,
            problem="Spotify could not list your playlists just now: paste a playlist's link "
            "instead, or reload the page in a minute.",
        )
    finally:
        if client is not None:
            client.session.close()
    found.sort(key=lambda ref: (ref.name.casefold(), ref.spotify_id))
    return CuratorPlaylists(connected=True, playlists=found)


def _set_import_state(playlist_id: int, status: str, message: str) -> None:
    MoodPlaylist.objects.filter(pk=playlist_id).update(
        import_status=status, import_message=message[:300], updated_at=timezone.now()
    )


def _items_readable(details: dict[str, Any]) -> bool:
    """Whether the playlist object carries its items page (Spotify includes it only for the
    owner and collaborators; `tracks` is the name before 2026)."""
    return isinstance(details.get("items"), dict) or isinstance(details.get("tracks"), dict)


def _playlist_check(user: User, spotify_id: str) -> dict[str, Any] | None:
    """The playlist object when the curator may read its tracks; None when Spotify could not be
    asked just now (the worker tries again). Raises ApplicationError when Spotify refuses."""
    client = None
    try:
        client = spotify.client_for(user)
        details = spotify.get_playlist(client, spotify_id)
        if not _items_readable(details):
            # A public playlist of someone else: its object is shown, its tracks are not (403).
            next(spotify.iter_playlist_items(client, spotify_id), None)
        return details
    except (spotify.SpotifyForbidden, spotify.SpotifyNotFound) as exc:
        raise ApplicationError(
            REFUSED_MESSAGE, extra={"field": "playlist", "code": "spotify_refused"}
        ) from exc
    except spotify.SpotifyNotConnected as exc:
        raise ApplicationError(
            NOT_CONNECTED_MESSAGE, extra={"code": "spotify_not_connected"}
        ) from exc
    except spotify.SpotifyAuthError as exc:
        raise ApplicationError(exc.user_message, extra={"code": "spotify_reauth"}) from exc
    except spotify.SpotifyError as exc:
        logger.info("mood playlist %s: not checked (%s)", spotify_id, type(exc).__name__)
        return None
    finally:
        if client is not None:
            client.session.close()


@dataclass(frozen=True)
class ImportQueued:
    """A playlist marked queued; `created` when the import made its row (so the worker removes
    it again if Spotify refuses the playlist after all)."""

    playlist: MoodPlaylist
    created: bool


def mood_playlist_import_request(
    *, user: User, playlist_ref: str, mood: str, name: str = ""
) -> ImportQueued:
    """Check with Spotify that the curator may read the playlist (URL, URI or id), then mark it
    queued for import as a mood playlist.

    A playlist Spotify won't show (403/404) raises ApplicationError and leaves no row. Re-importing
    a playlist that is already here refreshes it (and sets the given mood). The caller queues
    `recommendations.tasks.mood_playlist_import_task` for the returned playlist.
    """
    if mood not in Mood.values:
        raise ApplicationError("Pick a mood for the playlist.", extra={"field": "mood"})
    try:
        spotify_id = spotify.parse_playlist_ref(playlist_ref)
    except ValueError as exc:
        raise ApplicationError(str(exc), extra={"field": "playlist"}) from exc
    if spotify_association(user) is None:
        raise ApplicationError(NOT_CONNECTED_MESSAGE, extra={"code": "spotify_not_connected"})
    details = _playlist_check(user, spotify_id) or {}
    return _mood_playlist_mark_queued(
        spotify_id=spotify_id, mood=mood, name=name, spotify_name=str(details.get("name") or "")
    )


@transaction.atomic
def _mood_playlist_mark_queued(
    *, spotify_id: str, mood: str, name: str, spotify_name: str
) -> ImportQueued:
    playlist = (
        MoodPlaylist.objects.select_for_update().filter(spotify_playlist_id=spotify_id).first()
    )
    created = playlist is None
    if playlist is None:
        playlist = MoodPlaylist(spotify_playlist_id=spotify_id)
        playlist.name = (name or spotify_name or f"Spotify {spotify_id}")[:200]
    elif name:
        playlist.name = name[:200]
    playlist.mood = mood
    playlist.import_status = ImportStatus.QUEUED
    playlist.import_message = "Waiting for a worker to start the import."
    playlist.save()
    return ImportQueued(playlist=playlist, created=created)


@transaction.atomic
def _mood_playlist_discard(playlist_id: int) -> bool:
    """Remove a playlist row its own import made, once Spotify refused it; never one with tracks."""
    playlist = MoodPlaylist.objects.select_for_update().filter(pk=playlist_id).first()
    if playlist is None or playlist.entries.exists():
        return False
    playlist.delete()
    return True


def _tracks_upsert(found: list[spotify.TrackData]) -> list[int]:
    """Track ids for Spotify tracks, in order, creating or refreshing Track and Artist rows."""
    by_id = {track.spotify_id: track for track in found}
    existing = {t.spotify_id: t for t in Track.objects.filter(spotify_id__in=list(by_id))}
    fields = ["name", "artist_names", "album_name", "image_url", "duration_ms", "uri", "isrc"]
    changed = []
    for spotify_id, data in by_id.items():
        values = {
            "name": data.name or spotify_id,
            "artist_names": data.artist_names[:500],
            "album_name": data.album_name,
            "image_url": data.image_url,
            "duration_ms": data.duration_ms,
            "uri": data.uri,
            "isrc": data.isrc,
        }
        track = existing.get(spotify_id)
        if track is None:
            existing[spotify_id] = Track.objects.create(spotify_id=spotify_id, **values)
        elif any(getattr(track, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(track, key, value)
            changed.append(track)
    if changed:
        Track.objects.bulk_update(changed, fields)
    artists = {artist.spotify_id: artist for track in found for artist in track.artists}
    rows = {a.spotify_id: a for a in Artist.objects.filter(spotify_id__in=list(artists))}
    for spotify_id, artist in artists.items():
        if spotify_id not in rows:
            rows[spotify_id] = Artist.objects.create(spotify_id=spotify_id, name=artist.name)
    through = Track.artists.through
    through.objects.bulk_create(
        [
            through(track_id=existing[track.spotify_id].pk, artist_id=rows[artist.spotify_id].pk)
            for track in by_id.values()
            for artist in track.artists
        ],
        ignore_conflicts=True,
    )
    return [existing[track.spotify_id].pk for track in found]


def mood_playlist_import(
    *, playlist_id: int, user_id: int, discard_on_refusal: bool = False
) -> MoodPlaylist | None:
    """Read the Spotify playlist with the curator's token and make it the playlist's tracks.

    Spotify failures end in status `failed` with a message for the curator; a rate limit is
    raised (as `SpotifyRateLimited`) for the task to retry later. With `discard_on_refusal` (the
    import made the row), a playlist Spotify won't show (403/404) is removed again: None.
    """
    playlist = MoodPlaylist.objects.get(pk=playlist_id)
    user = User.objects.get(pk=user_id)
    _set_import_state(playlist.pk, ImportStatus.RUNNING, "Reading the playlist from Spotify.")
    found: list[spotify.TrackData] = []
    client = None
    try:
        client = spotify.client_for(user)
        details = spotify.get_playlist(client, playlist.spotify_playlist_id)
        total = spotify.PlaylistRef.from_json(details).total
        for track in spotify.iter_playlist_items(client, playlist.spotify_playlist_id):
            found.append(track)
            if len(found) % PROGRESS_EVERY == 0:
                of_total = f" of {total}" if total else ""
                _set_import_state(
                    playlist.pk, ImportStatus.RUNNING, f"Read {len(found)}{of_total} tracks so far."
                )
            if len(found) >= MAX_IMPORT_TRACKS:
                break
    except spotify.SpotifyRateLimited as exc:
        _set_import_state(
            playlist.pk,
            ImportStatus.QUEUED,
            f"Spotify asked us to slow down; the import starts again in {exc.retry_after} s.",
        )
        raise
    except spotify.SpotifyError as exc:
        logger.warning("mood playlist %s: import failed (%s)", playlist.pk, type(exc).__name__)
        refused = isinstance(exc, spotify.SpotifyForbidden | spotify.SpotifyNotFound)
        if refused and discard_on_refusal and _mood_playlist_discard(playlist.pk):
            return None
        _set_import_state(playlist.pk, ImportStatus.FAILED, f"Import failed: {_failure(exc)}")
        playlist.refresh_from_db()
        return playlist
    except Exception:
        _set_import_state(
            playlist.pk, ImportStatus.FAILED, "Import failed: an unexpected error (see the logs)."
        )
        raise
    finally:
        if client is not None:
            client.session.close()
    skipped = max(0, total - len(found)) if len(found) < MAX_IMPORT_TRACKS else 0
    return _mood_playlist_replace_tracks(
        playlist=playlist,
        name=details.get("name") or "",
        description=details.get("description") or "",
        track_ids=_tracks_upsert(found),
        skipped=skipped,
    )


def _failure(exc: Exception) -> str:
    """What the curator reads when Spotify said no."""
    if isinstance(exc, spotify.SpotifyForbidden | spotify.SpotifyNotFound):
        return REFUSED_MESSAGE
    return getattr(exc, "user_message", "") or "Spotify could not be read. Please try again."


@transaction.atomic
def _mood_playlist_replace_tracks(
    *, playlist: MoodPlaylist, name: str, description: str, track_ids: list[int], skipped: int
) -> MoodPlaylist:
    previous = playlist_track_ids(playlist_ids=[playlist.pk])
    unique = list(dict.fromkeys(track_ids))
    MoodPlaylistTrack.objects.filter(playlist=playlist).delete()
    MoodPlaylistTrack.objects.bulk_create(
        [
            MoodPlaylistTrack(playlist=playlist, track_id=track_id, position=position)
            for position, track_id in enumerate(unique)
        ]
    )
    playlist.refresh_from_db()
    if playlist.name.startswith("Spotify ") and name:
        playlist.name = name[:200]
    if not playlist.description and description:
        playlist.description = description
    notes = []
    if skipped:
        notes.append(f"{skipped} skipped (episodes or local files)")
    if len(unique) < len(track_ids):
        notes.append(f"{len(track_ids) - len(unique)} duplicates merged")
    playlist.import_status = ImportStatus.DONE
    playlist.import_message = (
        f"Imported {len(unique)} track{'s' if len(unique) != 1 else ''}"
        + (f" ({'; '.join(notes)})" if notes else "")
        + f" on {timezone.localtime():%Y-%m-%d %H:%M}."
    )
    playlist.save()
    curated_evidence_refresh(track_ids=previous | set(unique))
    return playlist
