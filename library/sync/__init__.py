"""Library sync: read a user's Spotify library and upsert Track, Artist and LibraryEntry rows.

Incremental and idempotent: a second run right after the first changes no row. `run` is one sync
run (phases, checkpoint, pauses), `upserts` the bulk writes, `schedule` the queueing.
"""

from library.sync.run import (
    MAX_UNAVAILABLE_ATTEMPTS,
    LibrarySyncInterrupted,
    LibrarySyncPaused,
    LibrarySyncUnavailable,
    library_size,
    library_sync_run,
)
from library.sync.schedule import library_sync_enqueue_due, library_sync_request
from library.sync.upserts import upsert_entries, upsert_tracks

__all__ = [
    "MAX_UNAVAILABLE_ATTEMPTS",
    "LibrarySyncInterrupted",
    "LibrarySyncPaused",
    "LibrarySyncUnavailable",
    "library_size",
    "library_sync_enqueue_due",
    "library_sync_request",
    "library_sync_run",
    "upsert_entries",
    "upsert_tracks",
]
