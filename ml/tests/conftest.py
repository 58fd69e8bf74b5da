"""Fixtures for the ml tests: sample photos, a tiny model bundle, and the shipped-model guard."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ml.data import default_data_path
from ml.modelfile import DEFAULT_MODEL_PATH

# Where skimage.data.astronaut() has its face (x, y, w, h), found by eye and by both detectors.
ASTRONAUT_FACE = (177, 66, 95, 95)


def require(path: Path, what: str) -> Path:
    """`path` if it exists; else skip the test, or fail it when CI=true (CI must run everything)."""
    path = Path(path)
    if path.exists():
        return path
    message = f"{what} not found at {path}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}, and CI=true requires it", pytrace=False)
    pytest.skip(f"{message} (under CI=true this fails instead)")


def encode(image: np.ndarray | Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    pil = image if isinstance(image, Image.Image) else Image.fromarray(image)
    out = io.BytesIO()
    pil.save(out, format=fmt, **params)
    return out.getvalue()


def centre(box: tuple[int, int, int, int]) -> tuple[float, float]:
    return box[0] + box[2] / 2, box[1] + box[3] / 2


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    from skimage import data

    return data.astronaut()


@pytest.fixture(scope="session")
def chelsea() -> np.ndarray:
    from skimage import data

    return data.chelsea()


@pytest.fixture(scope="session")
def shipped_model() -> Path:
    return require(DEFAULT_MODEL_PATH, "the shipped emotion model (ml/weights/emotion_cnn.keras)")


@pytest.fixture(scope="session")
def fer_path() -> Path:
    return require(default_data_path(), "FER-2013 (set FER2013_PATH or check out ../shared)")


@pytest.fixture(scope="session")
def fer_splits(fer_path: Path) -> dict:
    from ml.data import load_fer2013

    return load_fer2013(fer_path)


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An untrained 2-stage network saved like an ml.train checkpoint (fast to build and run)."""
    import keras

    from ml.model import build_model

    keras.utils.set_random_seed(7)
    model = build_model(widths=(8, 16), dense_units=16)
    path = tmp_path_factory.mktemp("ckpt") / "best.keras"
    model.save(path)
    return path


@pytest.fixture(scope="session")
def tiny_bundle(tiny_checkpoint: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny network as a model bundle (.keras + .json), temperature 1.5."""
    import keras

    from ml.modelfile import save_model_bundle

    model = keras.models.load_model(tiny_checkpoint, compile=False)
    return save_model_bundle(model, tmp_path_factory.mktemp("bundle"), temperature=1.5)
