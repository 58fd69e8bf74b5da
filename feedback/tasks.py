"""Feedback tasks: re-derive ratings evidence when the emotion -> mood rules change."""

from celery import shared_task

from feedback.evidence import ratings_changed


@shared_task(name="feedback.tasks.rederive_rating_evidence", time_limit=15 * 60)
def rederive_rating_evidence() -> int:
    """Re-derive ratings evidence for every rated track (queued when a rule changes)."""
    return ratings_changed()
