"""A photo posted to the API is read by a real Celery worker on Redis and PostgreSQL, even when
the worker is killed mid-task (acks_late: the message is redelivered to the next worker)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from kombu import Exchange, Queue
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from config.celery_app import app
from core.tests.test_worker_integration import (  # the foundation's worker-test helpers
    START_TIMEOUT,
    STOP_TIMEOUT,
    Worker,
    _test_database_url,
    _wait_for,
    tasks_go_to_the_broker,  # noqa: F401 (fixture)
)
from emotions import tasks
from emotions.models import MoodReading
from emotions.tests import images
from emotions.tests.conftest import stored_files
from ml.labels import EMOTIONS

pytestmark = [pytest.mark.integration, pytest.mark.slow]

Status = MoodReading.Status
VISIBILITY_TIMEOUT = 5


@pytest.fixture
def ml_queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A queue of this test's own for the inference task (other runs may share the Redis)."""
    assert app.conf.broker_url.startswith("redis://"), "set CELERY_BROKER_URL or REDIS_URL"
    queue = f"itest-ml-{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(tasks, "INFERENCE_QUEUE", queue)
    yield queue
    with app.connection_for_write() as conn:
        declared = Queue(queue, Exchange(queue), routing_key=queue).bind(conn.default_channel)
        declared.declare()
        declared.delete()


