"""Preprocessing parity: training and inference feed the network the same tensor for a face."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ml.augment import augment_batch, make_dataset
from ml.inference import EmotionRecognizer
from ml.preprocess import INPUT_SIZE, crop_face, expand_box, to_gray, to_model_input


@pytest.fixture
def faces() -> np.ndarray:
    rng = np.random.default_rng(11)
    return rng.integers(0, 256, size=(5, INPUT_SIZE, INPUT_SIZE), dtype=np.uint8)


def training_tensor(faces: np.ndarray) -> np.ndarray:
    """What ml.train feeds the network for these faces (evaluation pipeline, no augmentation)."""
    x = to_model_input(faces)
    labels = np.zeros((len(faces), 7), np.float32)
    batch, _ = next(iter(make_dataset(x, labels, batch_size=len(faces), training=False)))
    return batch.numpy()


def inference_tensor(recognizer: EmotionRecognizer, faces: np.ndarray) -> np.ndarray:
    """What EmotionRecognizer feeds its network (the LiteRT artefact) for the same faces."""
    recognizer.load()
    seen: list[np.ndarray] = []

    class Recorder:
        """Stands where the LiteRT classifier sits and keeps what it is given."""

        def run(self, x: np.ndarray) -> dict[str, np.ndarray]:
            seen.append(np.array(x))
            uniform = np.full((len(x), 7), 1 / 7, np.float32)
            return {"probabilities": uniform, "view_logits": np.zeros((1, len(x), 7), np.float32)}

    recognizer._classify = Recorder()
    recognizer.classify_faces(faces)
    return np.concatenate(seen)


def test_training_and_inference_tensors_are_identical(tiny_bundle: Path, faces: np.ndarray) -> None:
    train_x = training_tensor(faces)
    infer_x = inference_tensor(EmotionRecognizer(tiny_bundle), faces)
    assert train_x.dtype == infer_x.dtype == np.float32
    assert train_x.shape == infer_x.shape == (5, INPUT_SIZE, INPUT_SIZE, 1)
    np.testing.assert_array_equal(train_x, infer_x)


def test_a_photo_crop_goes_through_the_same_steps(tiny_bundle: Path, faces: np.ndarray) -> None:
    # A FER-style 48x48 face inside a photo: cropping its box (the margin is clipped away at the
    # border) gives back exactly the face, so the network sees what training saw.
    face = faces[0]
    rgb = np.repeat(face[:, :, None], 3, axis=2)
    crop = crop_face(to_gray(rgb), (0, 0, INPUT_SIZE, INPUT_SIZE))
    np.testing.assert_array_equal(crop, face)
    infer_x = inference_tensor(EmotionRecognizer(tiny_bundle), crop[None])
    np.testing.assert_array_equal(infer_x, training_tensor(face[None]))


def test_model_input_scales_to_unit_range(faces: np.ndarray) -> None:
    x = to_model_input(faces)
    assert x.min() >= 0.0
    assert x.max() <= 1.0
    np.testing.assert_allclose(x[..., 0] * 255, faces, atol=1e-4)


def test_augmentation_keeps_shape_and_range(faces: np.ndarray) -> None:
    out = augment_batch(to_model_input(faces)).numpy()
    assert out.shape == (5, INPUT_SIZE, INPUT_SIZE, 1)
    assert out.min() >= 0.0
    assert out.max() <= 1.0


@pytest.mark.parametrize(
    ("box", "size", "expected"),
    [
        ((100, 100, 50, 50), (400, 400), (94, 94, 62, 62)),  # 12 % margin each side, square
        ((0, 0, 50, 50), (400, 400), (0, 0, 56, 56)),  # clipped at the top-left border
        ((100, 100, 40, 60), (400, 400), (83, 93, 74, 74)),  # tall box: square of the long side
        ((380, 380, 50, 50), (400, 400), (374, 374, 26, 26)),  # clipped at the bottom-right
    ],
)
def test_expand_box(box: tuple, size: tuple, expected: tuple) -> None:
    assert expand_box(box, *size) == expected


def test_crop_face_returns_a_48px_gray_face() -> None:
    gray = np.random.default_rng(0).integers(0, 256, (480, 640), dtype=np.uint8)
    for box in [(100, 100, 200, 200), (600, 450, 40, 30), (0, 0, 1, 1)]:
        crop = crop_face(gray, box)
        assert crop.shape == (INPUT_SIZE, INPUT_SIZE)
        assert crop.dtype == np.uint8
