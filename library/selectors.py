"""Reads of a user's synced Spotify library and its sync status."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, QuerySet

from accounts.models import User
from library.models import LibraryEntry, LibrarySync, TrackMood
from library.tagclusters import CLUSTER_INDEX, cluster_name

ACTIVE_STATUSES = (
    LibrarySync.Status.QUEUED,
    LibrarySync.Status.RUNNING,
    LibrarySync.Status.PAUSED,
)


def _in_library() -> Q:
    sources = Q()
    for name in LibraryEntry.SOURCE_FIELDS:
        sources |= Q(**{name: True})
    return sources


def library_entry_list(*, user: Any) -> QuerySet[LibraryEntry]:
    """The user's library, most recently liked first, then most recently played."""
    return (
        LibraryEntry.objects.filter(_in_library(), user=user)
        .select_related("track")
        .order_by(
            F("liked_at").desc(nulls_last=True),
            F("last_played_at").desc(nulls_last=True),
            "track__name",
            "pk",
        )
    )


def library_counts(*, user: Any) -> dict[str, int]:
    """How many tracks the library holds, and from which source."""
    entries = LibraryEntry.objects.filter(user=user)
    return entries.aggregate(
        total=Count("pk", filter=_in_library()),
        liked=Count("pk", filter=Q(liked=True)),
        top=Count("pk", filter=Q(top_short=True) | Q(top_medium=True) | Q(top_long=True)),
        recent=Count("pk", filter=Q(recent=True)),
        playlist=Count("pk", filter=Q(playlist=True)),
    )


def library_sync_get(*, user: Any) -> LibrarySync | None:
    return LibrarySync.objects.filter(user=user).first()


def library_sync_is_active(sync: LibrarySync | None) -> bool:
    return sync is not None and sync.status in ACTIVE_STATUSES


def library_genre_families(*, user: User) -> dict[str, Any]:
    """The user's songs per genre family (tag cluster from Last.fm tags), biggest first.

    `{"families": [(name, songs), ...], "known": K, "unknown": U}`; one grouped query.
    """
    counted = (
        LibraryEntry.objects.filter(user=user)
        .values("track__tag_cluster")
        .order_by()
        .annotate(songs=Count("pk"))
        .values_list("track__tag_cluster", "songs")
    )
    families: dict[str, int] = {}
    unknown = 0
    for cluster, songs in counted:
        name = cluster_name(cluster)
        if name is None:
            unknown += songs
        else:
            families[name] = families.get(name, 0) + songs
    ranked = sorted(families.items(), key=lambda item: (-item[1], CLUSTER_INDEX[item[0]]))
    return {"families": ranked, "known": sum(families.values()), "unknown": unknown}


def library_mood_coverage(*, user: User) -> dict[str, Any]:
    """How many of the user's songs have a mood, and from which source (a song may have several).

    `{"tracks": N, "with_mood": M, "share": M / N, "by_source": {source: songs, ...}}`; the
    listener's own evidence (quick sort, playlists) counts only for them.
    """
    evidence = TrackMood.objects.filter(
        Q(user__isnull=True) | Q(user=user), track__library_entries__user=user
    )
    tracks = LibraryEntry.objects.filter(user=user).count()
    with_mood = evidence.values("track_id").distinct().count()
    counted = dict(
        evidence.values("source")
        .order_by()
        .annotate(songs=Count("track_id", distinct=True))
        .values_list("source", "songs")
    )
    return {
        "tracks": tracks,
        "with_mood": with_mood,
        "share": round(with_mood / tracks, 4) if tracks else 0.0,
        "by_source": {source: counted.get(source, 0) for source in TrackMood.Source.values},
    }
