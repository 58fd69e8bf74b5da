"""Reads for ranking and the recommendation pages: candidates, mood evidence, stored lists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat

from accounts.models import User
from feedback.ports import RatedItem
from library.models import LibraryEntry, LibrarySync, Track, TrackMood
from library.tagclusters import CLUSTERS
from recommendations.models import Recommendation, RecommendationItem
from recommendations.ranking import (
    NO_PICK_SOURCE,
    PICK_SOURCE_PRECEDENCE,
    PICK_SOURCES,
    SOURCE_INDEX,
    mood_distributions,
)
from recommendations.rules import MOOD_INDEX, MOODS

# library_candidates packs a track id, its tag cluster and its pick source into one number:
# (id * CLUSTER_SLOTS + cluster + 1) * PACK + source.
PACK = 8  # > ranking.NO_PICK_SOURCE (6)
CLUSTER_SLOTS = 64  # > len(CLUSTERS): slot 0 is unknown, slot k + 1 cluster k; room to append
# The packed rows are parsed as float64: exact while id * CLUSTER_SLOTS * PACK < 2**53, i.e. for
# track ids below 2**44 (about 1.8e13).
MAX_PACKED_TRACK_ID = 2**53 // (CLUSTER_SLOTS * PACK)


class ArtistKeys(Sequence):
    """Each candidate's first listed artist, read only for the candidates ranking visits.

    `prefetch` (called by `ranking.diversify` with the best candidates) loads their names in one
    query; a visit past them loads the rest of the library once.
    """

    def __init__(self, *, user: User, track_ids: np.ndarray) -> None:
        self._user = user
        self._track_ids = track_ids
        self._keys: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._track_ids)

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        if index not in self._keys:
            self._remember(
                LibraryEntry.objects.filter(user=self._user).values_list(
                    "track_id", "track__artist_names"
                )
            )
        return self._keys[index]

    def prefetch(self, indices: np.ndarray) -> None:
        wanted = [int(i) for i in indices if int(i) not in self._keys]
        if wanted:
            ids = self._track_ids[wanted].tolist()
            self._remember(Track.objects.filter(pk__in=ids).values_list("pk", "artist_names"))

    def _remember(self, rows: Iterable[tuple[int, str]]) -> None:
        names = dict(rows)
        positions = np.searchsorted(self._track_ids, list(names))
        for position, (track_id, artist_names) in zip(positions, names.items(), strict=True):
            # Tracks without artist names are their own artist, never capped together.
            self._keys[int(position)] = _first_artist(artist_names) or f"#{track_id}"


@dataclass
class Candidates:
    """The user's library as arrays: sorted track ids and each track's artist key."""

    track_ids: np.ndarray
    artist_keys: ArtistKeys
    # How each song got into the library: index into ranking.PICK_SOURCES (the first flag set in
    # ranking.PICK_SOURCE_PRECEDENCE).
    pick_source: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # Each song's tag cluster (index into library.tagclusters.CLUSTERS), -1 when unknown.
    tag_cluster: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def positions(self, track_ids: np.ndarray) -> np.ndarray:
        """Candidate index of each track id; -1 where the track is not in the library."""
        if len(self.track_ids) == 0:
            return np.full(len(track_ids), -1, dtype=np.int64)
        found = np.searchsorted(self.track_ids, track_ids)
        found = np.clip(found, 0, len(self.track_ids) - 1)
        return np.where(self.track_ids[found] == track_ids, found, -1)


@dataclass
class MoodEvidence:
    """Evidence rows of the candidates (candidate index, mood, source, score, weight)."""

    track_index: np.ndarray
    mood_index: np.ndarray
    source_index: np.ndarray
    score: np.ndarray
    weight: np.ndarray


@dataclass
class MoodDistribution:
    """A track's mood mix, how sure we are (0 to 1), and which sources said so."""

    shares: dict[str, float]
    confidence: float
    sources: dict[str, list[str]] = field(default_factory=dict)

    @property
    def known(self) -> bool:
        return self.confidence > 0


@dataclass
class LibraryState:
    entries: int
    synced: bool


def _first_artist(artist_names: str) -> str:
    return artist_names.split(",")[0].strip().casefold()


