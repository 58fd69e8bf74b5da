"""Tests for the inference task's delivery guarantees, retries and failure handling."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from config.celery_app import app as celery_app
from emotions import services, tasks
from emotions.models import MoodReading
from emotions.tasks import process_reading, sweep_stuck_readings
from emotions.tests.factories import MoodReadingFactory


def test_the_task_is_acknowledged_late_and_bounded_in_time() -> None:
    assert process_reading.acks_late is True
    assert process_reading.reject_on_worker_lost is True
    assert 0 < process_reading.soft_time_limit < process_reading.time_limit
    assert process_reading.max_retries <= 3
    assert process_reading.autoretry_for == tasks.TRANSIENT_ERRORS
    assert tasks.INFERENCE_QUEUE == "ml"


@pytest.mark.django_db
def test_the_task_runs_the_service_and_returns_the_status(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reading = MoodReadingFactory(done=True)
    calls = []

    def fake_process(*, reading_id: int) -> MoodReading:
        calls.append(reading_id)
        return reading

    monkeypatch.setattr(tasks, "run_reading", fake_process)

    assert process_reading.apply(args=(reading.pk,)).get() == "done"
    assert calls == [reading.pk]


@pytest.fixture
def errors_stay_in_the_result() -> Iterator[None]:
    """Eager retries re-apply without `throw`; test settings would make them raise."""
    saved = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    try:
        yield
    finally:
        celery_app.conf.task_eager_propagates = saved


@pytest.mark.django_db
@pytest.mark.usefixtures("errors_stay_in_the_result")
def test_a_lost_database_connection_is_retried_then_the_reading_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reading = MoodReadingFactory(status=MoodReading.Status.PROCESSING)
    calls = []

    def database_gone(*, reading_id: int) -> None:
        calls.append(reading_id)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(tasks, "run_reading", database_gone)

    result = process_reading.apply(args=(reading.pk,), throw=False)

    assert isinstance(result.result, OperationalError)
    assert len(calls) == 1 + process_reading.max_retries
    reading.refresh_from_db()
    assert reading.status == MoodReading.Status.FAILED
    assert reading.error_message == services.UNEXPECTED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("error", "message"),
    [(RuntimeError("bug"), services.UNEXPECTED), (SoftTimeLimitExceeded(), services.TOOK_TOO_LONG)],
)
def test_other_errors_are_not_retried_and_fail_the_reading(
    monkeypatch: pytest.MonkeyPatch, error: Exception, message: str
) -> None:
    reading = MoodReadingFactory(status=MoodReading.Status.PROCESSING)
    calls = []

    def broken(*, reading_id: int) -> None:
        calls.append(reading_id)
        raise error

    monkeypatch.setattr(tasks, "run_reading", broken)

    process_reading.apply(args=(reading.pk,), throw=False)

    assert len(calls) == 1
    reading.refresh_from_db()
    assert reading.status == MoodReading.Status.FAILED
    assert reading.error_message == message


@pytest.mark.django_db
def test_the_sweeper_task_runs_the_sweep() -> None:
    assert sweep_stuck_readings.apply().get() == 0


def _warm_up_threads() -> list:
    import threading

    return [t for t in threading.enumerate() if t.name == "model-warm-up"]


@pytest.mark.timeout(600)
def test_a_new_worker_child_loads_the_model_at_once_when_asked(
    settings, tiny_model_file, tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    import shutil

    from ml.inference import get_recognizer

    # A copy of its own: other tests may have loaded the shared tiny model in this process.
    model = tmp_path / "model" / tiny_model_file.name
    model.parent.mkdir()
    shutil.copyfile(tiny_model_file, model)
    for suffix in (".json", ".tflite"):  # the metadata and the LiteRT artefact inference runs
        shutil.copyfile(tiny_model_file.with_suffix(suffix), model.with_suffix(suffix))
    settings.EMOTION_MODEL_PATH = model
    settings.EMOTION_MODEL_PRELOAD = False
    tasks._load_model_in_new_child()
    assert _warm_up_threads() == []
    assert not get_recognizer(model).loaded

    settings.EMOTION_MODEL_PRELOAD = True
    tasks._load_model_in_new_child()
    for thread in _warm_up_threads():
        thread.join(timeout=300)
    assert get_recognizer(model).loaded

    # A damaged model is logged, and the child stays up for the readings to report it.
    settings.EMOTION_MODEL_PATH = tmp_path / "absent.keras"
    tasks._load_model_in_new_child()
    for thread in _warm_up_threads():
        thread.join(timeout=60)
    assert "emotion model warm-up failed: emotion model file not found" in caplog.text
