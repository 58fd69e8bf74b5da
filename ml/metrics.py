"""Classification metrics and batched prediction with optional test-time augmentation."""

from __future__ import annotations

import numpy as np

from ml.calibration import expected_calibration_error
from ml.labels import EMOTIONS, NUM_CLASSES
from ml.tta import views_np


def view_logits(model, x: np.ndarray, mode: str, *, batch_size: int = 512) -> np.ndarray:
    """(V, N, 7) logits of (N, 48, 48, 1) inputs, one row per TTA view of `mode` (ml.tta)."""
    return np.stack(
        [
            np.asarray(model.predict(np.ascontiguousarray(v), batch_size=batch_size, verbose=0))
            for v in views_np(x, mode)
        ]
    )


def predict_logits(
    model, x: np.ndarray, *, tta: bool | str = True, batch_size: int = 512
) -> np.ndarray:
    """Logits for (N, 48, 48, 1) inputs, averaged over the TTA views.

    `tta` is a mode of `ml.tta` (True means "flip", False "none").
    """
    mode = ("flip" if tta else "none") if isinstance(tta, bool) else tta
    return view_logits(model, x, mode, batch_size=batch_size).mean(axis=0)


def confusion_matrix(pred: np.ndarray, labels: np.ndarray) -> np.ndarray:
    cm = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    np.add.at(cm, (labels, pred), 1)
    return cm


def classification_report(probs: np.ndarray, labels: np.ndarray) -> dict:
    """Accuracy, macro-F1, per-class precision/recall/F1, confusion matrix and ECE."""
    pred = probs.argmax(1)
    cm = confusion_matrix(pred, labels)
    per_class = {}
    f1s = []
    for i, name in enumerate(EMOTIONS):
        tp = cm[i, i]
        precision = tp / cm[:, i].sum() if cm[:, i].sum() else 0.0
        recall = tp / cm[i].sum() if cm[i].sum() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        per_class[name] = {
            "precision": round(float(precision), 4),
            "recall": round(float(recall), 4),
            "f1": round(float(f1), 4),
            "support": int(cm[i].sum()),
        }
    return {
        "n": len(labels),
        "accuracy": round(float((pred == labels).mean()), 4),
        "macro_f1": round(float(np.mean(f1s)), 4),
        "ece": round(expected_calibration_error(probs, labels), 4),
        "per_class": per_class,
        "confusion_matrix": cm.tolist(),
    }