class _Packed(Aggregate):
    """Every value joined with commas into one string (GROUP_CONCAT, or STRING_AGG on PostgreSQL).

    Ranking reads thousands of numbers per request; one string parsed by NumPy instead of a
    Python tuple per row keeps the request fast and leaves the garbage collector idle.
    """

    function = "GROUP_CONCAT"
    output_field = TextField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s((%(expressions)s)::text, ',')",
            **extra,
        )


def _unpack(text: str | None, columns: int) -> np.ndarray:
    if not text:
        return np.zeros((0, columns))
    return np.fromstring(text, sep=",").reshape(-1, columns)


def _code(field: str, codes: dict[str, int]) -> Case:
    return Case(
        *(When(**{field: name}, then=Value(code)) for name, code in codes.items()),
        output_field=IntegerField(),
    )


def library_candidates(*, user: User) -> Candidates:
    """Every track in the user's library, its tag cluster and how it got there, in one query
    (artist names are read lazily).

    Each row is packed as one number, (track id * CLUSTER_SLOTS + tag cluster + 1) * PACK + the
    index of its pick source (the first flag set in precedence order: a liked song among the top
    tracks counts as a top track): no per-row string building in SQL. The numbers are exact in
    the floats NumPy parses while track ids stay below MAX_PACKED_TRACK_ID (2**44), which a
    library's sequence will not reach; a cluster outside CLUSTERS reads as unknown.
    """
    first_flag = Case(
        *(
            When(**{name: True}, then=Value(PICK_SOURCES.index(name)))
            for name in PICK_SOURCE_PRECEDENCE
        ),
        default=Value(NO_PICK_SOURCE),
        output_field=IntegerField(),
    )
    cluster_slot = Case(
        When(
            track__tag_cluster__gte=0,
            track__tag_cluster__lt=min(len(CLUSTERS), CLUSTER_SLOTS - 1),
            then=F("track__tag_cluster") + 1,
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    packed = LibraryEntry.objects.filter(user=user).aggregate(
        rows=_Packed((F("track_id") * CLUSTER_SLOTS + cluster_slot) * PACK + first_flag)
    )["rows"]
    rows = np.sort(_unpack(packed, 1)[:, 0].astype(np.int64))
    track_ids = rows // (CLUSTER_SLOTS * PACK)
    return Candidates(
        track_ids=track_ids,
        artist_keys=ArtistKeys(user=user, track_ids=track_ids),
        pick_source=rows % PACK,
        tag_cluster=(rows // PACK) % CLUSTER_SLOTS - 1,
    )


def library_track_ids(*, user: User) -> QuerySet:
    """The user's library track ids as a subquery."""
    return LibraryEntry.objects.filter(user=user).values("track_id")


def candidate_mood_evidence(*, user: User, candidates: Candidates) -> MoodEvidence:
    """Mood evidence rows of the user's library, in one query."""
    columns = (
        Cast("track_id", CharField()),
        Cast(_code("mood", MOOD_INDEX), CharField()),
        Cast(_code("source", SOURCE_INDEX), CharField()),
        Cast("score", CharField()),
        Cast("weight", CharField()),
    )
    parts: list[Any] = []
    for column in columns:
        parts += [Value(","), column] if parts else [column]
    row = Concat(*parts, output_field=CharField())
    packed = TrackMood.objects.filter(
        Q(user__isnull=True) | Q(user=user), track__library_entries__user=user
    ).aggregate(rows=_Packed(row))["rows"]
    rows = _unpack(packed, len(columns))
    return MoodEvidence(
        track_index=candidates.positions(rows[:, 0].astype(np.int64)),
        mood_index=rows[:, 1].astype(np.int64),
        source_index=rows[:, 2].astype(np.int64),
        score=rows[:, 3],
        weight=rows[:, 4],
    )


def recent_shown_track_ids(*, user: User, limit: int) -> list[np.ndarray]:
    """Track ids of the user's `limit` latest recommendations, newest first."""
    recent = list(
        Recommendation.objects.filter(user=user)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)[:limit]
    )
    shown: dict[int, list[int]] = {pk: [] for pk in recent}
    for recommendation_id, track_id in RecommendationItem.objects.filter(
        recommendation_id__in=recent
    ).values_list("recommendation_id", "track_id"):
        shown[recommendation_id].append(track_id)
    return [np.array(shown[pk], dtype=np.int64) for pk in recent]


def track_mood_distribution(*, track_id: int, user: User | None = None) -> MoodDistribution:
    """One track's mood distribution and confidence: everyone's evidence and `user`'s own."""
    mine = Q(user__isnull=True) | Q(user=user) if user is not None else Q(user__isnull=True)
    rows = list(
        TrackMood.objects.filter(mine, track_id=track_id).values_list(
            "mood", "source", "score", "weight"
        )
    )
    dist, confidence = mood_distributions(
        n_tracks=1,
        track_index=np.zeros(len(rows), dtype=np.int64),
        mood_index=np.array([MOOD_INDEX[row[0]] for row in rows], dtype=np.int64),
        source_index=np.array([SOURCE_INDEX[row[1]] for row in rows], dtype=np.int64),
        score=np.array([row[2] for row in rows], dtype=float),
        weight=np.array([row[3] for row in rows], dtype=float),
    )
    sources: dict[str, list[str]] = {}
    for mood, source, _score, _weight in rows:
        sources.setdefault(mood, []).append(source)
    return MoodDistribution(
        shares={mood: float(dist[0, index]) for index, mood in enumerate(MOODS)},
        confidence=float(confidence[0]),
        sources=sources,
    )


def library_state(*, user: User) -> LibraryState:
    synced = LibrarySync.objects.filter(user=user, status=LibrarySync.Status.DONE).exists()
    return LibraryState(entries=LibraryEntry.objects.filter(user=user).count(), synced=synced)


def library_sources(*, user: User, track_ids: list[int]) -> dict[int, list[str]]:
    """How each of these tracks got into the user's library (LibraryEntry.SOURCE_FIELDS)."""
    fields = LibraryEntry.SOURCE_FIELDS
    return {
        row[0]: [name for name, flag in zip(fields, row[1:], strict=True) if flag]
        for row in LibraryEntry.objects.filter(user=user, track_id__in=track_ids).values_list(
            "track_id", *fields
        )
    }


def _with_items(queryset: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    return queryset.prefetch_related(
        Prefetch(
            "items",
            queryset=RecommendationItem.objects.select_related("track").order_by("position"),
        )
    )


def recommendation_get(*, user: User, pk: int) -> Recommendation | None:
    return _with_items(Recommendation.objects.filter(user=user, pk=pk)).first()


def recommendation_list(*, user: User, reading_id: int | None = None) -> QuerySet[Recommendation]:
    queryset = Recommendation.objects.filter(user=user)
    if reading_id is not None:
        queryset = queryset.filter(reading_id=reading_id)
    return _with_items(queryset.select_related("reading"))


def recommendation_latest_for_reading(
    *, user: User, reading_id: int, strategy: str, emotion: str
) -> Recommendation | None:
    """The newest list for the reading, strategy and emotion (a correction makes old ones stale)."""
    return (
        _with_items(
            Recommendation.objects.filter(
                user=user, reading_id=reading_id, strategy=strategy, emotion=emotion
            )
        )
        .order_by("-created_at", "-id")
        .first()
    )


def rated_item_get(*, pk: int, user_id: int | None = None) -> RatedItem | None:
    """A recommended item as feedback's ratings see it (feedback.ports.rated_item)."""
    items = RecommendationItem.objects.select_related("recommendation", "track").filter(pk=pk)
    if user_id is not None:
        items = items.filter(recommendation__user_id=user_id)
    item = items.first()
    if item is None:
        return None
    return RatedItem(
        pk=item.pk,
        track_id=item.track_id,
        track_name=item.track.name,
        recommendation_id=item.recommendation_id,
        user_id=item.recommendation.user_id,
        emotion=item.recommendation.emotion,
        strategy=item.recommendation.strategy,
    )


def evidence_details(*, user: User, track_ids: list[int]) -> dict[tuple[int, str, str], str]:
    """(track, source, mood) -> what that evidence rests on, for the songs' reasons."""
    return {
        (track_id, source, mood): detail
        for track_id, source, mood, detail in TrackMood.objects.filter(
            Q(user__isnull=True) | Q(user=user), track_id__in=track_ids
        )
        .exclude(detail="")
        .values_list("track_id", "source", "mood", "detail")
    }
