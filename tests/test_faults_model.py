"""Fault: the emotion model file is missing or corrupt when a worker starts.

/healthz reports it (the sidecar's checksum is verified), readings fail with a sentence a person
can act on, and a real Celery worker keeps running and answering rather than crash-looping.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from accounts.tests.factories import UserFactory
from config.celery_app import app as celery_app
from core.models import Heartbeat
from core.tasks import ping
from core.tests.test_worker_integration import Worker, _wait_for, spawn_worker, stop_worker
from emotions import services
from emotions.models import MoodReading
from emotions.services import reading_create, reading_process
from emotions.tasks import process_reading
from emotions.tests import images
from ml.modelfile import file_sha256, meta_path_for

Status = MoodReading.Status
WORKER_WAIT = 120.0  # seconds: a worker starting TensorFlow on a busy 2-core machine


@pytest.fixture(scope="module")
def good_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real (untrained, tiny) model bundle to damage in different ways."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from ml.model import build_model
    from ml.modelfile import save_model_bundle

    return save_model_bundle(
        build_model(widths=(8, 16)), tmp_path_factory.mktemp("good-model"), temperature=1.0
    )


def _copy(model: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / model.name
    shutil.copy(model, target)
    shutil.copy(meta_path_for(model), meta_path_for(target))
    return target


def _bit_flipped(model: Path, folder: Path) -> Path:
    """The .keras bytes damaged after export: the sidecar's checksum no longer matches."""
    path = _copy(model, folder)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def _garbage_with_matching_checksum(model: Path, folder: Path) -> Path:
    """Not a Keras file at all, with a sidecar that vouches for it (a bad export)."""
    path = _copy(model, folder)
    path.write_bytes(b"PK\x03\x04 this is not a keras archive")
    meta = json.loads(meta_path_for(path).read_text())
    meta["sha256"] = file_sha256(path)
    meta_path_for(path).write_text(json.dumps(meta))
    return path


def _without_sidecar(model: Path, folder: Path) -> Path:
    path = _copy(model, folder)
    meta_path_for(path).unlink()
    return path


def _missing(model: Path, folder: Path) -> Path:
    return folder / "nowhere" / model.name


DAMAGE: dict[str, Callable[[Path, Path], Path]] = {
    "missing": _missing,
    "bit_flipped": _bit_flipped,
    "no_sidecar": _without_sidecar,
    "not_keras": _garbage_with_matching_checksum,
}


@pytest.mark.django_db
@pytest.mark.parametrize("damage", ["missing", "bit_flipped", "no_sidecar"])
def test_healthz_reports_a_missing_or_damaged_model(
    client: Client, settings, good_model: Path, tmp_path: Path, damage: str
) -> None:
    settings.EMOTION_MODEL_PATH = DAMAGE[damage](good_model, tmp_path)
    settings.EMOTION_MODEL_REQUIRED = True

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["model"]["status"] == "error"


@pytest.mark.django_db
def test_healthz_is_ok_with_the_intact_model(client: Client, settings, good_model: Path) -> None:
    settings.EMOTION_MODEL_PATH = good_model
    settings.EMOTION_MODEL_REQUIRED = True

    model = client.get("/healthz").json()["checks"]["model"]

    assert model["status"] == "ok"
    assert "cnn-" in model["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_reading_fails_with_a_clear_message_when_the_model_is_damaged(
    settings, good_model: Path, tmp_path: Path, private_media: Path, damage: str
) -> None:
    settings.EMOTION_MODEL_PATH = DAMAGE[damage](good_model, tmp_path / damage)
    photo = images.upload(images.astronaut_jpeg())

    created = reading_create(user=UserFactory(), image_file=photo, source="upload")
    reading = reading_process(reading_id=created.pk)

    assert reading.status == Status.FAILED
    assert reading.error_message == services.MODEL_UNAVAILABLE
    assert not [path for path in private_media.rglob("*") if path.is_file()]


# ------------------------------------------------------------------------------
# A real worker started with a damaged model
# ------------------------------------------------------------------------------


@pytest.fixture
def damaged_model_worker(good_model: Path, tmp_path: Path, private_media: Path) -> Iterator[Worker]:
    """A real worker whose model file has a flipped bit, sharing `private_media` with the test."""
    assert connection.vendor == "postgresql"
    queue = f"ftest-{uuid.uuid4().hex[:12]}"
    process = spawn_worker(
        queue,
        tmp_path / "worker.log",
        CELERY_TASK_ALWAYS_EAGER="false",
        DJANGO_PRIVATE_MEDIA_ROOT=str(private_media),
        EMOTION_MODEL_PATH=str(_bit_flipped(good_model, tmp_path / "model")),
        EMOTION_MODEL_REQUIRED="true",
    )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield Worker(process, queue, tmp_path / "worker.log")
    finally:
        celery_app.conf.task_always_eager = eager
        stop_worker(process)
        with celery_app.connection_for_write(os.environ["REDIS_URL"]) as conn:
            conn.default_channel.client.delete(queue)


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_with_a_damaged_model_fails_readings_and_stays_up(
    damaged_model_worker: Worker,
) -> None:
    worker, queue = damaged_model_worker, damaged_model_worker.queue
    storage = MoodReading._meta.get_field("image").storage  # private_media's folder
    user = UserFactory()
    readings = [
        MoodReading.objects.create(
            user=user,
            source="upload",
            image=storage.save(f"frames/{user.pk}/f.jpg", images.upload(images.astronaut_jpeg())),
        )
        for _ in range(3)
    ]

    with celery_app.connection_for_write(os.environ["REDIS_URL"]) as conn:
        for reading in readings:
            process_reading.apply_async(args=(reading.pk,), queue=queue, connection=conn)
    _wait_for(
        lambda: all(r.is_final for r in MoodReading.objects.filter(user=user)),
        WORKER_WAIT,
        worker,
        "final readings",
    )
    token = uuid.uuid4().hex
    with celery_app.connection_for_write(os.environ["REDIS_URL"]) as conn:
        ping.apply_async(kwargs={"token": token}, queue=queue, connection=conn)
    _wait_for(
        lambda: Heartbeat.objects.filter(token=token).exists(), WORKER_WAIT, worker, "heartbeat"
    )

    for reading in MoodReading.objects.filter(user=user):
        assert reading.status == Status.FAILED
        assert reading.error_message == services.MODEL_UNAVAILABLE
    output = worker.log.read_text()
    assert "does not match its metadata" in output
    # One worker process for the whole run: no restart, no crash loop.
    assert worker.process.poll() is None
    assert output.count("celery@") <= 1 or output.count("ready.") == 1
