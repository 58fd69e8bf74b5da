"""Emotion recognition for photos and frames: the one interface the web platform calls.

Runs on LiteRT only (`ml.runtime`): BlazeFace finds the faces and their keypoints, each face is
turned so its eyes are level and cropped with the CNN's margin (`ml.preprocess.align_face`), and
the exported CNN (`<model>.tflite`, with its TTA views and temperature inside, written by
`ml.litert_export`) reads them all in one call. Importing this module or recognising a photo
loads no TensorFlow or Keras.
"""

from __future__ import annotations

import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ml.calibration import softmax
from ml.detect import MAX_FACES, Box, Face, FaceDetector, default_detector
from ml.imageio import DEFAULT_MAX_PIXELS, ImageDecodeError, as_rgb, decode_image
from ml.labels import EMOTIONS, NUM_CLASSES
from ml.modelfile import (
    DEFAULT_MODEL_PATH,
    ModelFileError,
    file_sha256,
    read_metadata,
    runtime_path_for,
)
from ml.preprocess import align_face, expand_box, to_gray, to_model_input
from ml.tta import check_mode as check_tta_mode
from ml.tta import mode_from_metadata as tta_mode_from_metadata
from ml.tta import views_np as tta_views_np

__all__ = [
    "EmotionRecognizer",
    "FaceResult",
    "GroupSummary",
    "ModelFileError",
    "Recognition",
    "get_recognizer",
]

# Faces per runtime call; bounds memory when a whole dataset goes through classify_faces.
MAX_BATCH = 256


@dataclass(frozen=True)
class FaceResult:
    """One detected face and its calibrated emotion probabilities."""

    box: tuple[int, int, int, int]  # x, y, w, h in the (EXIF-corrected) image's pixels
    emotion: str  # argmax class name
    confidence: float  # calibrated probability of `emotion`
    probabilities: dict[str, float]  # all 7 classes, calibrated, sum to 1
    uncertain: bool  # confidence < metadata["uncertain_below"]
    # Degrees the face was turned to level its eyes (0 when the detector gave no keypoints).
    angle: float = 0.0
    # The detector's keypoints in image pixels (eyes, nose, mouth, ears; ml.detect.KEYPOINTS).
    keypoints: tuple[tuple[float, float], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "box": list(self.box),
            "emotion": self.emotion,
            "confidence": round(self.confidence, 4),
            "uncertain": self.uncertain,
            "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()},
            "angle": round(self.angle, 1),
        }
        if self.keypoints:
            result["keypoints"] = [[round(x, 1), round(y, 1)] for x, y in self.keypoints]
        return result


@dataclass(frozen=True)
class GroupSummary:
    """The mood of a frame with several faces: their probabilities averaged, weighted by area."""

    emotion: str  # argmax of `probabilities`
    confidence: float  # probabilities[emotion]
    probabilities: dict[str, float]  # all 7 classes, sum to 1
    face_count: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "emotion": self.emotion,
            "confidence": round(self.confidence, 4),
            "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()},
            "face_count": self.face_count,
        }


def group_summary(faces: list[FaceResult]) -> GroupSummary | None:
    """The area-weighted mean of the faces' probabilities; None for fewer than two faces."""
    if len(faces) < 2:
        return None
    weights = np.array([max(1, f.box[2] * f.box[3]) for f in faces], dtype=np.float64)
    probs = np.array([[f.probabilities[name] for name in EMOTIONS] for f in faces])
    mean = (probs * weights[:, None]).sum(0) / weights.sum()
    mean = mean / mean.sum()
    best = int(mean.argmax())
    return GroupSummary(
        emotion=EMOTIONS[best],
        confidence=float(mean[best]),
        probabilities={name: float(p) for name, p in zip(EMOTIONS, mean, strict=True)},
        face_count=len(faces),
    )


@dataclass(frozen=True)
class Recognition:
    """Every face found in one image, largest first (empty when there is none)."""

    faces: list[FaceResult]
    width: int
    height: int
    model_version: str

    @property
    def primary(self) -> FaceResult | None:
        """The largest face, the one the product reads the mood from."""
        return self.faces[0] if self.faces else None

    @property
    def group(self) -> GroupSummary | None:
        """The whole frame's mood when it has two faces or more (else None)."""
        return group_summary(self.faces)

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "width": self.width,
            "height": self.height,
            "model_version": self.model_version,
            "faces": [face.as_dict() for face in self.faces],
        }
        group = self.group
        if group is not None:
            result["group"] = group.as_dict()
        return result


def _load_model(path: Path) -> Any:
    """The LiteRT classifier in `path` (a `.tflite` written by `ml.litert_export`)."""
    from ml.runtime import LiteRTClassifier

    return LiteRTClassifier(path)


