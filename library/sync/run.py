"""One library sync run: read a user's Spotify library, phase by phase, from a checkpoint.

Liked Songs stop being read at the first page that is already known when the counts agree.
Progress is saved after every page ("350 of 1,200"). A 429 pauses the sync: the run records the
pause and raises `LibrarySyncPaused` with the countdown (Retry-After, capped) and a checkpoint, and
the task re-schedules itself; nothing ever sleeps in the worker. Endpoints Spotify closed (403/404)
are skipped with a log line.

Every run starts with `GET /me`: it keeps the listener's current `id` (their own playlists are
told apart by it) and their `account_id` (with which their next sign-in re-keys an association
still keyed by the old `id`). When
Spotify refuses the account itself — `/me` or every part answering 403: not on the app's
allow-list, or the app owner's Premium lapsed — the run ends `failed` (`failure` "refused") with
a sentence saying what the operator must do, and the last-success time stays as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any, cast

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from library.models import LibraryEntry, LibrarySync
from library.playlists import (
    library_playlist_save,
    library_playlists_prune,
    playlist_moods_update,
)
from library.sync.upserts import clear_flag, upsert_entries, upsert_tracks
from spotify import client as spotify
from spotify.tokens import spotify_association, spotify_association_refresh, spotify_display_id

logger = logging.getLogger(__name__)

PHASES = ("liked", "top", "recent", "playlists")
TOP_FIELDS = {"short_term": "top_short", "medium_term": "top_medium", "long_term": "top_long"}
STALE_RUN = dt.timedelta(minutes=15)
MAX_UNAVAILABLE_ATTEMPTS = 8


class LibrarySyncInterrupted(Exception):
    """The sync stopped early and should run again after `countdown` seconds from `checkpoint`."""

    def __init__(self, message: str, *, countdown: int, checkpoint: dict[str, Any]) -> None:
        super().__init__(message)
        self.countdown = countdown
        self.checkpoint = checkpoint


class LibrarySyncPaused(LibrarySyncInterrupted):
    """Spotify answered 429: run again after its Retry-After (capped)."""


class LibrarySyncUnavailable(LibrarySyncInterrupted):
    """Spotify (or, in demo mode, the dev server) did not answer: retry with backoff."""


def _fmt(number: int) -> str:
    return f"{number:,}"


@dataclass
class _Run:
    user_id: int
    sync_id: int
    client: spotify.SpotifyClient
    checkpoint: dict[str, Any]
    spotify_user_id: str = ""
    notes: list[str] = field(default_factory=list)
    processed: int = 0
    total: int = 0
    written: int = 0

    def progress(self, message: str) -> None:
        LibrarySync.objects.filter(pk=self.sync_id).update(
            processed=self.processed,
            total=self.total,
            requests_made=self.client.requests_made,
            message=message[:300],
        )


def _phase_liked(run: _Run) -> None:
    """Liked Songs, newest first; stop at a known page when nothing can have been removed."""
    start = int(run.checkpoint.get("offset", 0)) if run.checkpoint.get("phase") == "liked" else 0
    cap = settings.SPOTIFY_SYNC_MAX_TRACKS
    seen: set[int] = set()
    complete = False
    run.processed = start
    run.checkpoint = {"phase": "liked", "offset": start}
    for page in spotify.iter_saved_track_pages(run.client, offset=start):
        run.total = min(page.total, cap)
        ids = upsert_tracks(saved.track for saved in page.items)
        written = upsert_entries(
            user_id=run.user_id,
            track_ids=ids,
            values={
                s.track.spotify_id: {"liked": True, "liked_at": s.added_at} for s in page.items
            },
        )
        run.written += written
        seen.update(ids[s.track.spotify_id] for s in page.items if s.track.spotify_id in ids)
        run.processed = min(page.offset + page.raw_count, run.total)
        # A pause after this page resumes with the next one.
        run.checkpoint = {"phase": "liked", "offset": page.offset + page.raw_count}
        run.progress(f"Reading your liked songs… {_fmt(run.processed)} of {_fmt(run.total)}")
        if start == 0 and page.offset == 0 and not written:
            liked_here = LibraryEntry.objects.filter(user_id=run.user_id, liked=True).count()
            if liked_here == page.total:
                # Newest first and nothing new on top, same count: nothing was removed either.
                run.processed = run.total
                logger.info("library sync user %s: liked songs unchanged", run.user_id)
                return
        if page.offset + page.raw_count >= cap and page.has_next:
            run.notes.append(f"only your {_fmt(cap)} most recent liked songs were read")
            logger.info("library sync user %s: liked songs capped at %s", run.user_id, cap)
            return
        if not page.has_next:
            complete = True
    if complete and start == 0:
        removed = clear_flag(user_id=run.user_id, flag="liked", keep=seen, also={"liked_at": None})
        run.written += removed


def _phase_top(run: _Run) -> None:
    for time_range, flag in TOP_FIELDS.items():
        run.checkpoint = {"phase": "top"}
        tracks = list(spotify.iter_top_tracks(run.client, time_range))
        ids = upsert_tracks(tracks)
        run.written += upsert_entries(
            user_id=run.user_id, track_ids=ids, values={t.spotify_id: {flag: True} for t in tracks}
        )
        run.written += clear_flag(user_id=run.user_id, flag=flag, keep=set(ids.values()))
        run.progress(f"Reading your top tracks ({time_range.replace('_', ' ')})…")


def _phase_recent(run: _Run) -> None:
    run.checkpoint = {"phase": "recent"}
    latest = LibraryEntry.objects.filter(user_id=run.user_id).aggregate(Max("last_played_at"))
    plays = list(spotify.iter_recently_played(run.client, after=latest["last_played_at__max"]))
    newest: dict[str, spotify.PlayedTrack] = {}
    for play in plays:
        if (
            play.track.spotify_id not in newest
            or play.played_at > newest[play.track.spotify_id].played_at
        ):
            newest[play.track.spotify_id] = play
    ids = upsert_tracks(play.track for play in newest.values())
    run.written += upsert_entries(
        user_id=run.user_id,
        track_ids=ids,
        values={sid: {"recent": True, "last_played_at": p.played_at} for sid, p in newest.items()},
    )
    run.progress("Reading what you played recently…")


def _phase_playlists(run: _Run) -> None:
    """The listener's own (and collaborative) playlists: their tracks join the library, each
    playlist is stored with its tracks, and the playlists' names become mood evidence."""
    run.checkpoint = {"phase": "playlists"}
    playlists = list(spotify.iter_my_playlists(run.client))
    seen: set[int] = set()
    kept: set[str] = set()  # playlists still there and readable (stored ones not listed go)
    complete = True
    for number, playlist in enumerate(playlists, start=1):
        if playlist.owner_id != run.spotify_user_id and not playlist.collaborative:
            # Since 2026 only owners and collaborators may read a playlist's items.
            continue
        kept.add(playlist.spotify_id)
        run.progress(f"Reading your playlists… {number} of {len(playlists)}")
        try:
            tracks = list(spotify.iter_playlist_items(run.client, playlist.spotify_id))
        except (spotify.SpotifyForbidden, spotify.SpotifyNotFound) as error:
            logger.info(
                "library sync user %s: skipped playlist %s (%s %s)",
                run.user_id, playlist.spotify_id, error.status, error,
            )  # fmt: skip
            complete = False  # its stored tracks are kept as they were
            continue
        ids = upsert_tracks(tracks)
        run.written += upsert_entries(
            user_id=run.user_id, track_ids=ids, values={sid: {"playlist": True} for sid in ids}
        )
        library_playlist_save(
            user_id=run.user_id,
            spotify_id=playlist.spotify_id,
            name=playlist.name,
            track_ids=ids.values(),
        )
        seen.update(ids.values())
    library_playlists_prune(user_id=run.user_id, keep=kept)
    if complete:
        run.written += clear_flag(user_id=run.user_id, flag="playlist", keep=seen)
    playlist_moods_update(user_id=run.user_id)


