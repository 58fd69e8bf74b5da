"""Temperature scaling and expected calibration error on synthetic data with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from ml.calibration import expected_calibration_error, fit_temperature, softmax


def sample_labels(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One label per row, drawn from that row's distribution."""
    cumulative = probs.cumsum(1)
    draws = rng.random((len(probs), 1))
    return np.minimum((draws > cumulative).sum(1), probs.shape[1] - 1)


@pytest.mark.parametrize("true_temperature", [0.5, 1.0, 2.5])
def test_fit_temperature_recovers_a_known_temperature(true_temperature: float) -> None:
    rng = np.random.default_rng(3)
    logits = rng.normal(0, 3, size=(20_000, 7))
    labels = sample_labels(rng, softmax(logits / true_temperature))
    assert fit_temperature(logits, labels) == pytest.approx(true_temperature, rel=0.06)


def test_ece_is_near_zero_when_confidence_matches_accuracy() -> None:
    rng = np.random.default_rng(5)
    probs = softmax(rng.normal(0, 2, size=(50_000, 7)))
    labels = sample_labels(rng, probs)
    assert expected_calibration_error(probs, labels) < 0.01


def test_ece_sees_overconfidence() -> None:
    rng = np.random.default_rng(5)
    logits = rng.normal(0, 2, size=(50_000, 7))
    labels = sample_labels(rng, softmax(logits))
    sharpened = softmax(logits * 3)
    assert expected_calibration_error(sharpened, labels) > 0.1
    # ...which the fitted temperature undoes.
    temperature = fit_temperature(logits * 3, labels)
    assert expected_calibration_error(softmax(logits * 3 / temperature), labels) < 0.01