class EmotionRecognizer:
    """Detect faces and read their emotions with the shipped model. Loads lazily, once.

    `model_path` is the bundle's `.keras` (or its `.tflite`); None means the shipped bundle in
    ml/weights. Inference runs the bundle's LiteRT artefact; the `.keras` is only checked against
    the metadata. Construction touches nothing; `load()` (or the first call that needs the
    network) reads and checks the model and the face detector. Safe to share between threads.
    Create it in the process that uses it (after any fork): the runtime's threads do not survive
    a fork.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        tta: bool | str | None = None,
        detector: FaceDetector | None = None,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        align: bool = True,
    ) -> None:
        self.path = Path(model_path) if model_path is not None else DEFAULT_MODEL_PATH
        self._tta_override = tta
        self._detector = detector
        self.max_pixels = max_pixels
        self.align = align
        self._lock = threading.RLock()
        self._metadata: dict[str, Any] | None = None
        self._classify: Any = None
        self._runtime_tta = ""
        self._temperature = 1.0
        self._loaded_pid: int | None = None
        self._error: str | None = None

    @property
    def detector(self) -> FaceDetector:
        return self._detector or default_detector()

    @property
    def metadata(self) -> dict[str, Any]:
        """The model's validated JSON sidecar (read once)."""
        with self._lock:
            if self._metadata is None:
                self._metadata = read_metadata(self.path)
            return self._metadata

    @property
    def model_version(self) -> str:
        return str(self.metadata["model_version"])

    @property
    def tta_mode(self) -> str:
        """The test-time augmentation (`ml.tta` mode): the argument's, else the bundle's."""
        override = self._tta_override
        if isinstance(override, bool):
            return "flip" if override else "none"
        if override is not None:
            return check_tta_mode(override)
        return tta_mode_from_metadata(self.metadata)

    @property
    def tta(self) -> bool:
        """Whether any test-time augmentation is applied."""
        return self.tta_mode != "none"

    @property
    def loaded(self) -> bool:
        return self._classify is not None

    def load(self) -> None:
        """Read and check the model, and load the face detector (idempotent).

        Raises ModelFileError when the bundle's files are missing, damaged or disagree."""
        meta = self.metadata
        self.tta_mode  # noqa: B018 - a bad override fails here, before anything loads
        with self._lock:
            if self._classify is not None:
                if self._loaded_pid != os.getpid():
                    raise RuntimeError(
                        "the emotion model was loaded before this process was forked; "
                        "create the recognizer in the worker process (see ml.inference)"
                    )
                return
            try:
                runtime = self._check_bundle(meta)
                self._classify = _load_model(runtime_path_for(self.path))
                self._runtime_tta = check_tta_mode(str(runtime.get("tta", "none")))
                self._temperature = float(runtime.get("temperature", meta["temperature"]))
                detector_load = getattr(self.detector, "load", None)
                if callable(detector_load):
                    detector_load()
                self._loaded_pid = os.getpid()
                self._error = None
            except ModelFileError as exc:
                self._error = str(exc)
                raise

    def _check_bundle(self, meta: dict[str, Any]) -> dict[str, Any]:
        """The metadata's runtime entry, once the bundle's files are shown to agree with it."""
        expected_sha = meta.get("sha256")
        keras_file = self.path.suffix == ".keras"
        if keras_file and expected_sha and file_sha256(self.path) != expected_sha:
            raise ModelFileError(
                f"emotion model file {self.path} does not match its metadata "
                "(sha256 differs): the .keras and .json files are from different exports"
            )
        runtime = meta.get("runtime")
        if not isinstance(runtime, dict) or "sha256" not in runtime:
            raise ModelFileError(
                f"emotion model {self.path} has no LiteRT artefact in its metadata; "
                f"write it with: python -m ml.litert_export --model {self.path}"
            )
        if expected_sha and runtime.get("source_sha256") != expected_sha:
            raise ModelFileError(
                f"emotion model {self.path}: the LiteRT artefact does not match its metadata "
                "(it was exported from another .keras file)"
            )
        artefact = runtime_path_for(self.path)
        if not artefact.is_file():
            raise ModelFileError(f"LiteRT model file not found: {artefact}")
        if file_sha256(artefact) != runtime["sha256"]:
            raise ModelFileError(
                f"LiteRT model file {artefact} does not match its metadata (sha256 differs)"
            )
        return runtime

    def status(self, *, load: bool = False) -> dict[str, Any]:
        """Health for checks and admin pages; never raises. Loads the model only if `load`."""
        result: dict[str, Any] = {
            "ok": False,
            "model_version": None,
            "error": None,
            "path": str(self.path),
            "loaded": self.loaded,
        }
        try:
            result["model_version"] = self.model_version
            if load:
                self.load()
                result["loaded"] = True
            result["ok"] = self._error is None
            result["error"] = self._error
        except (ModelFileError, RuntimeError, OSError) as exc:
            result["error"] = str(exc)
        return result

    def classify_faces(self, faces: np.ndarray) -> np.ndarray:
        """(N, 48, 48) uint8 face crops -> (N, 7) calibrated probabilities (rows sum to 1)."""
        x = to_model_input(faces)
        if not len(x):
            return np.zeros((0, NUM_CLASSES), dtype=np.float32)
        self.load()
        classifier = self._classify
        if classifier is None:
            raise ModelFileError(self._error or f"emotion model not loaded: {self.path}")
        mode = self.tta_mode
        chunks = []
        for i in range(0, len(x), MAX_BATCH):
            chunk = x[i : i + MAX_BATCH]
            if mode == self._runtime_tta:  # the views and temperature inside the artefact
                chunks.append(classifier.run(chunk)["probabilities"])
                continue
            # Another TTA mode: every view as a face of its own; view 0 is the plain network.
            views = tta_views_np(chunk, mode)
            plain = classifier.run(np.concatenate(views))["view_logits"][0]
            logits = plain.reshape(len(views), len(chunk), -1).mean(axis=0)
            chunks.append(softmax(logits / self._temperature).astype(np.float32))
        return np.concatenate(chunks)

    def _image_array(self, image: bytes | np.ndarray) -> np.ndarray:
        if isinstance(image, bytes | bytearray | memoryview):
            return decode_image(bytes(image), max_pixels=self.max_pixels)
        rgb = as_rgb(image)
        if rgb.shape[0] * rgb.shape[1] > self.max_pixels:
            raise ImageDecodeError(
                f"the image is too large: {rgb.shape[1]}x{rgb.shape[0]} is over the "
                f"{self.max_pixels / 1e6:.0f} MP limit"
            )
        return rgb

    def recognize(self, image: bytes | np.ndarray) -> Recognition:
        """Faces and emotions in encoded image bytes or an RGB/gray uint8 array."""
        version = self.model_version  # a missing or wrong model fails here, even with no face
        rgb = self._image_array(image)
        height, width = rgb.shape[:2]
        found = self.find_faces(rgb)
        if not found:
            return Recognition(faces=[], width=width, height=height, model_version=version)
        gray = to_gray(rgb)
        angles = [face.angle if self.align else 0.0 for face in found]
        crops = [align_face(gray, f.box, a) for f, a in zip(found, angles, strict=True)]
        probs = self.classify_faces(np.stack(crops))
        threshold = float(self.metadata["uncertain_below"])
        faces = []
        for face, angle, row in zip(found, angles, probs, strict=True):
            best = int(row.argmax())
            faces.append(
                FaceResult(
                    box=face.box,
                    emotion=EMOTIONS[best],
                    confidence=float(row[best]),
                    probabilities={name: float(p) for name, p in zip(EMOTIONS, row, strict=True)},
                    uncertain=bool(row[best] < threshold),
                    angle=float(angle),
                    keypoints=face.keypoints,
                )
            )
        return Recognition(faces=faces, width=width, height=height, model_version=version)

    def find_faces(self, rgb: np.ndarray) -> list[Face]:
        """The detector's faces (at most MAX_FACES, largest first), with keypoints if it has
        them; a plugged-in detector with only `detect(image) -> boxes` works too."""
        detector = self.detector
        find = getattr(detector, "find", None)
        if callable(find):
            faces = list(find(rgb))
        else:
            boxes = detector.detect(rgb)
            faces = [Face((int(b[0]), int(b[1]), int(b[2]), int(b[3])), 1.0) for b in boxes]
        faces.sort(key=lambda f: f.box[2] * f.box[3], reverse=True)
        return faces[:MAX_FACES]

    def face_thumbnail(self, image: bytes | np.ndarray, box: Box, size: int = 96) -> bytes:
        """JPEG bytes of the face (with the model's crop margin), `size` px square, colour."""
        rgb = self._image_array(image)
        x, y, w, h = expand_box(box, rgb.shape[1], rgb.shape[0])
        crop = Image.fromarray(np.ascontiguousarray(rgb[y : y + h, x : x + w]))
        crop = crop.resize((size, size), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        crop.save(out, format="JPEG", quality=85, optimize=True)
        return out.getvalue()


_recognizers: dict[tuple[int, str], EmotionRecognizer] = {}
_recognizers_lock = threading.Lock()


def get_recognizer(model_path: str | Path | None = None) -> EmotionRecognizer:
    """The process-wide recognizer for `model_path`. Nothing is loaded until first use, and a
    forked child gets its own instance rather than its parent's."""
    path = Path(model_path) if model_path is not None else DEFAULT_MODEL_PATH
    key = (os.getpid(), str(path.resolve()))
    with _recognizers_lock:
        recognizer = _recognizers.get(key)
        if recognizer is None:
            recognizer = _recognizers[key] = EmotionRecognizer(path)
        return recognizer