PHASE_RUNNERS = {
    "liked": _phase_liked,
    "top": _phase_top,
    "recent": _phase_recent,
    "playlists": _phase_playlists,
}


def _claim(user_id: int, *, resuming: bool) -> LibrarySync | None:
    """Mark the sync running; None when another run is already under way."""
    now = timezone.now()
    with transaction.atomic():
        sync, _ = LibrarySync.objects.select_for_update().get_or_create(user_id=user_id)
        busy = sync.status == LibrarySync.Status.RUNNING and sync.started_at is not None
        if busy and not resuming and now - cast(dt.datetime, sync.started_at) < STALE_RUN:
            return None
        sync.status = LibrarySync.Status.RUNNING
        sync.started_at = now
        sync.resume_at = None
        sync.message = "Starting…"
        if not resuming:
            sync.processed = sync.total = sync.requests_made = 0
        sync.save()
    return sync


def refused_message(error: spotify.SpotifyForbidden) -> str:
    """What the library page and the admin say when Spotify refuses the whole account."""
    said = f"Spotify answered 403 to every request: “{str(error)[:90]}”."
    if not error.account_refused:
        return (
            f"{said} Sign in with Spotify again and agree to every permission "
            "Moodtrack asks for. Your library is kept."
        )
    if error.owner_lapsed:
        return (
            f"{said} This server's Spotify app is switched off until its owner's "
            "Premium subscription is active again; staff see it in the admin. Your library is kept."
        )
    return (
        f"{said} This Spotify account is not on the app's allow-list: the operator "
        "must add it in Spotify's Developer Dashboard → User Management (5 users at most). "
        "Your library is kept."
    )


