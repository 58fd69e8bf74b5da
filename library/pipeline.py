"""Our steps in social-auth's sign-in pipeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone


def enqueue_library_sync(backend: Any, user: Any = None, *args: Any, **kwargs: Any) -> None:
    """After a Spotify sign-in, queue a library sync when the library is new, stale or stuck."""
    if backend.name != "spotify" or user is None:
        return
    from library.models import LibrarySync
    from library.sync import library_sync_request

    sync = LibrarySync.objects.filter(user=user).first()
    cutoff = timezone.now() - dt.timedelta(hours=settings.SPOTIFY_SYNC_INTERVAL_HOURS)
    needs_sync = (
        sync is None
        or sync.status
        in (LibrarySync.Status.NEVER, LibrarySync.Status.REAUTH, LibrarySync.Status.FAILED)
        or (
            sync.status == LibrarySync.Status.DONE
            and (sync.last_success_at is None or sync.last_success_at < cutoff)
        )
    )
    if needs_sync:
        library_sync_request(user=user, reason="sign-in")
