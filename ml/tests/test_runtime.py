"""The LiteRT runtime: no TensorFlow at inference, Keras parity, aligned faces, group photos."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from ml.data import REPO_ROOT
from ml.inference import EmotionRecognizer
from ml.modelfile import file_sha256, read_metadata, runtime_path_for
from ml.tests.conftest import encode

# The Keras reference starts TensorFlow: minutes, not a hang, on a busy 2-core machine.
pytestmark = pytest.mark.timeout(900)

HEAVY = ("tensorflow", "keras", "mtcnn", "tf_keras", "jax", "torch")


def grace_hopper() -> np.ndarray:
    import matplotlib.cbook
    from PIL import Image

    path = matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    return np.asarray(Image.open(path).convert("RGB"))


def webcam_frame(person: np.ndarray) -> np.ndarray:
    """`person` scaled to 480 px high on a plain 640x480 background (the bench's framing)."""
    h, w = person.shape[:2]
    scaled = cv2.resize(person, (round(w * 480 / h), 480), interpolation=cv2.INTER_AREA)
    scaled = scaled[:, :640]
    canvas = np.full((480, 640, 3), (70, 90, 110), np.uint8)
    x = (640 - scaled.shape[1]) // 2
    canvas[:, x : x + scaled.shape[1]] = scaled
    return canvas


def test_recognising_a_photo_imports_no_tensorflow(tmp_path: Path, astronaut: np.ndarray) -> None:
    photo = tmp_path / "astronaut.jpg"
    photo.write_bytes(encode(astronaut, quality=90))
    code = (
        "import sys, json; from ml.inference import EmotionRecognizer; "
        f"r = EmotionRecognizer().recognize(open({str(photo)!r}, 'rb').read()); "
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}); "
        "print(json.dumps({'emotion': r.primary.emotion, 'heavy': heavy, "
        "'litert': 'ai_edge_litert' in sys.modules}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"emotion": "happy", "heavy": [], "litert": True}


def test_the_shipped_artefact_matches_its_metadata(shipped_model: Path) -> None:
    meta = read_metadata(shipped_model)
    runtime = meta["runtime"]
    artefact = runtime_path_for(shipped_model)
    assert runtime["format"] == "litert"
    assert runtime["file"] == artefact.name
    assert runtime["sha256"] == file_sha256(artefact)
    assert runtime["source_sha256"] == meta["sha256"] == file_sha256(shipped_model)
    assert runtime["tta"] == meta["tta"]
    assert runtime["temperature"] == meta["temperature"]
    assert runtime["parity"]["faces"] == 512
    assert runtime["parity"]["max_abs_logit_diff"] < 1e-4
    assert artefact.stat().st_size < 8 * 1024 * 1024


def test_the_artefact_gives_kerass_logits_on_512_public_test_faces(
    shipped_model: Path, fer_splits: dict
) -> None:
    """Parity: the LiteRT artefact against the Keras model it was exported from."""
    import keras

    from ml.litert_export import PARITY_FACES, parity

    faces = fer_splits["public"].images[:PARITY_FACES]
    model = keras.models.load_model(shipped_model, compile=False)
    result = parity(model, shipped_model, faces)
    assert result["faces"] == 512
    assert result["max_abs_logit_diff"] < 1e-4
    assert result["max_abs_view_logit_diff"] < 1e-4
    assert result["max_abs_probability_diff"] < 1e-5
    assert result["argmax_agreement"] == 1.0


def test_other_tta_modes_come_from_the_same_artefact(shipped_model: Path, fer_splits: dict) -> None:
    """`tta=...` overrides run every view through the artefact's plain-network output."""
    import keras

    from ml.calibration import softmax
    from ml.metrics import predict_logits
    from ml.preprocess import to_model_input

    faces = fer_splits["public"].images[:64]
    model = keras.models.load_model(shipped_model, compile=False)
    temperature = read_metadata(shipped_model)["temperature"]
    for mode in ("none", "flip_shift1"):
        expected = softmax(predict_logits(model, to_model_input(faces), tta=mode) / temperature)
        got = EmotionRecognizer(shipped_model, tta=mode).classify_faces(faces)
        np.testing.assert_allclose(got, expected, atol=1e-5)


@pytest.mark.parametrize("angle", [-30, -15, 15, 30])
@pytest.mark.parametrize("who", ["astronaut", "grace_hopper"])
def test_a_tilted_face_reads_as_the_upright_one(shipped_model: Path, who: str, angle: int) -> None:
    """Alignment: turned ±15° and ±30°, the face is levelled and reads the same emotion."""
    from skimage import data

    person = data.astronaut() if who == "astronaut" else grace_hopper()
    frame = webcam_frame(person)
    recognizer = EmotionRecognizer(shipped_model)
    upright = recognizer.recognize(frame).primary
    assert upright is not None
    matrix = cv2.getRotationMatrix2D((320, 240), angle, 1.0)
    tilted = cv2.warpAffine(frame, matrix, (640, 480), borderMode=cv2.BORDER_REFLECT)
    face = recognizer.recognize(encode(tilted, quality=90)).primary
    assert face is not None
    assert face.emotion == upright.emotion
    # BlazeFace's eye keypoints are coarse (a few degrees to ~15° off on a turned face).
    assert face.angle == pytest.approx(upright.angle - angle, abs=16)
    # Levelled, the probabilities stay close to the upright face's.
    assert abs(face.probabilities[face.emotion] - upright.probabilities[face.emotion]) < 0.3


def group_frame(astronaut: np.ndarray) -> np.ndarray:
    """Two people side by side in a 640x360 webcam frame: the astronaut (left, face ~108 px)
    and Grace Hopper (right, face ~170 px)."""
    left = cv2.resize(astronaut[0:300, 80:380], (320, 320), interpolation=cv2.INTER_AREA)
    right = cv2.resize(grace_hopper()[40:440, 80:480], (320, 320), interpolation=cv2.INTER_AREA)
    frame = np.full((360, 640, 3), (70, 90, 110), np.uint8)
    frame[40:360, 0:320] = left
    frame[20:340, 320:640] = right
    return frame


def test_a_group_photo_returns_every_face_and_the_rooms_mood(
    shipped_model: Path, astronaut: np.ndarray
) -> None:
    """Two real faces composed into one frame: both faces, largest first, and a summary."""
    result = EmotionRecognizer(shipped_model).recognize(encode(group_frame(astronaut), quality=92))
    assert len(result.faces) == 2
    first, second = result.faces
    assert first.box[0] > 320 > second.box[0]  # Grace Hopper's face is the larger one
    assert first.box[2] * first.box[3] > second.box[2] * second.box[3]
    assert second.emotion == "happy"  # the astronaut smiles
    group = result.group
    assert group is not None
    assert group.face_count == 2
    assert sum(group.probabilities.values()) == pytest.approx(1.0)
    weights = np.array([f.box[2] * f.box[3] for f in result.faces], float)
    for name, p in group.probabilities.items():
        expected = sum(
            w * f.probabilities[name] for w, f in zip(weights, result.faces, strict=True)
        )
        assert p == pytest.approx(expected / weights.sum(), abs=1e-6)
    assert group.emotion == max(group.probabilities, key=group.probabilities.__getitem__)
    assert result.as_dict()["group"]["face_count"] == 2
