"""Track mood evidence: curated playlists, listeners' ratings and an audio-features provider."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from feedback.selectors import rating_contexts_for_tracks
from recommendations.models import Mood, MoodPlaylistTrack, Track, TrackMood
from recommendations.ranking import ratings_mood_evidence
from recommendations.rules import MOODS, rule_target_table

Source = TrackMood.Source


@dataclass(frozen=True)
class AudioFeatures:
    """Spotify-style audio features in [0, 1]."""

    valence: float
    energy: float


class AudioFeaturesProvider(Protocol):
    """Anything that can tell valence and energy for tracks; unknown tracks are left out."""

    def features(self, spotify_ids: Sequence[str]) -> dict[str, AudioFeatures]: ...


def get_audio_features_provider() -> AudioFeaturesProvider | None:
    """The provider named by settings.AUDIO_FEATURES_PROVIDER (a dotted class path), if any.

    None by default: Spotify's audio-features endpoint is closed to new apps.
    """
    path = getattr(settings, "AUDIO_FEATURES_PROVIDER", "")
    return import_string(path)() if path else None


def mood_for_audio(features: AudioFeatures) -> tuple[str, float]:
    """The valence-arousal quadrant of a track and how clearly it sits in it (0.5 to 1).

    High energy: happy when valence is high, energetic (tense) when low to mid. Low energy: calm
    when valence is high to mid, sad when low.
    """
    valence, energy = features.valence, features.energy
    valence_edge = 0.5 if energy >= 0.5 else 0.4
    if energy >= 0.5:
        mood = Mood.HAPPY if valence >= valence_edge else Mood.ENERGETIC
    else:
        mood = Mood.CALM if valence >= valence_edge else Mood.SAD
    margin = min(abs(valence - valence_edge), abs(energy - 0.5))
    return str(mood), 0.5 + 0.5 * min(1.0, margin / 0.25)


def _replace_evidence(
    *, source: str, track_ids: Iterable[int], rows: list[tuple[int, str, float, float]]
) -> int:
    """Make `rows` (track_id, mood, score, weight) the whole `source` evidence of `track_ids`."""
    track_ids = set(track_ids)
    keep: dict[int, set[str]] = defaultdict(set)
    for track_id, mood, _score, _weight in rows:
        keep[track_id].add(mood)
    stale = [
        pk
        for pk, track_id, mood in TrackMood.objects.filter(
            source=source, track_id__in=track_ids
        ).values_list("pk", "track_id", "mood")
        if mood not in keep[track_id]
    ]
    TrackMood.objects.filter(pk__in=stale).delete()
    TrackMood.objects.bulk_create(
        [
            TrackMood(track_id=track_id, mood=mood, source=source, score=score, weight=weight)
            for track_id, mood, score, weight in rows
        ],
        update_conflicts=True,
        unique_fields=["track", "mood", "source"],
        update_fields=["score", "weight", "updated_at"],
        batch_size=500,
    )
    return len(rows)


@transaction.atomic
def track_moods_sync_curated(*, track_ids: Iterable[int] | None = None) -> int:
    """Curated evidence from mood playlists: a track in a playlist has that playlist's mood.

    Call after a curator edits playlists; without `track_ids` every track is refreshed.
    """
    memberships = MoodPlaylistTrack.objects.all()
    if track_ids is None:
        track_ids = set(
            TrackMood.objects.filter(source=Source.CURATED).values_list("track_id", flat=True)
        )
    else:
        track_ids = set(track_ids)
        memberships = memberships.filter(track_id__in=track_ids)
    pairs = set(memberships.values_list("track_id", "playlist__mood"))
    track_ids |= {track_id for track_id, _ in pairs}
    rows = [(track_id, mood, 1.0, 1.0) for track_id, mood in sorted(pairs)]
    return _replace_evidence(source=Source.CURATED, track_ids=track_ids, rows=rows)


@transaction.atomic
def track_moods_update_from_ratings(*, track_ids: Iterable[int]) -> int:
    """Ratings evidence: listeners rated the track high (or low) while the rules targeted a mood.

    Aggregates every listener's ratings of each track; no rater is stored with the evidence.
    """
    track_ids = set(track_ids)
    by_track: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for track_id, emotion, strategy, stars in rating_contexts_for_tracks(track_ids=track_ids):
        by_track[track_id].append((emotion, strategy, stars))
    table = rule_target_table()
    rows: list[tuple[int, str, float, float]] = []
    for track_id, ratings in by_track.items():
        known = [(table[(e, s)], stars) for e, s, stars in ratings if (e, s) in table]
        if not known:
            continue
        targets = np.array([target for target, _ in known])
        stars = np.array([stars for _, stars in known], dtype=float)
        score, weight, amount = ratings_mood_evidence(stars=stars, targets=targets)
        rows += [
            (track_id, MOODS[m], float(score[m]), float(weight[m]))
            for m in range(len(MOODS))
            if amount[m] > 0
        ]
    return _replace_evidence(source=Source.RATINGS, track_ids=track_ids, rows=rows)


def track_moods_rederive_ratings(*, chunk: int = 500) -> int:
    """Re-derive every rated track's ratings evidence: the emotion -> mood rules changed.

    Ratings evidence says "rated high while the rules targeted mood M", so a rule edit changes
    what past ratings mean. One transaction per chunk of tracks keeps locks short.
    """
    from feedback.selectors import rated_track_ids

    track_ids = sorted(rated_track_ids())
    written = 0
    for start in range(0, len(track_ids), chunk):
        with transaction.atomic():
            written += track_moods_update_from_ratings(track_ids=track_ids[start : start + chunk])
    return written


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
    return _replace_evidence(
        source=Source.AUDIO,
        track_ids=[spotify_ids[s] for s in found if s in spotify_ids],
        rows=rows,
    )
