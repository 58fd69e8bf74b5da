"""The worker warms the emotion model when a pool child starts, so the first reading after a
worker start doesn't wait for TensorFlow and the model to load (issue 14: 16 s under `make run`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from celery.signals import worker_process_init
from django.conf import settings

from accounts.models import User
from emotions.models import MoodReading
from emotions.services import reading_create
from emotions.tasks import process_reading
from emotions.tests import images
from ml import inference

pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def fresh_model(settings, tiny_model_file: Path, tmp_path: Path) -> Path:
    """A copy of the tiny model of its own: no other test has loaded it in this process."""
    model = tmp_path / "model" / tiny_model_file.name
    model.parent.mkdir()
    shutil.copyfile(tiny_model_file, model)
    for suffix in (".json", ".tflite"):  # the metadata and the LiteRT artefact inference runs
        shutil.copyfile(tiny_model_file.with_suffix(suffix), model.with_suffix(suffix))
    settings.EMOTION_MODEL_PATH = model
    return model


def _start_a_pool_child() -> None:
    """What a prefork (or solo) pool does in a new child before it takes any task."""
    worker_process_init.send(sender="celery@test")
    for thread in threading.enumerate():
        if thread.name == "model-warm-up":
            thread.join(timeout=300)


def _first_reading(user: User, monkeypatch: pytest.MonkeyPatch) -> tuple[MoodReading, list[Path]]:
    """Run the inference task on a new photo; returns the reading and the model loads it did."""
    loads: list[Path] = []
    real_load = inference._load_model

    def counting_load(path: Path) -> object:
        loads.append(path)
        return real_load(path)

    monkeypatch.setattr(inference, "_load_model", counting_load)
    reading = reading_create(
        user=user, image_file=images.upload(images.astronaut_jpeg()), source="upload"
    )
    process_reading.apply(args=(reading.pk,)).get()
    reading.refresh_from_db()
    return reading, loads


def test_make_run_settings_warm_the_model_at_worker_start() -> None:
    """`make run` uses config.settings.local: its worker preloads unless told otherwise."""
    env = {k: v for k, v in os.environ.items() if k != "EMOTION_MODEL_PRELOAD"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    env["DJANGO_READ_DOT_ENV_FILE"] = "false"
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.EMOTION_MODEL_PRELOAD)",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "True"


@pytest.mark.django_db
def test_the_first_reading_after_a_worker_start_does_not_load_the_model(
    settings, fresh_model: Path, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.EMOTION_MODEL_PRELOAD = True
    _start_a_pool_child()
    recognizer = inference.get_recognizer(fresh_model)
    assert recognizer.loaded

    reading, loads = _first_reading(user, monkeypatch)

    assert reading.status == MoodReading.Status.DONE
    assert loads == []  # the warm-up had loaded it: the reading paid nothing for the model


@pytest.mark.django_db
def test_without_the_warm_up_the_first_reading_pays_for_loading_the_model(
    settings, fresh_model: Path, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: the check above would notice a warm-up that didn't run."""
    settings.EMOTION_MODEL_PRELOAD = False
    _start_a_pool_child()
    assert not inference.get_recognizer(fresh_model).loaded

    reading, loads = _first_reading(user, monkeypatch)

    assert reading.status == MoodReading.Status.DONE
    assert loads == [fresh_model.with_suffix(".tflite")]  # the LiteRT artefact inference runs
