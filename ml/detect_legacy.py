"""The previous face detectors (Haar cascade, MTCNN fallback), kept for `bench/inference.py`.

The product runs `ml.detect.BlazeFaceDetector`; these stay so the benchmark can put the old
pipeline's numbers beside the new one's. MTCNN needs TensorFlow and the `mtcnn` package
(requirements/training.txt), neither of which the worker image installs.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ml.detect import Face, FaceDetector, overlap_of_smaller, rgb_image
from ml.preprocess import to_gray

CASCADE_FILE = "haarcascade_frontalface_default.xml"


def _cascade_path() -> Path:
    # cv2.data exists at run time; OpenCV's bundled stubs omit it.
    path = Path(cv2.data.haarcascades) / CASCADE_FILE  # type: ignore[attr-defined]
    if not path.is_file():
        raise RuntimeError(
            f"OpenCV has no {CASCADE_FILE} (OpenCV 5 wheels dropped the Haar cascades); "
            "install opencv-python-headless 4.x as pinned in requirements/ml.txt"
        )
    return path


def merge_duplicates(boxes: np.ndarray, scores: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Greedy suppression by score: drop a box mostly covered by (or covering) a kept one."""
    kept: list[np.ndarray] = []
    for i in np.argsort(-np.asarray(scores), kind="stable"):
        if all(overlap_of_smaller(boxes[i], k) <= threshold for k in kept):
            kept.append(boxes[i])
    return np.array(kept, dtype=np.float64).reshape(-1, 4)


def _downscale(image: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    height, width = image.shape[:2]
    scale = min(1.0, max_side / max(height, width))
    if scale >= 1.0:
        return image, 1.0
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), scale


class HaarDetector:
    """OpenCV's frontal-face Haar cascade on a copy whose long side is at most `max_side`.

    The defaults look for faces of at least a tenth of the long side (64 px in a 640x480 frame):
    the small scales are where a cascade spends most of its time and makes most of its mistakes,
    and smaller faces are left to the MTCNN fallback. Measured in bench/inference.py.
    """

    def __init__(
        self,
        *,
        max_side: int = 400,
        scale_factor: float = 1.2,
        min_neighbors: int = 5,
        min_size: int = 40,
        equalize: bool = True,
    ) -> None:
        self.max_side = max_side
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors
        self.min_size = min_size
        self.equalize = equalize
        self._path = str(_cascade_path())
        self._local = threading.local()

    def _cascade(self) -> cv2.CascadeClassifier:
        # A CascadeClassifier is not safe to share between threads: keep one per thread.
        cascade = getattr(self._local, "cascade", None)
        if cascade is None:
            cascade = cv2.CascadeClassifier(self._path)
            if cascade.empty():
                raise RuntimeError(f"could not load the face cascade {self._path}")
            self._local.cascade = cascade
        return cascade

    def detect(self, gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, 4) float boxes in `gray`'s pixels and (N,) scores (the cascade's neighbour count)."""
        small, scale = _downscale(gray, self.max_side)
        if min(small.shape[:2]) < self.min_size:
            return np.empty((0, 4)), np.empty(0)
        if self.equalize:
            small = cv2.equalizeHist(small)
        found, neighbors = self._cascade().detectMultiScale2(
            small,
            scaleFactor=self.scale_factor,
            minNeighbors=self.min_neighbors,
            minSize=(self.min_size, self.min_size),
        )
        boxes = np.asarray(found, dtype=np.float64).reshape(-1, 4) / scale
        return boxes, np.asarray(neighbors, dtype=np.float64).reshape(-1)


class MtcnnDetector:
    """MTCNN (`mtcnn` package, weights inside the wheel, runs on TensorFlow), loaded on first use.

    Slower than Haar but far better on tilted, dim, noisy or small faces. Its boxes (forehead to
    chin, taller than wide) are turned into Haar-like squares so face crops keep one framing.
    """

    # mtcnn 1.0.0 miscounts its pyramid when min_face_size != 20; we downscale the image instead.
    def __init__(self, *, max_side: int = 320, min_confidence: float = 0.9) -> None:
        self.max_side = max_side
        self.min_confidence = min_confidence
        self._model: Any = None
        self._lock = threading.Lock()

    def _get_model(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
                import tensorflow as tf
                from mtcnn import MTCNN

                model = MTCNN()
                # mtcnn 1.0.0 calls its three Keras networks eagerly, once per pyramid level;
                # compiled, a frame costs about a third of the CPU time.
                spec = tf.TensorSpec((None, None, None, 3), tf.float32)
                for stage in model.stages:
                    stage._model = tf.function(stage._model, input_signature=[spec])
                self._model = model
            return self._model

    def detect(self, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, 4) float square boxes in `rgb`'s pixels and (N,) confidences."""
        small, scale = _downscale(rgb, self.max_side)
        if min(small.shape[:2]) < 12:
            return np.empty((0, 4)), np.empty(0)
        model = self._get_model()
        with self._lock:
            found = model.detect_faces(np.ascontiguousarray(small))
        boxes, scores = [], []
        for face in found:
            if face["confidence"] < self.min_confidence:
                continue
            x, y, w, h = (float(v) for v in face["box"])
            side = (w + h) / 2
            cx, cy = x + w / 2, y + h / 2 - 0.04 * h
            boxes.append((cx - side / 2, cy - side / 2, side, side))
            scores.append(float(face["confidence"]))
        return np.asarray(boxes, dtype=np.float64).reshape(-1, 4) / scale, np.asarray(scores)


class HaarMtcnnDetector(FaceDetector):
    """The previous pipeline: Haar on every frame, MTCNN only when Haar finds nothing."""

    def __init__(
        self, *, haar: HaarDetector | None = None, fallback: MtcnnDetector | bool | None = True
    ) -> None:
        self.haar = haar or HaarDetector()
        if fallback is True:
            fallback = MtcnnDetector()
        self.fallback: MtcnnDetector | None = fallback or None
        self.name = "Haar, MTCNN when Haar finds none" if self.fallback else "Haar only"

    def find(self, rgb: np.ndarray) -> list[Face]:
        rgb = rgb_image(rgb)
        height, width = rgb.shape[:2]
        boxes, scores = self.haar.detect(to_gray(rgb))
        if not len(boxes) and self.fallback is not None:
            boxes, scores = self.fallback.detect(rgb)
        if not len(boxes):
            return []
        result: list[Face] = []
        for x, y, w, h in merge_duplicates(boxes, scores):
            x0, y0 = max(0, round(x)), max(0, round(y))
            x1, y1 = min(width, round(x + w)), min(height, round(y + h))
            if x1 > x0 and y1 > y0:
                result.append(Face((int(x0), int(y0), int(x1 - x0), int(y1 - y0)), 1.0))
        result.sort(key=lambda f: f.box[2] * f.box[3], reverse=True)
        return result


class MtcnnOnlyDetector(FaceDetector):
    """MTCNN on every frame (benchmark comparison)."""

    name = "MTCNN only"

    def __init__(self, mtcnn: MtcnnDetector | None = None) -> None:
        self.mtcnn = mtcnn or MtcnnDetector()

    def find(self, rgb: np.ndarray) -> list[Face]:
        rgb = rgb_image(rgb)
        boxes, scores = self.mtcnn.detect(rgb)
        faces = [
            Face((round(x), round(y), round(w), round(h)), 1.0)
            for x, y, w, h in merge_duplicates(boxes, scores)
        ]
        faces.sort(key=lambda f: f.box[2] * f.box[3], reverse=True)
        return faces
