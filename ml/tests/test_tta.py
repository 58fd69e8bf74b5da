"""Test-time augmentation views: NumPy (evaluation/export) and TensorFlow (inference) agree."""

from __future__ import annotations

import numpy as np
import pytest

from ml import tta


@pytest.fixture
def batch() -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.random((3, 48, 48, 1), dtype=np.float32)


@pytest.mark.parametrize("mode", tta.MODES)
def test_numpy_and_tensorflow_views_are_identical(batch: np.ndarray, mode: str) -> None:
    import tensorflow as tf

    expected = np.concatenate(tta.views_np(batch, mode), axis=0)
    got = tta.views_tf(tf.constant(batch), mode).numpy()
    assert got.shape == (tta.view_count(mode) * len(batch), 48, 48, 1)
    np.testing.assert_array_equal(got, expected)


def test_views_are_what_the_mode_says(batch: np.ndarray) -> None:
    views = tta.views_np(batch, "flip_shift1")
    assert len(views) == 10
    np.testing.assert_array_equal(views[0], batch)
    np.testing.assert_array_equal(views[1], batch[:, :, ::-1])
    # (dy, dx) = (-1, 0): the content moves up one row; the last row repeats the border.
    up = views[2]
    np.testing.assert_array_equal(up[:, :-1], batch[:, 1:])
    np.testing.assert_array_equal(up[:, -1], batch[:, -1])
    # (0, 1): the content moves right one column; the first column repeats the border.
    right = views[8]
    np.testing.assert_array_equal(right[:, :, 1:], batch[:, :, :-1])
    np.testing.assert_array_equal(right[:, :, 0], batch[:, :, 0])
    # A mode's views are a prefix of the widest mode's: export slices them.
    for mode in tta.MODES:
        for a, b in zip(tta.views_np(batch, mode), views, strict=False):
            np.testing.assert_array_equal(a, b)


def test_average_views_undoes_the_stacking() -> None:
    import tensorflow as tf

    logits = np.arange(2 * 3 * 7, dtype=np.float32).reshape(2 * 3, 7)
    mean = tta.average_views(tf.constant(logits), 3, 2).numpy()
    np.testing.assert_allclose(mean, (logits[:3] + logits[3:]) / 2)


def test_modes_from_metadata() -> None:
    assert tta.mode_from_metadata({"tta": "flip_shift1", "tta_flip": True}) == "flip_shift1"
    assert tta.mode_from_metadata({"tta_flip": True}) == "flip"
    assert tta.mode_from_metadata({"tta_flip": False}) == "none"
    assert tta.mode_from_metadata({}) == "none"
    with pytest.raises(ValueError, match="unknown test-time augmentation"):
        tta.mode_from_metadata({"tta": "rotate90"})
