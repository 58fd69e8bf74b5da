"""Queueing library syncs: on request (sign-in, the library page, the API) and when due (beat)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from library.models import LibrarySync
from library.sync.run import STALE_RUN

logger = logging.getLogger(__name__)


def library_sync_request(*, user: Any, reason: str = "manual") -> LibrarySync:
    """Queue a sync for `user` unless one is queued, running or paused; enqueued on commit."""
    with transaction.atomic():
        sync, _ = LibrarySync.objects.select_for_update().get_or_create(user=user)
        active = {LibrarySync.Status.QUEUED, LibrarySync.Status.RUNNING, LibrarySync.Status.PAUSED}
        stale = sync.started_at is None or timezone.now() - sync.started_at > STALE_RUN
        if sync.status in active and not (sync.status == LibrarySync.Status.RUNNING and stale):
            return sync
        sync.status = LibrarySync.Status.QUEUED
        sync.message = "Waiting for a worker…"
        sync.processed = 0
        sync.save(update_fields=["status", "message", "processed"])
        user_id = user.pk
        transaction.on_commit(lambda: _enqueue(user_id))
    logger.info("library sync user %s queued (%s)", user.pk, reason)
    return sync


def _enqueue(user_id: int) -> None:
    from library.tasks import library_sync

    library_sync.delay(user_id)


def library_sync_enqueue_due() -> int:
    """Queue a sync for every Spotify-connected user whose library is older than the interval."""
    cutoff = timezone.now() - dt.timedelta(hours=settings.SPOTIFY_SYNC_INTERVAL_HOURS)
    users = (
        get_user_model()
        .objects.filter(social_auth__provider="spotify", is_active=True)
        .exclude(
            library_sync__status__in=[
                LibrarySync.Status.QUEUED,
                LibrarySync.Status.RUNNING,
                LibrarySync.Status.PAUSED,
                LibrarySync.Status.REAUTH,
            ]
        )
    )
    users = users.filter(
        Q(library_sync__isnull=True)
        | Q(library_sync__last_success_at__isnull=True)
        | Q(library_sync__last_success_at__lt=cutoff)
    ).distinct()
    # Refused by Spotify (403 everywhere): asked again once an interval, not every beat. Signing
    # in again (after the operator fixed it) queues a sync at once.
    users = users.exclude(
        library_sync__failure=LibrarySync.Failure.REFUSED,
        library_sync__finished_at__gte=cutoff,
    )
    count = 0
    for user in users:
        library_sync_request(user=user, reason="periodic")
        count += 1
    return count
