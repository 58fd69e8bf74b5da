"""Celery tasks of recommendations: the curators' import of a Spotify playlist as a mood list."""

from celery import shared_task

from recommendations.curation import mood_playlist_import
from spotify.errors import SpotifyRateLimited

# Never sleep in a worker for a long Retry-After: re-schedule, capped, a few times at most.
RETRY_AFTER_CAP_SECONDS = 15 * 60


@shared_task(
    bind=True,
    # The name it was registered under before the move: imports already queued still run.
    name="recommendations.curation_tasks.mood_playlist_import_task",
    acks_late=True,
    max_retries=3,
    time_limit=15 * 60,
    soft_time_limit=14 * 60,
)
def mood_playlist_import_task(
    self, playlist_id: int, user_id: int, discard_on_refusal: bool = False
) -> int:
    """Import the playlist's Spotify tracks; returns how many it now has (0 when removed).

    Queued by the admin after `mood_playlist_import_request` (which checked the playlist with
    Spotify and marked it queued); `discard_on_refusal` when that request made the row, so a
    playlist Spotify refuses after all leaves no row behind.

    Other Spotify failures are not retried: the playlist's import status tells the curator, who
    can start the import again from the admin.
    """
    try:
        playlist = mood_playlist_import(
            playlist_id=playlist_id, user_id=user_id, discard_on_refusal=discard_on_refusal
        )
    except SpotifyRateLimited as exc:
        raise self.retry(countdown=min(exc.retry_after, RETRY_AFTER_CAP_SECONDS)) from exc
    return playlist.entries.count() if playlist is not None else 0
