"""Fixtures for the emotions tests: a private folder per test and small or shipped models."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from config.celery_app import app as celery_app


@pytest.fixture(autouse=True)
def _private_media_for_every_test(private_media: Path) -> Path:
    """Every emotions test writes frames and thumbnails to its own folder (root conftest)."""
    return private_media


def stored_files(folder: Path) -> list[str]:
    """Every file under the private folder, as storage names."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="session")
def tiny_model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An untrained model of the shipped architecture: fast, and honest about its shape."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from ml.model import build_model
    from ml.modelfile import save_model_bundle

    return save_model_bundle(
        build_model(widths=(8, 16)), tmp_path_factory.mktemp("model"), temperature=1.0
    )


@pytest.fixture
def emotion_model(settings, tiny_model_file: Path) -> Path:
    """Point EMOTION_MODEL_PATH at the tiny model."""
    settings.EMOTION_MODEL_PATH = tiny_model_file
    return tiny_model_file


def shipped_model_or_skip() -> Path:
    """The committed model; a missing one skips the test, or fails it under CI=true."""
    path = Path(settings.BASE_DIR) / "ml" / "weights" / "emotion_cnn.keras"
    if not (path.is_file() and path.with_suffix(".json").is_file()):
        message = f"the shipped emotion model {path.relative_to(settings.BASE_DIR)} is missing"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and {message}")
        pytest.skip(f"{message} (it is trained by `python -m ml.train`)")
    return path


@pytest.fixture
def shipped_model(settings) -> Path:
    """Point EMOTION_MODEL_PATH at the committed model (skip or fail when it is missing)."""
    path = shipped_model_or_skip()
    settings.EMOTION_MODEL_PATH = path
    return path


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Send tasks for real, to a Redis port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url
    closed_url = f"redis://127.0.0.1:{closed_port}/0"
    # Celery's broker_url prefers the CELERY_BROKER_URL environment variable (.ci/run sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", closed_url)
    conf.task_always_eager, conf.broker_url = False, closed_url
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_url = saved
