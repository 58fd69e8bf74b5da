"""Last.fm tags for a listener's library, read into track mood evidence with our lexicon.

`tags_fetch_run` looks up, in batches, every library track whose tags are missing or older than
LASTFM_TAGS_MAX_AGE_DAYS: `track.getTopTags`, and when the track has no usable tags (none, only
junk, or Last.fm does not know it) `artist.getTopTags` for its first artist (cached per normalised
artist name with the same age). Each batch is stored (TrackTags, ArtistTags), turned into evidence
(source TAGS, or the weaker ARTIST_TAGS) and tag clusters (`Track.tag_cluster`, the genre family
the ranker learns a taste for) and counted on the listener's TagFetch in one transaction, so the
library page shows "Looked up N of M songs" and a run that stops keeps what it did.

Nothing sleeps in the worker: error 29 (rate limit) pauses the run, records when it resumes and
raises `TagFetchPaused` with a countdown (30 s, doubling, at most 15 min) for the task to reschedule
itself; an outage raises `TagFetchUnavailable` a few times, then the run FAILS. The next run skips
the tracks already fetched (their tags are fresh): that is the resumability. Without a key, or
with a key Last.fm refuses, the source is OFF and the page says so. Afterwards the configured
audio-features provider, if any, is asked about the library's tracks it has not described yet.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from library import lastfm
from library.evidence import (
    evidence_replace,
    get_audio_features_provider,
    track_moods_update_from_audio,
)
from library.lexicon import MoodEstimate, moods_from_tags
from library.models import ArtistTags, LibraryEntry, TagFetch, Track, TrackMood, TrackTags
from library.tagclusters import cluster_of_tags

logger = logging.getLogger(__name__)

BATCH_SIZE = 25  # tracks per batch: one progress update and one evidence write each
MIN_SCORE = 0.15  # a mood's share of the distribution below this is not written as evidence
ARTIST_TAGS_FACTOR = 0.5  # an artist's tags say less about one song than the song's own
EVIDENCE_WORDS = 3  # tags named in the song's reason ("melancholy, sad")
BACKOFF_FIRST = 30  # seconds to wait after the first error 29 ...
BACKOFF_MAX = 15 * 60  # ... doubling up to this
MAX_UNAVAILABLE_ATTEMPTS = 4  # retries of an outage before the run fails
STALE_RUN = dt.timedelta(minutes=20)  # a RUNNING row older than this is taken over

OFF_MESSAGE = (
    "Last.fm is not configured (set LASTFM_API_KEY): moods come from your playlists, your quick "
    "sort and curators only."
)
REFUSED_MESSAGE = (
    "Last.fm refused the API key (LASTFM_API_KEY): song tags are off until the key is fixed; "
    "moods come from your playlists, your quick sort and curators only."
)
_STOPPING = (lastfm.LastfmRateLimited, lastfm.LastfmInvalidKey, lastfm.LastfmUnavailable)
ACTIVE_STATUSES = (TagFetch.Status.QUEUED, TagFetch.Status.RUNNING, TagFetch.Status.PAUSED)


class TagFetchInterrupted(Exception):
    """The run stopped early; run again after `countdown` seconds with `attempt`."""

    def __init__(self, message: str, *, countdown: int, attempt: int = 0) -> None:
        super().__init__(message)
        self.countdown = countdown
        self.attempt = attempt


class TagFetchPaused(TagFetchInterrupted):
    """Last.fm answered error 29: back off (30 s, doubling, capped) and resume."""


class TagFetchUnavailable(TagFetchInterrupted):
    """Last.fm did not answer: retry a few times, then the run fails."""


def backoff(attempt: int) -> int:
    """Seconds to wait after the `attempt`-th consecutive interruption (0-based)."""
    return min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** min(attempt, 10))


def artist_key(name: str) -> str:
    """The cache key of an artist name: NFKC, case-folded, spaces collapsed (as Last.fm matches)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", name)).strip().casefold()[:300]


def first_artist(track: Track) -> str:
    """The track's first artist: the linked artist that `artist_names` starts with (so a name
    with a comma, "Tyler, The Creator", stays whole), else the text before the first comma."""
    names = track.artist_names or ""
    linked = [a.name for a in track.artists.all() if a.name and names.startswith(a.name)]
    if linked:
        return max(linked, key=len)
    return names.split(", ")[0].strip()


def _max_age() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "LASTFM_TAGS_MAX_AGE_DAYS", 30))


def _library_track_ids(user_id: int) -> list[int]:
    sources = Q()
    for name in LibraryEntry.SOURCE_FIELDS:
        sources |= Q(**{name: True})
    return list(
        LibraryEntry.objects.filter(sources, user_id=user_id)
        .order_by("track_id")
        .values_list("track_id", flat=True)
        .distinct()
    )


