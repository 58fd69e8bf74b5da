"""Export a Keras emotion model to the LiteRT (`.tflite`) artefact that inference runs on.

    python -m ml.litert_export [--model ml/weights/emotion_cnn.keras] [--data PATH] [--json]

Export time only: this module imports TensorFlow; `ml.runtime` (what the worker and
`ml.predict` run) does not. The artefact holds the network *and* the bundle's test-time
augmentation views (`ml.tta`) and temperature: one call maps (N, 48, 48, 1) float32 faces to

- ``probabilities`` (N, 7): softmax(mean over the views of the logits / temperature), what the
  product shows;
- ``logits`` (N, 7): the views' mean logits, before the temperature;
- ``view_logits`` (V, N, 7): every view's logits (view 0 is the face as it is), so other TTA
  modes can be computed from the same artefact (`ml.runtime`).

The parity check compares the artefact's logits with Keras's on real PublicTest faces and records
the largest absolute difference in the bundle's metadata.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ml.cli import CliError, print_json, quiet_tensorflow, run
from ml.modelfile import (
    DEFAULT_MODEL_PATH,
    ModelFileError,
    file_sha256,
    meta_path_for,
    read_metadata,
    runtime_path_for,
)
from ml.preprocess import INPUT_SIZE, to_model_input
from ml.tta import check_mode, view_count, views_np, views_tf

RUNTIME_FORMAT = "litert"
PARITY_FACES = 512


def serving_function(model: Any, temperature: float, tta: str) -> Any:
    """The traced TensorFlow function the artefact is converted from."""
    import tensorflow as tf

    views = view_count(check_mode(tta))
    spec = tf.TensorSpec((None, INPUT_SIZE, INPUT_SIZE, 1), tf.float32, name="faces")

    @tf.function(input_signature=[spec], autograph=False)
    def classify(faces: tf.Tensor) -> dict[str, tf.Tensor]:
        n = tf.shape(faces)[0]
        stacked = views_tf(faces, tta) if views > 1 else faces
        per_view = tf.reshape(model(stacked, training=False), [views, n, -1])
        logits = tf.reduce_mean(per_view, axis=0)
        return {
            "probabilities": tf.nn.softmax(logits / temperature, axis=-1),
            "logits": logits,
            "view_logits": per_view,
        }

    return classify


def convert(model: Any, temperature: float, tta: str) -> bytes:
    """The `.tflite` flatbuffer of `model` with its TTA views and temperature (float32)."""
    quiet_tensorflow()
    import keras
    import tensorflow as tf

    fn = serving_function(model, temperature, tta)
    # Through a SavedModel written by Keras's ExportArchive (which tracks Keras 3 variables), so
    # the converter freezes the weights into constants.
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(name="serving_default", fn=fn)
    with tempfile.TemporaryDirectory() as saved:
        archive.write_out(saved, verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(saved)
        # Float32 throughout: the parity check holds the artefact to Keras's logits.
        converter.optimizations = []
        return bytes(converter.convert())


def write_runtime(model: Any, model_path: Path, *, temperature: float, tta: str) -> dict[str, Any]:
    """Write `<model>.tflite` beside `model_path` (temp file, then rename); its metadata entry."""
    target = runtime_path_for(model_path)
    data = convert(model, temperature, tta)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tflite")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return {
        "format": RUNTIME_FORMAT,
        "file": target.name,
        "sha256": file_sha256(target),
        "size_bytes": target.stat().st_size,
        "tta": tta,
        "temperature": float(temperature),
        "outputs": ["probabilities", "logits", "view_logits"],
    }


def keras_view_logits(model: Any, faces: np.ndarray, tta: str) -> np.ndarray:
    """(V, N, 7) Keras logits of the TTA views of (N, 48, 48) uint8 faces (the reference)."""
    x = to_model_input(faces)
    return np.stack(
        [np.asarray(model(np.ascontiguousarray(v), training=False)) for v in views_np(x, tta)]
    )


def parity(model: Any, model_path: Path, faces: np.ndarray) -> dict[str, Any]:
    """Largest absolute differences between the artefact and Keras on `faces`."""
    from ml.calibration import softmax
    from ml.runtime import LiteRTClassifier

    meta = read_metadata(model_path)
    tta = str(meta["runtime"]["tta"])
    temperature = float(meta["runtime"]["temperature"])
    classifier = LiteRTClassifier(runtime_path_for(model_path))
    got = classifier.run(to_model_input(faces))
    views = keras_view_logits(model, faces, tta)
    logits = views.mean(axis=0)
    return {
        "faces": len(faces),
        "max_abs_logit_diff": float(np.abs(got["logits"] - logits).max()),
        "max_abs_view_logit_diff": float(np.abs(got["view_logits"] - views).max()),
        "max_abs_probability_diff": float(
            np.abs(got["probabilities"] - softmax(logits / temperature)).max()
        ),
        "argmax_agreement": float((got["logits"].argmax(1) == logits.argmax(1)).mean()),
    }


def export_bundle(model_path: Path, data_path: Path | None) -> dict[str, Any]:
    """Add (or refresh) the LiteRT artefact of an existing bundle, with its parity record."""
    quiet_tensorflow()
    import keras

    meta = read_metadata(model_path)
    expected = meta.get("sha256")
    if expected and file_sha256(model_path) != expected:
        raise ModelFileError(f"emotion model file {model_path} does not match its metadata")
    model = keras.models.load_model(model_path, compile=False)
    from ml.tta import mode_from_metadata

    runtime = write_runtime(
        model,
        model_path,
        temperature=float(meta["temperature"]),
        tta=mode_from_metadata(meta),
    )
    runtime["source_sha256"] = file_sha256(model_path)
    meta["runtime"] = runtime
    meta_path_for(model_path).write_text(json.dumps(meta, indent=2) + "\n")
    if data_path is not None:
        from ml.data import load_fer2013

        public = load_fer2013(data_path)["public"]
        runtime["parity"] = {
            "split": "PublicTest",
            **parity(model, model_path, public.images[:PARITY_FACES]),
        }
        meta["runtime"] = runtime
        meta_path_for(model_path).write_text(json.dumps(meta, indent=2) + "\n")
    return {"model": str(model_path), "runtime": runtime}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m ml.litert_export", description=__doc__.splitlines()[0]
    )
    p.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH, help="the bundle's .keras")
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help="fer2013.npz for the parity check (default: $FER2013_PATH or ../shared/...)",
    )
    p.add_argument("--no-parity", action="store_true", help="skip the PublicTest parity check")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)

    def body() -> int:
        data_path = None
        if not args.no_parity:
            from ml.data import default_data_path

            data_path = args.data or default_data_path()
            if not data_path.is_file():
                raise CliError(
                    f"FER-2013 file not found: {data_path} (set --data or use --no-parity)"
                )
        result = export_bundle(args.model, data_path)
        if args.json:
            print_json(result)
        else:
            rt = result["runtime"]
            print(f"wrote {runtime_path_for(args.model)} ({rt['size_bytes'] / 1e6:.1f} MB)")
            if "parity" in rt:
                print(
                    f"  parity on {rt['parity']['faces']} PublicTest faces: max |logit diff| "
                    f"{rt['parity']['max_abs_logit_diff']:.2e}"
                )
        return 0

    return run(body, as_json=args.json)


if __name__ == "__main__":
    sys.exit(main())
