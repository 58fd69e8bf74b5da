"""Library sync and tag tasks: thin wrappers that re-schedule instead of sleeping."""

from celery import shared_task

from library.sync import (
    LibrarySyncInterrupted,
    LibrarySyncUnavailable,
    library_sync_enqueue_due,
    library_sync_run,
)
from library.tags import TagFetchInterrupted, tags_fetch_run


@shared_task(
    bind=True,
    name="library.tasks.library_sync",
    acks_late=True,
    max_retries=None,  # bounded by the service: pauses follow Retry-After, outages give up
    time_limit=10 * 60,
    soft_time_limit=9 * 60,
)
def library_sync(self, user_id: int, checkpoint: dict | None = None, attempt: int = 0) -> str:
    """Sync a user's Spotify library; on 429 or an outage, run again later from the checkpoint."""
    try:
        return library_sync_run(user_id=user_id, checkpoint=checkpoint, attempt=attempt).status
    except LibrarySyncInterrupted as exc:
        next_attempt = attempt + 1 if isinstance(exc, LibrarySyncUnavailable) else 0
        raise self.retry(
            args=(),
            countdown=exc.countdown,
            kwargs={"user_id": user_id, "checkpoint": exc.checkpoint, "attempt": next_attempt},
            exc=exc,
        ) from exc


@shared_task(name="library.tasks.library_sync_due", time_limit=120, soft_time_limit=100)
def library_sync_due() -> int:
    """Beat: queue a sync for every Spotify user whose library is older than the interval."""
    return library_sync_enqueue_due()


@shared_task(
    bind=True,
    name="library.tasks.tags_fetch",
    acks_late=True,
    max_retries=None,  # bounded by the service: 29 backs off (capped), outages give up
    time_limit=15 * 60,
    soft_time_limit=14 * 60,
)
def tags_fetch(self, user_id: int, attempt: int = 0) -> str:
    """Look up Last.fm tags for a user's library; on error 29 or an outage, run again later."""
    try:
        return tags_fetch_run(user_id=user_id, attempt=attempt).status
    except TagFetchInterrupted as exc:
        raise self.retry(
            args=(),
            countdown=exc.countdown,
            kwargs={"user_id": user_id, "attempt": exc.attempt},
            exc=exc,
        ) from exc