def _fresh_ids(track_ids: Sequence[int], cutoff: dt.datetime) -> set[int]:
    fresh: set[int] = set()
    for start in range(0, len(track_ids), 500):
        fresh.update(
            TrackTags.objects.filter(
                track_id__in=track_ids[start : start + 500], fetched_at__gte=cutoff
            ).values_list("track_id", flat=True)
        )
    return fresh


# Evidence ---------------------------------------------------------------------------------------


def evidence_rows(
    track_id: int, estimate: MoodEstimate, *, factor: float = 1.0
) -> list[tuple[int, str, float, float, str]]:
    """(track, mood, score, weight, detail) for each mood the estimate gives more than MIN_SCORE."""
    weight = round(estimate.confidence * factor, 4)
    detail = ", ".join(estimate.evidence[:EVIDENCE_WORDS])
    return [
        (track_id, mood, round(score, 4), weight, detail)
        for mood, score in estimate.distribution.items()
        if score > MIN_SCORE
    ]


@dataclass
class _Looked:
    """One track's answer: its own tags, and the artist tags used when they say nothing."""

    track_id: int
    tags: list[list[Any]]
    found: bool
    artist: str = ""  # the artist key, when the fallback was consulted


@dataclass
class _Run:
    client: lastfm.LastfmClient
    cutoff: dt.datetime
    fetch: TagFetch
    artists: dict[str, ArtistTags | None] = field(default_factory=dict)  # key -> fresh tags
    skipped: int = 0  # tracks Last.fm answered unreadably (tried again next run)
    done: int = 0  # tracks looked up by this run

    def artist_tags(self, name: str) -> ArtistTags | None:
        """The artist's tags, from the cache when fresh, else from Last.fm (saved at once)."""
        key = artist_key(name)
        if not key:
            return None
        if key in self.artists:
            return self.artists[key]
        cached = ArtistTags.objects.filter(name=key, fetched_at__gte=self.cutoff).first()
        if cached is None:
            try:
                tags = [[tag, count] for tag, count in self.client.artist_top_tags(artist=name)]
                found = True
            except lastfm.LastfmNotFound:
                tags, found = [], False
            cached, _ = ArtistTags.objects.update_or_create(
                name=key, defaults={"tags": tags, "found": found, "fetched_at": timezone.now()}
            )
        self.artists[key] = cached
        return cached

    def look_up(self, track: Track) -> _Looked:
        artist = first_artist(track)
        try:
            raw = self.client.track_top_tags(artist=artist, track=track.name)
            looked = _Looked(track.pk, [[tag, count] for tag, count in raw], True)
        except lastfm.LastfmNotFound:
            looked = _Looked(track.pk, [], False)
        if moods_from_tags(_pairs(looked.tags)) is None and artist:
            self.artist_tags(artist)
            looked.artist = artist_key(artist)
        return looked

    def store(self, batch: list[_Looked]) -> None:
        """Save a batch's tags, evidence and tag clusters (the song's own tags, else its artist's
        when those were consulted; NULL when neither names a genre) and count it, all or
        nothing."""
        if not batch:
            return
        now = timezone.now()
        ids = [looked.track_id for looked in batch]
        tag_rows: list[tuple[int, str, float, float, str]] = []
        artist_rows: list[tuple[int, str, float, float, str]] = []
        clustered: list[Track] = []
        for looked in batch:
            fallback = self.artists.get(looked.artist) if looked.artist else None
            own = _pairs(looked.tags)
            theirs = _pairs(fallback.tags) if fallback is not None else []
            cluster = cluster_of_tags(own)
            if cluster is None and theirs:
                cluster = cluster_of_tags(theirs)
            clustered.append(Track(pk=looked.track_id, tag_cluster=cluster))
            estimate = moods_from_tags(own)
            if estimate is not None:
                tag_rows += evidence_rows(looked.track_id, estimate)
                continue
            if theirs:
                estimate = moods_from_tags(theirs)
                if estimate is not None:
                    artist_rows += evidence_rows(
                        looked.track_id, estimate, factor=ARTIST_TAGS_FACTOR
                    )
        with transaction.atomic():
            TrackTags.objects.bulk_create(
                [
                    TrackTags(track_id=l.track_id, tags=l.tags, found=l.found, fetched_at=now)
                    for l in batch  # noqa: E741
                ],
                update_conflicts=True,
                unique_fields=["track"],
                update_fields=["tags", "found", "fetched_at"],
            )
            evidence_replace(source=TrackMood.Source.TAGS, track_ids=ids, rows=tag_rows)
            evidence_replace(source=TrackMood.Source.ARTIST_TAGS, track_ids=ids, rows=artist_rows)
            Track.objects.bulk_update(clustered, ["tag_cluster"])
            self.done += len(batch)
            self.fetch.processed = min(self.fetch.total, self.fetch.processed + len(batch))
            self.fetch.message = (
                f"Looked up {self.fetch.processed:,} of {self.fetch.total:,} songs on Last.fm."
            )
            TagFetch.objects.filter(pk=self.fetch.pk).update(
                processed=self.fetch.processed, message=self.fetch.message
            )


