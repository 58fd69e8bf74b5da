"""Celery tasks of the emotions app: inference on the `ml` queue and the stuck-reading sweeper."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from emotions.services import TOOK_TOO_LONG, UNEXPECTED, reading_fail, readings_sweep_stuck
from emotions.services import reading_process as run_reading

INFERENCE_QUEUE = "ml"
# Only a lost database connection is worth another try; anything else would fail again.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


class ReadingTask(Task):
    """Marks the reading failed, with a message for people, when the task finally fails."""

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        reading_id = kwargs.get("reading_id", args[0] if args else None)
        if reading_id is not None:
            message = TOOK_TOO_LONG if isinstance(exc, SoftTimeLimitExceeded) else UNEXPECTED
            reading_fail(reading_id=reading_id, message=message)


@shared_task(
    base=ReadingTask,
    name="emotions.tasks.process_reading",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=90,
    time_limit=120,
    autoretry_for=TRANSIENT_ERRORS,
    max_retries=3,
    retry_backoff=2,
    retry_backoff_max=30,
)
def process_reading(reading_id: int) -> str:
    """Read the emotions in one reading's frame; returns the reading's final status."""
    reading = run_reading(reading_id=reading_id)
    return reading.status if reading is not None else "deleted"


@shared_task(name="emotions.tasks.sweep_stuck_readings", time_limit=120, soft_time_limit=100)
def sweep_stuck_readings() -> int:
    """Fail readings stuck in pending/processing (run it from beat every few minutes)."""
    return readings_sweep_stuck()