def _finish(sync: LibrarySync, status: str, message: str, **fields: Any) -> LibrarySync:
    now = timezone.now()
    sync.status = status
    sync.message = message[:300]
    sync.finished_at = now
    sync.failure = fields.pop("failure", LibrarySync.Failure.NONE)
    for name, value in fields.items():
        setattr(sync, name, value)
    if status == LibrarySync.Status.DONE:
        sync.last_success_at = now
    sync.track_count = library_size(sync.user_id)
    sync.save()
    return sync


def library_size(user_id: int) -> int:
    sources = Q()
    for name in LibraryEntry.SOURCE_FIELDS:
        sources |= Q(**{name: True})
    return LibraryEntry.objects.filter(sources, user_id=user_id).count()


def library_sync_run(
    *, user_id: int, checkpoint: dict[str, Any] | None = None, attempt: int = 0
) -> LibrarySync:
    """Sync one user's library from `checkpoint` (a phase, and an offset for Liked Songs).

    Raises `LibrarySyncPaused` (429) or `LibrarySyncUnavailable` (network, 5xx) for the task to
    re-schedule; every other outcome is recorded on the user's LibrarySync and returned.
    """
    checkpoint = dict(checkpoint or {})
    sync = _claim(user_id, resuming=bool(checkpoint))
    if sync is None:
        logger.info("library sync user %s: another run is in progress", user_id)
        return LibrarySync.objects.get(user_id=user_id)
    user = get_user_model().objects.get(pk=user_id)
    social = spotify_association(user)
    run: _Run | None = None
    forbidden: list[spotify.SpotifyForbidden] = []
    try:
        client = spotify.client_for(user)
        client.requests_made = sync.requests_made
        run = _Run(
            user_id=user_id,
            sync_id=sync.pk,
            client=client,
            checkpoint=checkpoint,
            spotify_user_id=spotify_display_id(social) if social else "",
        )
        try:
            profile = spotify.current_profile(client)
        except spotify.SpotifyForbidden as error:
            forbidden.append(error)
            raise
        if social is not None:
            social = spotify_association_refresh(social, profile)
            run.spotify_user_id = str(profile.get("id") or spotify_display_id(social))
        first = PHASES.index(checkpoint.get("phase", "liked"))
        phases = PHASES[first:]
        for phase in phases:
            try:
                PHASE_RUNNERS[phase](run)
            except (spotify.SpotifyForbidden, spotify.SpotifyNotFound) as error:
                # Endpoints closed to our app (or scopes the user did not grant): skip, go on.
                logger.warning(
                    "library sync user %s: skipped %s, Spotify answered %s (%s)",
                    user_id, phase, error.status, error,
                )  # fmt: skip
                run.notes.append(f"{phase} skipped (Spotify answered {error.status})")
                if isinstance(error, spotify.SpotifyForbidden):
                    forbidden.append(error)
            run.checkpoint = {}
        if len(forbidden) == len(phases):
            # Nothing at all could be read: not a sync with notes, a refused account.
            raise next((e for e in forbidden if e.account_refused), forbidden[0])
    except spotify.SpotifyRateLimited as error:
        countdown = min(max(1, error.retry_after), settings.SPOTIFY_RETRY_AFTER_MAX_SECONDS)
        resume_at = timezone.now() + dt.timedelta(seconds=countdown)
        reason = " (quota spent)" if error.reason == "QUOTA_EXCEEDED" else ""
        _save_interruption(
            sync,
            run,
            LibrarySync.Status.PAUSED,
            f"Paused: Spotify asked us to wait{reason}. Resuming at "
            f"{timezone.localtime(resume_at):%H:%M} ({countdown} s).",
            resume_at=resume_at,
        )
        logger.info(
            "library sync user %s: rate limited, retry in %ss (Retry-After %s)",
            user_id, countdown, error.retry_after,
        )  # fmt: skip
        raise LibrarySyncPaused(
            str(error), countdown=countdown, checkpoint=_resume_point(run, checkpoint)
        ) from None
    except spotify.SpotifyUnavailable as error:
        if attempt >= MAX_UNAVAILABLE_ATTEMPTS:
            logger.warning("library sync user %s: giving up, Spotify unavailable", user_id)
            return _finish(sync, LibrarySync.Status.FAILED, f"Sync failed: {error}")
        countdown = min(300, 5 * 2**attempt)
        resume_at = timezone.now() + dt.timedelta(seconds=countdown)
        _save_interruption(
            sync,
            run,
            LibrarySync.Status.QUEUED,
            f"Spotify did not answer; trying again in {countdown} s.",
            resume_at=resume_at,
        )
        logger.info("library sync user %s: %s; retry in %ss", user_id, error, countdown)
        raise LibrarySyncUnavailable(
            str(error), countdown=countdown, checkpoint=_resume_point(run, checkpoint)
        ) from None
    except SoftTimeLimitExceeded:
        _save_interruption(sync, run, LibrarySync.Status.QUEUED, "Continuing your sync…")
        raise LibrarySyncInterrupted(
            "time limit", countdown=1, checkpoint=_resume_point(run, checkpoint)
        ) from None
    except spotify.SpotifyReauthRequired as error:
        logger.info("library sync user %s: Spotify sign-in needed", user_id)
        return _finish(sync, LibrarySync.Status.REAUTH, error.user_message)
    except spotify.SpotifyNotConnected as error:
        return _finish(sync, LibrarySync.Status.FAILED, error.user_message)
    except spotify.SpotifyForbidden as error:
        if not forbidden:  # a 403 from a call no phase expected (e.g. a token refresh)
            logger.exception("library sync user %s failed: %s", user_id, error.status)
            return _finish(sync, LibrarySync.Status.FAILED, f"Sync failed: {error}")
        logger.warning(
            "library sync user %s failed: Spotify refused the account (403: %s)", user_id, error
        )
        return _finish(
            sync,
            LibrarySync.Status.FAILED,
            refused_message(error),
            failure=LibrarySync.Failure.REFUSED,
            requests_made=run.client.requests_made if run else sync.requests_made,
        )
    except spotify.SpotifyApiError as error:
        logger.exception("library sync user %s failed: %s", user_id, error.status)
        return _finish(sync, LibrarySync.Status.FAILED, f"Sync failed: {error}")
    finally:
        if run is not None:
            run.client.close()

    _remove_empty_entries(user_id)
    size = library_size(user_id)
    message = f"Synced {_fmt(size)} tracks."
    if run.notes:
        message += " Note: " + "; ".join(run.notes) + "."
    logger.info(
        "library sync user %s done: %s tracks, %s rows written, %s requests",
        user_id, size, run.written, client.requests_made,
    )  # fmt: skip
    done = _finish(
        sync,
        LibrarySync.Status.DONE,
        message,
        processed=run.total,
        total=run.total,
        requests_made=client.requests_made,
    )
    _after_sync(user)
    return done