@pytest.fixture
def start_worker(
    tmp_path: Path, ml_queue: str, private_media: Path, tiny_model_file: Path
) -> Iterator[Callable[..., Worker]]:
    """Starts `celery worker -Q <ml queue>` subprocesses sharing the database and private folder."""
    assert connection.vendor == "postgresql", "the worker must share a real database with the test"
    started: list[Worker] = []

    def start(*, delay_seconds: float = 0, visibility_timeout: int = VISIBILITY_TIMEOUT) -> Worker:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "emotions.tests.worker_settings",
            "DATABASE_URL": _test_database_url(),
            "CELERY_BROKER_URL": app.conf.broker_url,
            "DJANGO_PRIVATE_MEDIA_ROOT": str(private_media),
            "EMOTION_MODEL_PATH": str(tiny_model_file),
            "READING_TEST_PROCESS_DELAY_SECONDS": str(delay_seconds),
            "READING_TEST_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "TF_CPP_MIN_LOG_LEVEL": "2",
        }
        log = tmp_path / f"worker-{len(started)}.log"
        name = f"{ml_queue}-{len(started)}@%h"
        with log.open("wb") as sink:
            # Solo pool: the task runs in the worker process itself, so SIGKILL stops it mid-task.
            process = subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", "config.celery_app", "worker",
                    "-Q", ml_queue, "-n", name, "--pool=solo", "--without-gossip",
                    "--without-mingle", "--without-heartbeat", "--loglevel=info",
                ],
                cwd=settings.BASE_DIR, env=env, stdout=sink, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        worker = Worker(process, ml_queue, log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.process.send_signal(signal.SIGTERM)
            try:
                worker.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()


def _post_photo(data: bytes | None = None) -> int:
    api = APIClient()
    api.force_authenticate(UserFactory())
    response = api.post(
        "/api/v1/readings/",
        {"image": images.upload(data or images.astronaut_jpeg()), "source": "upload"},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "pending"
    return response.json()["id"]


def _status(reading_id: int) -> str:
    return MoodReading.objects.filter(pk=reading_id).values_list("status", flat=True).get()


def _done_and_tidied(reading_id: int) -> bool:
    """Done, and its frame deleted (the worker does that just after it stores the result)."""
    return MoodReading.objects.filter(pk=reading_id, status=Status.DONE, image="").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tasks_go_to_the_broker")
def test_a_real_worker_reads_a_posted_photo(
    start_worker: Callable[..., Worker], private_media: Path
) -> None:
    worker = start_worker()

    reading_id = _post_photo()

    _wait_for(lambda: _done_and_tidied(reading_id), START_TIMEOUT, worker, "done reading")
    reading = MoodReading.objects.get(pk=reading_id)
    assert set(reading.probabilities) == set(EMOTIONS)
    assert sum(reading.probabilities.values()) == pytest.approx(1.0, abs=1e-3)
    assert reading.face_count == 1
    assert reading.attempts == 1
    # The worker deleted the full frame and wrote the thumbnail in the shared private folder.
    assert reading.image.name == ""
    assert stored_files(private_media) == [reading.thumbnail.name]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tasks_go_to_the_broker")
def test_a_real_worker_stores_the_rooms_mood_of_a_group_photo(
    start_worker: Callable[..., Worker],
) -> None:
    worker = start_worker()

    reading_id = _post_photo(images.two_faces_jpeg())

    _wait_for(lambda: _done_and_tidied(reading_id), START_TIMEOUT, worker, "done reading")
    reading = MoodReading.objects.get(pk=reading_id)
    assert reading.face_count == len(reading.faces) == 2
    assert reading.group is not None
    assert reading.group["face_count"] == 2
    assert reading.group["emotion"] in EMOTIONS
    assert sum(reading.group["probabilities"].values()) == pytest.approx(1.0, abs=2e-3)


def _kill_a_worker_mid_task(start_worker: Callable[..., Worker], **options) -> tuple[Worker, int]:
    """Post a photo to a slowed-down worker and SIGKILL the whole worker while it reads it."""
    doomed = start_worker(delay_seconds=120, **options)
    reading_id = _post_photo()
    _wait_for(lambda: _status(reading_id) == Status.PROCESSING, START_TIMEOUT, doomed, "pickup")
    os.killpg(doomed.process.pid, signal.SIGKILL)
    doomed.process.wait(timeout=STOP_TIMEOUT)
    return doomed, reading_id


def _finished_by(rescuer: Worker, reading_id: int, timeout: float, private_media: Path) -> None:
    """The reading ends done on its second delivery, leaving only its thumbnail on disk."""
    _wait_for(lambda: _done_and_tidied(reading_id), timeout, rescuer, "second delivery")
    reading = MoodReading.objects.get(pk=reading_id)
    assert reading.attempts == 2
    assert set(reading.probabilities) == set(EMOTIONS)
    assert stored_files(private_media) == [reading.thumbnail.name]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tasks_go_to_the_broker")
def test_a_reading_survives_its_worker_being_killed_mid_task(
    start_worker: Callable[..., Worker], private_media: Path
) -> None:
    _, reading_id = _kill_a_worker_mid_task(start_worker)
    assert _status(reading_id) == Status.PROCESSING  # not acknowledged, not finished

    rescuer = start_worker()
    _finished_by(rescuer, reading_id, START_TIMEOUT + VISIBILITY_TIMEOUT, private_media)
    assert "process_reading" in rescuer.output()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tasks_go_to_the_broker")
def test_the_sweeper_resends_a_reading_whose_whole_worker_was_killed(
    start_worker: Callable[..., Worker], private_media: Path
) -> None:
    """With production's hour-long visibility timeout the killed worker's message would not come
    back for an hour; the sweeper sends the reading again once it has sat in `processing` past
    READING_RESEND_AFTER_SECONDS, and another worker finishes it."""
    from datetime import timedelta

    from django.utils import timezone

    from emotions.services import readings_sweep_stuck

    hour = 3600
    doomed, reading_id = _kill_a_worker_mid_task(start_worker, visibility_timeout=hour)

    rescuer = start_worker(visibility_timeout=hour)
    assert readings_sweep_stuck() == 0  # too early: the worker might still be running it
    assert _status(reading_id) == Status.PROCESSING
    later = timezone.now() + timedelta(seconds=settings.READING_RESEND_AFTER_SECONDS + 5)
    assert readings_sweep_stuck(now=later) == 0  # re-sent, not failed

    _finished_by(rescuer, reading_id, START_TIMEOUT, private_media)
    _forget_unacked(doomed.queue)


def _forget_unacked(queue: str) -> None:
    """Drop the killed worker's unacknowledged message from Redis (it would otherwise be
    restored into this test's deleted queue an hour from now)."""
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        for tag, payload in client.hgetall("unacked").items():
            if queue.encode() in payload:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
