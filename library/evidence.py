"""Track mood evidence and its sources: curated playlists and an audio-features provider.

Ratings evidence is derived in `feedback.evidence` and written through `evidence_replace`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from library.models import MoodPlaylistTrack, Track, TrackMood
from library.moodspace import AudioFeatures, mood_for_audio

Source = TrackMood.Source


class AudioFeaturesProvider(Protocol):
    """Anything that can tell valence and energy for tracks; unknown tracks are left out."""

    def features(self, spotify_ids: Sequence[str]) -> dict[str, AudioFeatures]: ...


def get_audio_features_provider() -> AudioFeaturesProvider | None:
    """The provider named by settings.AUDIO_FEATURES_PROVIDER (a dotted class path), if any.

    None by default: Spotify's audio-features endpoint is closed to new apps.
    """
    path = getattr(settings, "AUDIO_FEATURES_PROVIDER", "")
    return import_string(path)() if path else None


EvidenceRow = tuple[int, str, float, float] | tuple[int, str, float, float, str]


@transaction.atomic
def evidence_replace(
    *,
    source: str,
    track_ids: Iterable[int],
    rows: Sequence[EvidenceRow],
    user_id: int | None = None,
) -> int:
    """Make `rows` (track_id, mood, score, weight[, detail]) the whole `source` evidence of
    `track_ids` (everyone's, or `user_id`'s own when given).

    The tracks are locked first, so two writers of the same tracks' evidence take turns.
    """
    track_ids = set(track_ids)
    list(Track.objects.select_for_update().filter(pk__in=track_ids).values_list("pk", flat=True))
    # user_id=None is Django's IS NULL (everyone's rows); the plugin's lookup check rejects None.
    TrackMood.objects.filter(
        source=source,
        track_id__in=track_ids,
        user_id=user_id,  # type: ignore[misc]
    ).delete()
    TrackMood.objects.bulk_create(
        [
            TrackMood(
                track_id=row[0],
                user_id=user_id,
                mood=row[1],
                source=source,
                score=row[2],
                weight=row[3],
                detail=(row[4] if len(row) > 4 else "")[:200],
            )
            for row in rows
        ],
        batch_size=500,
    )
    return len(rows)


@transaction.atomic
def track_moods_sync_curated(*, track_ids: Iterable[int] | None = None) -> int:
    """Curated evidence from mood playlists: a track in a playlist has that playlist's mood.

    A track matches a curated one by Spotify id (it is the same row) or by ISRC (the same
    recording released again, or on another album). Call after a curator edits playlists, or after
    a sync with the new tracks; without `track_ids` every track is refreshed.
    """
    curated_isrcs: dict[str, set[str]] = defaultdict(set)
    for isrc, mood in MoodPlaylistTrack.objects.exclude(track__isrc="").values_list(
        "track__isrc", "playlist__mood"
    ):
        curated_isrcs[isrc.upper()].add(mood)
    if track_ids is None:
        scope = set(
            TrackMood.objects.filter(source=Source.CURATED).values_list("track_id", flat=True)
        )
        scope |= set(MoodPlaylistTrack.objects.values_list("track_id", flat=True))
        scope |= set(
            Track.objects.filter(isrc__in=_isrc_variants(curated_isrcs)).values_list(
                "pk", flat=True
            )
        )
    else:
        scope = set(track_ids)
        isrcs = {
            isrc.upper()
            for isrc in Track.objects.filter(pk__in=scope)
            .exclude(isrc="")
            .values_list("isrc", flat=True)
        }
        scope |= set(
            Track.objects.filter(isrc__in=_isrc_variants(isrcs)).values_list("pk", flat=True)
        )
    direct = set(
        MoodPlaylistTrack.objects.filter(track_id__in=scope).values_list(
            "track_id", "playlist__mood"
        )
    )
    by_isrc = {
        (track_id, mood)
        for track_id, isrc in Track.objects.filter(pk__in=scope)
        .exclude(isrc="")
        .values_list("pk", "isrc")
        for mood in curated_isrcs.get(isrc.upper(), ())
    } - direct
    rows: list[EvidenceRow] = [(track_id, mood, 1.0, 1.0) for track_id, mood in sorted(direct)]
    rows += [
        (track_id, mood, 1.0, 1.0, "the same recording is in a curated playlist")
        for track_id, mood in sorted(by_isrc)
    ]
    return evidence_replace(source=Source.CURATED, track_ids=scope, rows=rows)


def track_moods_curated_for_library(*, user_id: int) -> int:
    """Curated evidence for a listener's songs that share an ISRC with a curated one (after a sync:
    their own release of a curated recording has another Spotify id)."""
    curated = set(
        MoodPlaylistTrack.objects.exclude(track__isrc="").values_list("track__isrc", flat=True)
    )
    if not curated:
        return 0
    track_ids = list(
        Track.objects.filter(
            library_entries__user_id=user_id, isrc__in=_isrc_variants(curated)
        ).values_list("pk", flat=True)
    )
    return track_moods_sync_curated(track_ids=track_ids) if track_ids else 0


def _isrc_variants(isrcs: Iterable[str]) -> set[str]:
    """ISRCs as stored (Spotify sends upper case; be lenient with the rest)."""
    return {variant for isrc in isrcs for variant in (isrc, isrc.upper(), isrc.lower())}


@transaction.atomic
def track_moods_update_from_audio(
    *, track_ids: Iterable[int], provider: AudioFeaturesProvider | None = None
) -> int:
    """Audio-features evidence from the configured provider; does nothing when there is none."""
    provider = provider or get_audio_features_provider()
    if provider is None:
        return 0
    spotify_ids = dict(Track.objects.filter(pk__in=list(track_ids)).values_list("spotify_id", "pk"))
    found = provider.features(list(spotify_ids))
    rows = []
    for spotify_id, features in found.items():
        if spotify_id in spotify_ids:
            mood, score = mood_for_audio(features)
            rows.append((spotify_ids[spotify_id], mood, score, 1.0))
    return evidence_replace(
        source=Source.AUDIO,
        track_ids=[spotify_ids[s] for s in found if s in spotify_ids],
        rows=rows,
    )


__all__ = [
    "AudioFeatures",
    "AudioFeaturesProvider",
    "evidence_replace",
    "get_audio_features_provider",
    "mood_for_audio",
    "track_moods_curated_for_library",
    "track_moods_sync_curated",
    "track_moods_update_from_audio",
]
