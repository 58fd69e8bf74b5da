"""The LiteRT runtime: the emotion CNN and the face detector run here, without TensorFlow.

`ai_edge_litert` is Google's stand-alone TFLite interpreter (a 21 MB wheel with XNNPACK): a
worker that imports it loads no TensorFlow or Keras (ml/tests/test_runtime.py checks).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from ml.labels import NUM_CLASSES
from ml.modelfile import ModelFileError
from ml.preprocess import INPUT_SIZE

# Interpreter threads per model: up to 2 (one frame's latency). A worker with one pool process
# per core sets EMOTION_LITERT_THREADS=1 (docker/start-worker.sh): throughput, not latency.
DEFAULT_THREADS = int(os.environ.get("EMOTION_LITERT_THREADS") or min(2, os.cpu_count() or 1))


def load_interpreter(path: Path, *, num_threads: int | None = None) -> Any:
    """A LiteRT interpreter for the `.tflite` file, tensors allocated; ModelFileError if bad."""
    from ai_edge_litert.interpreter import Interpreter  # type: ignore[import-untyped]

    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"LiteRT model file not found: {path}")
    try:
        threads = max(1, num_threads or DEFAULT_THREADS)
        interpreter = Interpreter(model_path=str(path), num_threads=threads)
        interpreter.allocate_tensors()
    except (ValueError, RuntimeError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelFileError(
            f"LiteRT model file is corrupt or unreadable: {path}: {first}"
        ) from exc
    return interpreter


class LiteRTClassifier:
    """The exported emotion CNN (`ml.litert_export`): faces in, probabilities and logits out.

    One interpreter, resized when the batch size changes; calls are serialised (a LiteRT
    interpreter is not safe to share between threads).
    """

    OUTPUTS = ("probabilities", "logits", "view_logits")

    def __init__(self, path: Path, *, num_threads: int | None = None) -> None:
        self.path = Path(path)
        self._interpreter = load_interpreter(self.path, num_threads=num_threads)
        self._lock = threading.Lock()
        try:
            self._runner = self._interpreter.get_signature_runner()
        except ValueError as exc:
            raise ModelFileError(f"{self.path} has no serving signature: {exc}") from exc
        inputs = self._runner.get_input_details()
        outputs = self._runner.get_output_details()
        if list(inputs) != ["faces"] or not set(self.OUTPUTS) <= set(outputs):
            raise ModelFileError(
                f"{self.path} maps {sorted(inputs)} -> {sorted(outputs)}; expected faces -> "
                f"{', '.join(self.OUTPUTS)} (re-export with python -m ml.litert_export)"
            )
        shape = tuple(int(v) for v in inputs["faces"]["shape_signature"])
        if shape[1:] != (INPUT_SIZE, INPUT_SIZE, 1):
            raise ModelFileError(
                f"{self.path} takes {shape}; expected (-1, {INPUT_SIZE}, {INPUT_SIZE}, 1)"
            )
        self._batch = -1

    def run(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """(N, 48, 48, 1) float32 in [0, 1] -> the artefact's outputs (copies)."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        if not len(x):
            return {
                "probabilities": np.zeros((0, NUM_CLASSES), np.float32),
                "logits": np.zeros((0, NUM_CLASSES), np.float32),
                "view_logits": np.zeros((1, 0, NUM_CLASSES), np.float32),
            }
        with self._lock:
            out = self._runner(faces=x)
            return {name: np.array(out[name]) for name in self.OUTPUTS}
