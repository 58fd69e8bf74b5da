"""The listener's own playlists: stored as synced, and their names read as personal mood evidence.

A playlist called "rainy days" says something about the songs its owner put in it, for that
owner only: each mood the lexicon reads in the name becomes `TrackMood` evidence (source
PLAYLISTS, `user` = the listener) for the playlist's tracks, weighted by how sure the lexicon is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from library.evidence import evidence_replace
from library.lexicon import MoodEstimate, moods_from_text
from library.models import LibraryPlaylist, TrackMood
from library.moodspace import MOODS

# A mood the name gives less than this share of its distribution is not written (noise).
MIN_SCORE = 0.15
DETAIL_SEPARATOR = ", "


def library_playlist_save(
    *, user_id: int, spotify_id: str, name: str, track_ids: Iterable[int]
) -> LibraryPlaylist:
    """Store one synced playlist of the listener with exactly these tracks (membership replaced)."""
    playlist, created = LibraryPlaylist.objects.get_or_create(
        user_id=user_id, spotify_id=spotify_id, defaults={"name": name[:300]}
    )
    if not created and playlist.name != name[:300]:
        playlist.name = name[:300]
        playlist.save(update_fields=["name", "updated_at"])
    playlist.tracks.set(set(track_ids))
    return playlist


def library_playlists_prune(*, user_id: int, keep: Iterable[str]) -> int:
    """Remove the listener's stored playlists whose id is not in `keep`; returns how many."""
    stale = LibraryPlaylist.objects.filter(user_id=user_id).exclude(spotify_id__in=set(keep))
    _, per_model = stale.delete()
    return per_model.get(LibraryPlaylist._meta.label, 0)


@dataclass
class _Votes:
    """What the mood-named playlists holding one track say about it."""

    weighted: dict[str, float] = field(default_factory=lambda: dict.fromkeys(MOODS, 0.0))
    total_confidence: float = 0.0
    best_confidence: float = 0.0
    names: list[str] = field(default_factory=list)

    def add(self, name: str, estimate: MoodEstimate) -> None:
        for mood in MOODS:
            self.weighted[mood] += estimate.confidence * estimate.distribution.get(mood, 0.0)
        self.total_confidence += estimate.confidence
        self.best_confidence = max(self.best_confidence, estimate.confidence)
        if name not in self.names:
            self.names.append(name)

    def rows(self, track_id: int) -> list[tuple[int, str, float, float, str]]:
        """One row per mood with a share above MIN_SCORE.

        Score: the distributions of the playlists averaged, weighted by each name's confidence.
        Weight: the surest name's confidence (two vague names do not make a sure one).
        Detail: the playlist names, for the song's reason ("rainy days, sunday morning coffee").
        """
        if self.total_confidence <= 0:
            return []
        detail = DETAIL_SEPARATOR.join(self.names)
        rows = []
        for mood in MOODS:
            score = self.weighted[mood] / self.total_confidence
            if score > MIN_SCORE:
                rows.append(
                    (track_id, mood, round(min(score, 1.0), 4), self.best_confidence, detail)
                )
        return rows


def playlist_moods_update(*, user_id: int) -> int:
    """Rewrite the listener's PLAYLISTS evidence from the names of their stored playlists.

    Tracks that lost it (the playlist was renamed, removed or the track left it) lose the rows.
    Returns the number of evidence rows written.
    """
    playlists = (
        LibraryPlaylist.objects.filter(user_id=user_id)
        .order_by("name", "pk")
        .prefetch_related("tracks")
    )
    votes: dict[int, _Votes] = defaultdict(_Votes)
    for playlist in playlists:
        estimate = moods_from_text(playlist.name)
        if estimate is None or estimate.confidence <= 0:
            continue
        name = playlist.name.strip()
        for track in playlist.tracks.all():
            votes[track.pk].add(name, estimate)
    rows = [row for track_id in sorted(votes) for row in votes[track_id].rows(track_id)]
    with transaction.atomic():
        had = set(
            TrackMood.objects.filter(
                user_id=user_id, source=TrackMood.Source.PLAYLISTS
            ).values_list("track_id", flat=True)
        )
        return evidence_replace(
            source=TrackMood.Source.PLAYLISTS,
            track_ids=had | set(votes),
            rows=rows,
            user_id=user_id,
        )
