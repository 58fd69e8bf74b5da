"""Emotion recognition for photos and frames: the one interface the web platform calls."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ml.detect import Box, FaceDetector, default_detector
from ml.imageio import DEFAULT_MAX_PIXELS, ImageDecodeError, as_rgb, decode_image
from ml.labels import EMOTIONS, NUM_CLASSES
from ml.modelfile import ModelFileError, file_sha256, read_metadata
from ml.preprocess import INPUT_SIZE, crop_face, expand_box, to_gray, to_model_input
from ml.tta import average_views as tta_average
from ml.tta import check_mode as check_tta_mode
from ml.tta import mode_from_metadata as tta_mode_from_metadata
from ml.tta import view_count as tta_view_count
from ml.tta import views_tf as tta_views_tf

# Faces per compiled call; bounds memory when a whole dataset goes through classify_faces.
MAX_BATCH = 256


@dataclass(frozen=True)
class FaceResult:
    """One detected face and its calibrated emotion probabilities."""

    box: tuple[int, int, int, int]  # x, y, w, h in the (EXIF-corrected) image's pixels
    emotion: str  # argmax class name
    confidence: float  # calibrated probability of `emotion`
    probabilities: dict[str, float]  # all 7 classes, calibrated, sum to 1
    uncertain: bool  # confidence < metadata["uncertain_below"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "box": list(self.box),
            "emotion": self.emotion,
            "confidence": round(self.confidence, 4),
            "uncertain": self.uncertain,
            "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()},
        }


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "model_version": self.model_version,
            "faces": [face.as_dict() for face in self.faces],
        }


def _load_keras_model(path: Path) -> Any:
    """The Keras model in `path`, checked for the (None, 48, 48, 1) -> (None, 7) contract."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    try:
        model = keras.models.load_model(path, compile=False)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RuntimeError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelFileError(
            f"emotion model file is corrupt or unreadable: {path}: {first_line}"
        ) from exc
    expected_in = (None, INPUT_SIZE, INPUT_SIZE, 1)
    if tuple(model.input_shape) != expected_in or tuple(model.output_shape) != (None, NUM_CLASSES):
        raise ModelFileError(
            f"emotion model {path} maps {model.input_shape} -> {model.output_shape}; "
            f"expected {expected_in} -> (None, {NUM_CLASSES})"
        )
    return model


def _compile_classifier(model: Any, temperature: float, tta: str) -> Callable[[np.ndarray], Any]:
    """A traced function: (N, 48, 48, 1) float32 -> (N, 7) calibrated probabilities.

    The fixed input signature means one trace for every batch size, and no `model.predict`
    set-up per call. The TTA views (`ml.tta`) ride in the same batch as the faces.
    """
    import tensorflow as tf

    spec = tf.TensorSpec((None, INPUT_SIZE, INPUT_SIZE, 1), tf.float32)
    views = tta_view_count(tta)

    @tf.function(input_signature=[spec], autograph=False)
    def classify(x: tf.Tensor) -> tf.Tensor:
        if views > 1:
            logits = model(tta_views_tf(x, tta), training=False)
            logits = tta_average(logits, tf.shape(x)[0], views)
        else:
            logits = model(x, training=False)
        return tf.nn.softmax(logits / temperature, axis=-1)

    classify(np.zeros((1, INPUT_SIZE, INPUT_SIZE, 1), np.float32))  # trace now, not on a request
    return classify


class EmotionRecognizer:
    """Detect faces and read their emotions with the shipped model. Loads lazily, once.

    Construction touches nothing; `load()` (or the first call that needs the network) reads and
    checks the model. Safe to share between threads. Create it in the process that uses it
    (after any fork): TensorFlow does not survive a fork.
    """

    def __init__(
        self,
        model_path: str | Path,
        *,
        tta: bool | str | None = None,
        detector: FaceDetector | None = None,
        max_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> None:
        self.path = Path(model_path)
        self._tta_override = tta
        self._detector = detector
        self.max_pixels = max_pixels
        self._lock = threading.RLock()
        self._metadata: dict[str, Any] | None = None
        self._classify: Callable[[np.ndarray], Any] | None = None
        self._loaded_pid: int | None = None
        self._error: str | None = None

    @property
    def detector(self) -> FaceDetector:
        return self._detector or default_detector()

    @property
    def metadata(self) -> dict[str, Any]:
        """The model's validated JSON sidecar (read once; no TensorFlow needed)."""
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
        """Read, check and compile the model (idempotent). Raises ModelFileError."""
        meta = self.metadata
        tta = self.tta_mode
        with self._lock:
            if self._classify is not None:
                if self._loaded_pid != os.getpid():
                    raise RuntimeError(
                        "the emotion model was loaded before this process was forked; "
                        "create the recognizer in the worker process (see ml.inference)"
                    )
                return
            try:
                expected_sha = meta.get("sha256")
                if expected_sha and file_sha256(self.path) != expected_sha:
                    raise ModelFileError(
                        f"emotion model file {self.path} does not match its metadata "
                        "(sha256 differs): the .keras and .json files are from different exports"
                    )
                model = _load_keras_model(self.path)
                self._classify = _compile_classifier(model, float(meta["temperature"]), tta)
                self._loaded_pid = os.getpid()
                self._error = None
            except ModelFileError as exc:
                self._error = str(exc)
                raise

    def status(self, *, load: bool = False) -> dict[str, Any]:
        """Health for checks and admin pages; never raises. Loads TensorFlow only if `load`."""
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
        classify = self._classify
        if classify is None:
            raise ModelFileError(self._error or f"emotion model not loaded: {self.path}")
        chunks = [np.asarray(classify(x[i : i + MAX_BATCH])) for i in range(0, len(x), MAX_BATCH)]
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
        gray = to_gray(rgb)
        boxes = self.detector.detect(rgb, gray=gray)
        if not boxes:
            return Recognition(faces=[], width=width, height=height, model_version=version)
        probs = self.classify_faces(np.stack([crop_face(gray, box) for box in boxes]))
        threshold = float(self.metadata["uncertain_below"])
        faces = []
        for box, row in zip(boxes, probs, strict=True):
            best = int(row.argmax())
            faces.append(
                FaceResult(
                    box=box,
                    emotion=EMOTIONS[best],
                    confidence=float(row[best]),
                    probabilities={name: float(p) for name, p in zip(EMOTIONS, row, strict=True)},
                    uncertain=bool(row[best] < threshold),
                )
            )
        return Recognition(faces=faces, width=width, height=height, model_version=version)

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


def get_recognizer(model_path: str | Path) -> EmotionRecognizer:
    """The process-wide recognizer for `model_path`. Nothing is loaded until first use, and a
    forked child gets its own instance rather than its parent's."""
    key = (os.getpid(), str(Path(model_path).resolve()))
    with _recognizers_lock:
        recognizer = _recognizers.get(key)
        if recognizer is None:
            recognizer = _recognizers[key] = EmotionRecognizer(model_path)
        return recognizer