def _after_sync(user: Any) -> None:
    """Curated evidence by ISRC, queue the Last.fm tag look-up, then tell `library_synced`."""
    from library.evidence import track_moods_curated_for_library
    from library.signals import library_synced
    from library.tags import tags_fetch_request

    track_moods_curated_for_library(user_id=user.pk)
    try:
        tags_fetch_request(user=user, reason="after sync")
    except Exception:  # the sync itself succeeded; the tags are tried again after the next one
        logger.exception("library sync user %s: could not queue the tag fetch", user.pk)
    for receiver, outcome in library_synced.send_robust(sender=None, user=user):
        if isinstance(outcome, Exception):
            logger.error(
                "library sync user %s: %s failed after the sync",
                user.pk,
                getattr(receiver, "__qualname__", receiver),
                exc_info=outcome,
            )


def _resume_point(run: _Run | None, checkpoint: dict[str, Any]) -> dict[str, Any]:
    return dict(run.checkpoint) if run is not None else checkpoint


def _save_interruption(
    sync: LibrarySync, run: _Run | None, status: str, message: str, **fields: Any
) -> None:
    if run is not None:
        fields["requests_made"] = run.client.requests_made
    LibrarySync.objects.filter(pk=sync.pk).update(status=status, message=message[:300], **fields)


def _remove_empty_entries(user_id: int) -> None:
    """Entries left with no source (unliked, out of the tops and playlists) leave the library."""
    empty = Q(user_id=user_id)
    for name in LibraryEntry.SOURCE_FIELDS:
        empty &= Q(**{name: False})
    LibraryEntry.objects.filter(empty).delete()
