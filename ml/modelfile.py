"""The shipped model bundle: a `.keras` file, a JSON sidecar with version and calibration, and the
LiteRT artefact (`.tflite`, the network with its TTA views and temperature) that inference runs."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from ml.labels import EMOTIONS
from ml.preprocess import CROP_MARGIN, INPUT_SIZE
from ml.tta import DEFAULT_MODE as DEFAULT_TTA
from ml.tta import MODES as TTA_MODES

FORMAT_VERSION = 1
MODEL_FILENAME = "emotion_cnn.keras"
META_FILENAME = "emotion_cnn.json"
RUNTIME_SUFFIX = ".tflite"
DEFAULT_UNCERTAIN_BELOW = 0.45
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "weights" / MODEL_FILENAME


class ModelFileError(RuntimeError):
    """The model file or its metadata is missing, corrupt or of an unsupported format."""


def meta_path_for(model_path: Path) -> Path:
    return Path(model_path).with_suffix(".json")


def runtime_path_for(model_path: Path) -> Path:
    """The LiteRT artefact of a bundle (`emotion_cnn.keras` -> `emotion_cnn.tflite`)."""
    return Path(model_path).with_suffix(RUNTIME_SUFFIX)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _atomic_write(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=path.suffix)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; other service users must read it
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_model_bundle(
    model,
    folder: Path,
    *,
    temperature: float,
    tta: str = DEFAULT_TTA,
    extra: dict | None = None,
    runtime: bool = True,
) -> Path:
    """Write model + metadata into `folder` (temp file, then rename). Returns the model path.

    With `runtime` (the default) the LiteRT artefact is written too (`ml.litert_export`; needs
    TensorFlow, as this whole function does): inference runs on it alone.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model_path = folder / MODEL_FILENAME
    _atomic_write(model_path, lambda tmp: model.save(tmp))
    sha = file_sha256(model_path)
    meta = {
        "format_version": FORMAT_VERSION,
        "model_version": f"cnn-{sha[:12]}",
        "sha256": sha,
        "classes": list(EMOTIONS),
        "input_size": INPUT_SIZE,
        "crop_margin": CROP_MARGIN,
        "temperature": float(temperature),
        "uncertain_below": DEFAULT_UNCERTAIN_BELOW,
        "tta": tta,
        "tta_flip": tta != "none",  # what bundles before the `tta` field said
        **(extra or {}),
    }
    if runtime:
        from ml.litert_export import write_runtime

        meta["runtime"] = {
            **write_runtime(model, model_path, temperature=float(temperature), tta=tta),
            "source_sha256": sha,
        }
    _atomic_write(
        meta_path_for(model_path),
        lambda tmp: Path(tmp).write_text(json.dumps(meta, indent=2) + "\n"),
    )
    return model_path


def read_metadata(model_path: Path) -> dict:
    """Validated metadata for a model file; raises ModelFileError with a readable reason."""
    model_path = Path(model_path)
    if not model_path.is_file():
        raise ModelFileError(f"emotion model file not found: {model_path}")
    meta_file = meta_path_for(model_path)
    try:
        meta = json.loads(meta_file.read_text())
    except FileNotFoundError:
        raise ModelFileError(f"model metadata not found: {meta_file}") from None
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"model metadata unreadable: {meta_file}: {exc}") from None
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"model format {meta.get('format_version')!r} is not supported "
            f"(expected {FORMAT_VERSION})"
        )
    if meta.get("classes") != list(EMOTIONS):
        raise ModelFileError("model classes do not match ml.labels.EMOTIONS")
    if "tta" in meta and meta["tta"] not in TTA_MODES:
        raise ModelFileError(
            f"model test-time augmentation {meta['tta']!r} is not supported "
            f"(expected one of {', '.join(TTA_MODES)})"
        )
    return meta
