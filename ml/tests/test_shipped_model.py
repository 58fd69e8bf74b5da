"""Regression: the committed model loads and still scores what its metadata says."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml.evaluate import evaluate_probs
from ml.inference import EmotionRecognizer
from ml.modelfile import file_sha256, read_metadata

# Each test starts TensorFlow (here or in a subprocess) and may run a whole test split: on a
# 2-core machine that is also training, that can take minutes, not a hang.
pytestmark = pytest.mark.timeout(900)


def test_the_shipped_bundle_is_consistent(shipped_model: Path) -> None:
    meta = read_metadata(shipped_model)
    assert shipped_model.stat().st_size <= 25 * 1024 * 1024
    assert meta["sha256"] == file_sha256(shipped_model)
    assert meta["model_version"] == f"cnn-{meta['sha256'][:12]}"
    assert {"public", "private", "private_ferplus"} <= set(meta["metrics"])


def test_the_shipped_model_reproduces_its_private_test_accuracy(
    shipped_model: Path, fer_splits: dict
) -> None:
    recognizer = EmotionRecognizer(shipped_model)
    recorded = recognizer.metadata["metrics"]["private"]
    split = fer_splits["private"]
    report = evaluate_probs(recognizer.classify_faces(split.images), split, "fer")
    assert report["accuracy"] == pytest.approx(recorded["accuracy"], abs=0.005)
    assert report["dedup"]["accuracy"] == pytest.approx(recorded["dedup"]["accuracy"], abs=0.005)