def _pairs(tags: Sequence[Sequence[Any]]) -> list[tuple[str, float]]:
    return [(str(tag[0]), float(tag[1])) for tag in tags if len(tag) >= 2]


# The run ----------------------------------------------------------------------------------------


def _claim(user_id: int) -> TagFetch | None:
    """Mark the fetch running; None when another run is already under way."""
    now = timezone.now()
    with transaction.atomic():
        fetch, _ = TagFetch.objects.select_for_update().get_or_create(user_id=user_id)
        busy = fetch.status == TagFetch.Status.RUNNING and fetch.started_at is not None
        if busy and now - cast(dt.datetime, fetch.started_at) < STALE_RUN:
            return None
        fetch.status = TagFetch.Status.RUNNING
        fetch.started_at = now
        fetch.finished_at = None
        fetch.resume_at = None
        fetch.message = "Looking up your songs on Last.fm…"
        fetch.save()
    return fetch


def _finish(fetch: TagFetch, status: str, message: str, **fields: Any) -> TagFetch:
    fetch.status = status
    fetch.message = message[:300]
    fetch.finished_at = timezone.now()
    fetch.resume_at = None
    for name, value in fields.items():
        setattr(fetch, name, value)
    fetch.save()
    return fetch


def _interrupt(fetch: TagFetch, status: str, message: str, resume_at: dt.datetime) -> None:
    TagFetch.objects.filter(pk=fetch.pk).update(
        status=status, message=message[:300], resume_at=resume_at
    )


