"""Celery tasks of the emotions app: inference on the `ml` queue and the stuck-reading sweeper."""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init
from django.conf import settings
from django.db import InterfaceError, OperationalError

from emotions.services import (
    TOOK_TOO_LONG,
    UNEXPECTED,
    reading_fail,
    readings_sweep_stuck,
    recognizer_warm_up,
)
from emotions.services import reading_process as run_reading

logger = logging.getLogger(__name__)

INFERENCE_QUEUE = "ml"
# Only a lost database connection is worth another try; anything else would fail again.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


def _warm_up_model() -> None:
    try:
        recognizer_warm_up()
    except Exception as exc:  # noqa: BLE001 - readings report it; the child must stay up
        logger.error("emotion model warm-up failed: %s", exc)


@worker_process_init.connect
def _load_model_in_new_child(**kwargs: Any) -> None:
    """With EMOTION_MODEL_PRELOAD, a new pool child loads the model at once (after the fork, as
    TensorFlow requires), so its first reading doesn't pay seconds for it. In a thread: the pool
    waits only a few seconds for a new child to report that it is up."""
    if getattr(settings, "EMOTION_MODEL_PRELOAD", False):
        threading.Thread(target=_warm_up_model, name="model-warm-up", daemon=True).start()


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
