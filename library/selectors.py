"""Reads of a user's synced Spotify library and its sync status."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, QuerySet

from library.models import LibraryEntry, LibrarySync

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