def _in(seconds: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def _audio_update(track_ids: Sequence[int]) -> None:
    """Audio-features evidence from the configured provider for tracks it has not described."""
    if not getattr(settings, "AUDIO_FEATURES_PROVIDER", ""):
        return
    described = set(
        TrackMood.objects.filter(source=TrackMood.Source.AUDIO, track_id__in=track_ids).values_list(
            "track_id", flat=True
        )
    )
    wanted = [track_id for track_id in track_ids if track_id not in described]
    if not wanted:
        return
    try:
        provider = get_audio_features_provider()
        for start in range(0, len(wanted), 100):
            track_moods_update_from_audio(track_ids=wanted[start : start + 100], provider=provider)
    except Exception:  # a provider's failure must not undo the tags
        logger.exception("audio features: the provider failed")


def tags_fetch_run(*, user_id: int, attempt: int = 0) -> TagFetch:
    """Look up the user's library tracks without fresh tags on Last.fm and derive evidence.

    `attempt` counts the consecutive interruptions before this run (the task passes it on).
    Raises `TagFetchPaused` (error 29) or `TagFetchUnavailable` (outage) for the task to run it
    again after `countdown`; every other outcome is recorded on the user's TagFetch and returned.
    """
    fetch = _claim(user_id)
    if fetch is None:
        logger.info("tag fetch user %s: another run is in progress", user_id)
        return TagFetch.objects.get(user_id=user_id)
    track_ids = _library_track_ids(user_id)
    client = lastfm.lastfm_client()
    if client is None:
        fetch = _finish(fetch, TagFetch.Status.OFF, OFF_MESSAGE, processed=0, total=0)
        _audio_update(track_ids)
        return fetch

    cutoff = timezone.now() - _max_age()
    fresh = _fresh_ids(track_ids, cutoff)
    stale = [track_id for track_id in track_ids if track_id not in fresh]
    fetch.total = len(track_ids)
    fetch.processed = len(track_ids) - len(stale)
    fetch.message = f"Looked up {fetch.processed:,} of {fetch.total:,} songs on Last.fm."
    fetch.save(update_fields=["total", "processed", "message"])
    run = _Run(client=client, cutoff=cutoff, fetch=fetch)
    batch: list[_Looked] = []
    try:
        with client:
            for start in range(0, len(stale), BATCH_SIZE):
                ids = stale[start : start + BATCH_SIZE]
                tracks = Track.objects.filter(pk__in=ids).prefetch_related("artists")
                batch = []
                for track in sorted(tracks, key=lambda t: t.pk):
                    try:
                        batch.append(run.look_up(track))
                    except _STOPPING:
                        raise
                    except lastfm.LastfmError as error:  # an unreadable answer: next run
                        logger.warning("tag fetch track %s: %s", track.pk, error)
                        run.skipped += 1
                run.store(batch)
                batch = []
    except lastfm.LastfmRateLimited:
        run.store(batch)
        next_attempt = 0 if run.done else attempt + 1
        countdown = backoff(0 if run.done else attempt)
        resume_at = timezone.now() + dt.timedelta(seconds=countdown)
        _interrupt(
            fetch,
            TagFetch.Status.PAUSED,
            f"Paused: Last.fm asked us to slow down after {fetch.processed:,} of "
            f"{fetch.total:,} songs. Resuming at {timezone.localtime(resume_at):%H:%M} "
            f"({countdown} s).",
            resume_at,
        )
        logger.info("tag fetch user %s: rate limited, retry in %ss", user_id, countdown)
        raise TagFetchPaused(
            "Last.fm error 29", countdown=countdown, attempt=next_attempt
        ) from None
    except lastfm.LastfmInvalidKey as error:
        run.store(batch)
        logger.warning("tag fetch user %s: %s", user_id, error)
        return _finish(fetch, TagFetch.Status.OFF, REFUSED_MESSAGE)
    except lastfm.LastfmUnavailable as error:
        run.store(batch)
        if attempt >= MAX_UNAVAILABLE_ATTEMPTS and not run.done:
            logger.warning("tag fetch user %s: giving up, %s", user_id, error)
            return _finish(
                fetch,
                TagFetch.Status.FAILED,
                f"Looking up tags failed: Last.fm did not answer ({error}). "
                f"Looked up {fetch.processed:,} of {fetch.total:,} songs; the next sync goes on.",
            )
        next_attempt = 0 if run.done else attempt + 1
        countdown = backoff(0 if run.done else attempt)
        _interrupt(
            fetch,
            TagFetch.Status.QUEUED,
            f"Last.fm did not answer; trying again in {countdown} s.",
            _in(countdown),
        )
        logger.info("tag fetch user %s: %s; retry in %ss", user_id, error, countdown)
        raise TagFetchUnavailable(str(error), countdown=countdown, attempt=next_attempt) from None
    except SoftTimeLimitExceeded:
        run.store(batch)
        _interrupt(fetch, TagFetch.Status.QUEUED, "Continuing to look up your songs…", _in(1))
        raise TagFetchInterrupted("time limit", countdown=1, attempt=0) from None

    message = f"Looked up {fetch.processed:,} of {fetch.total:,} songs on Last.fm."
    if run.skipped:
        message += f" {run.skipped:,} could not be read and will be tried again."
    logger.info("tag fetch user %s done: %s looked up, %s skipped", user_id, run.done, run.skipped)
    fetch = _finish(fetch, TagFetch.Status.DONE, message)
    _audio_update(track_ids)
    return fetch


# Requests ---------------------------------------------------------------------------------------


def tags_fetch_get(*, user: Any) -> TagFetch | None:
    return TagFetch.objects.filter(user=user).first()


def tags_fetch_is_active(fetch: TagFetch | None) -> bool:
    return fetch is not None and fetch.status in ACTIVE_STATUSES


def _abandoned(fetch: TagFetch) -> bool:
    """A run that should be under way but is not: RUNNING too long, or its resume long past."""
    now = timezone.now()
    if fetch.status == TagFetch.Status.RUNNING:
        return fetch.started_at is None or now - fetch.started_at > STALE_RUN
    return fetch.resume_at is not None and now - fetch.resume_at > STALE_RUN


def tags_fetch_request(*, user: Any, reason: str = "after sync") -> TagFetch:
    """Queue a tag fetch for `user` unless one is queued, running or paused; enqueued on commit."""
    with transaction.atomic():
        fetch, _ = TagFetch.objects.select_for_update().get_or_create(user=user)
        if tags_fetch_is_active(fetch) and not _abandoned(fetch):
            return fetch
        fetch.status = TagFetch.Status.QUEUED
        fetch.message = "Waiting to look up your songs on Last.fm…"
        fetch.save(update_fields=["status", "message"])
        user_id = user.pk
        transaction.on_commit(lambda: _enqueue(user_id))
    logger.info("tag fetch user %s queued (%s)", user.pk, reason)
    return fetch


def _enqueue(user_id: int) -> None:
    from library.tasks import tags_fetch

    tags_fetch.delay(user_id)
