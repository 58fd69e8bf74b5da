"""Test-time augmentation: the views of a face whose logits are averaged into one prediction.

Defined once, in NumPy (batch evaluation, export) and TensorFlow (the compiled inference path);
`ml/tests/test_tta.py` checks the two give identical tensors.

Modes (the model's JSON sidecar says which one was calibrated and evaluated):
- ``none``: the face as it is.
- ``flip``: the face and its mirror image (2 views).
- ``flip_shift1``: the face moved by one pixel up, down, left and right, each with its mirror
  (10 views); the pixels that move in repeat the border. Chosen on PublicTest only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# (dy, dx) shifts of the picture content, each used plain and mirrored.
_SHIFTS: dict[str, tuple[tuple[int, int], ...]] = {
    "none": ((0, 0),),
    "flip": ((0, 0),),
    "flip_shift1": ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)),
}
MODES = tuple(_SHIFTS)
DEFAULT_MODE = "flip"


def check_mode(mode: str) -> str:
    if mode not in _SHIFTS:
        raise ValueError(f"unknown test-time augmentation {mode!r}; expected one of {MODES}")
    return mode


def mode_from_metadata(meta: dict[str, Any]) -> str:
    """The TTA mode a model bundle was evaluated with (older bundles only say `tta_flip`)."""
    if "tta" in meta:
        return check_mode(str(meta["tta"]))
    return "flip" if meta.get("tta_flip", False) else "none"


def view_count(mode: str) -> int:
    return len(_SHIFTS[check_mode(mode)]) * (1 if mode == "none" else 2)


def _shift_np(x: np.ndarray, dy: int, dx: int) -> np.ndarray:
    if dy == 0 and dx == 0:
        return x
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
    h, w = x.shape[1], x.shape[2]
    return padded[:, 1 - dy : 1 - dy + h, 1 - dx : 1 - dx + w]


def views_np(x: np.ndarray, mode: str) -> list[np.ndarray]:
    """The views of a (N, H, W, C) batch, each (N, H, W, C), in a fixed order."""
    out = []
    for dy, dx in _SHIFTS[check_mode(mode)]:
        shifted = _shift_np(x, dy, dx)
        out.append(shifted)
        if mode != "none":
            out.append(shifted[:, :, ::-1])
    return out


def views_tf(x: Any, mode: str) -> Any:
    """TensorFlow twin of `views_np`: the views stacked along the batch axis, (V*N, H, W, C)."""
    import tensorflow as tf

    out = []
    h, w = x.shape[1], x.shape[2]
    padded = None
    for dy, dx in _SHIFTS[check_mode(mode)]:
        if dy == 0 and dx == 0:
            shifted = x
        else:
            if padded is None:
                # One pixel of SYMMETRIC padding repeats the border row/column ("edge" in NumPy).
                padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="SYMMETRIC")
            shifted = padded[:, 1 - dy : 1 - dy + h, 1 - dx : 1 - dx + w]
        out.append(shifted)
        if mode != "none":
            out.append(tf.reverse(shifted, axis=[2]))
    return tf.concat(out, axis=0)


def average_views(logits: Any, n: Any, views: int) -> Any:
    """Mean over the views of (V*N, K) logits stacked by `views_tf` -> (N, K)."""
    import tensorflow as tf

    return tf.reduce_mean(tf.reshape(logits, [views, n, -1]), axis=0)
