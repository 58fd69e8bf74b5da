"""EmotionRecognizer: the LiteRT path, results, group summary, alignment, threads, thumbnails."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ml import inference
from ml.calibration import softmax
from ml.inference import EmotionRecognizer, FaceResult, Recognition
from ml.labels import EMOTIONS
from ml.modelfile import read_metadata
from ml.preprocess import to_model_input
from ml.tests.conftest import ASTRONAUT_FACE, centre, encode

# The reference computations start TensorFlow: minutes, not a hang, on a busy 2-core machine.
pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def recognizer(tiny_bundle: Path) -> EmotionRecognizer:
    return EmotionRecognizer(tiny_bundle)


def reference_probs(model_path: Path, faces: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(mean(logits(x), logits(mirror x)) / T) computed with model.predict."""
    import keras

    model = keras.models.load_model(model_path, compile=False)
    x = to_model_input(faces)
    logits = (model.predict(x, verbose=0) + model.predict(x[:, :, ::-1], verbose=0)) / 2
    return softmax(logits / temperature)


def test_the_fast_path_matches_model_predict(
    recognizer: EmotionRecognizer, tiny_bundle: Path
) -> None:
    faces = np.random.default_rng(1).integers(0, 256, (300, 48, 48), dtype=np.uint8)
    probs = recognizer.classify_faces(faces)  # 300 > MAX_BATCH: two runtime calls
    assert probs.shape == (300, 7)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    expected = reference_probs(tiny_bundle, faces, read_metadata(tiny_bundle)["temperature"])
    np.testing.assert_allclose(probs, expected, atol=2e-5)


def test_tta_can_be_switched_off(tiny_bundle: Path) -> None:
    faces = np.random.default_rng(2).integers(0, 256, (4, 48, 48), dtype=np.uint8)
    plain = EmotionRecognizer(tiny_bundle, tta=False)
    assert plain.tta is False
    mirrored = plain.classify_faces(faces[:, :, ::-1].copy())
    both = EmotionRecognizer(tiny_bundle).classify_faces(faces)
    assert not np.allclose(plain.classify_faces(faces), both, atol=1e-6)
    assert np.allclose(mirrored, plain.classify_faces(faces[:, :, ::-1].copy()))


def test_the_shifted_views_mode_matches_the_numpy_views(tiny_bundle: Path) -> None:
    """A bundle shipped with `flip_shift1` averages 10 views in the compiled path, as export did."""
    import keras

    from ml.metrics import predict_logits

    faces = np.random.default_rng(3).integers(0, 256, (5, 48, 48), dtype=np.uint8)
    shifted = EmotionRecognizer(tiny_bundle, tta="flip_shift1")
    assert (shifted.tta_mode, shifted.tta) == ("flip_shift1", True)
    model = keras.models.load_model(tiny_bundle, compile=False)
    logits = predict_logits(model, to_model_input(faces), tta="flip_shift1")
    expected = softmax(logits / read_metadata(tiny_bundle)["temperature"])
    got = shifted.classify_faces(faces)
    np.testing.assert_allclose(got, expected, atol=2e-5)
    flip_only = EmotionRecognizer(tiny_bundle, tta="flip").classify_faces(faces)
    assert not np.allclose(got, flip_only, atol=1e-6)


def test_the_bundle_says_which_views_to_average(tiny_bundle: Path, tmp_path: Path) -> None:
    import json
    import shutil

    model = tmp_path / tiny_bundle.name
    shutil.copyfile(tiny_bundle, model)
    meta = read_metadata(tiny_bundle)
    assert meta["tta"] == "flip"
    (tmp_path / "emotion_cnn.json").write_text(json.dumps({**meta, "tta": "flip_shift1"}))
    assert EmotionRecognizer(model).tta_mode == "flip_shift1"
    del meta["tta"]
    meta["tta_flip"] = False  # a bundle from before the `tta` field
    (tmp_path / "emotion_cnn.json").write_text(json.dumps(meta))
    assert EmotionRecognizer(model).tta_mode == "none"


def test_no_faces_need_no_model(tmp_path: Path) -> None:
    assert EmotionRecognizer(tmp_path / "absent.keras").classify_faces(
        np.zeros((0, 48, 48), np.uint8)
    ).shape == (0, 7)


def test_recognize_returns_the_face_and_calibrated_probabilities(
    recognizer: EmotionRecognizer, astronaut: np.ndarray
) -> None:
    result = recognizer.recognize(encode(astronaut, quality=92))
    assert isinstance(result, Recognition)
    assert (result.width, result.height) == (512, 512)
    assert result.model_version == recognizer.model_version
    face = result.primary
    assert isinstance(face, FaceResult)
    assert abs(centre(face.box)[0] - centre(ASTRONAUT_FACE)[0]) < 15
    assert list(face.probabilities) == list(EMOTIONS)
    assert sum(face.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert face.emotion == max(face.probabilities, key=face.probabilities.get)
    assert face.confidence == face.probabilities[face.emotion]
    assert face.uncertain == (face.confidence < recognizer.metadata["uncertain_below"])
    as_dict = result.as_dict()
    assert as_dict["faces"][0]["emotion"] == face.emotion


def test_bytes_and_arrays_give_the_same_answer(
    recognizer: EmotionRecognizer, astronaut: np.ndarray
) -> None:
    data = encode(astronaut, "PNG")
    assert recognizer.recognize(data) == recognizer.recognize(astronaut)


def test_a_photo_without_a_face_gives_no_faces(
    recognizer: EmotionRecognizer, chelsea: np.ndarray
) -> None:
    result = recognizer.recognize(chelsea)
    assert result.faces == []
    assert result.primary is None
    assert (result.width, result.height) == (451, 300)


def test_load_happens_once_across_threads(
    tiny_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = inference._load_model

    def counting(path: Path) -> object:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(inference, "_load_model", counting)
    recognizer = EmotionRecognizer(tiny_bundle)
    faces = np.zeros((2, 48, 48), np.uint8)
    results: list[np.ndarray] = []
    threads = [
        threading.Thread(target=lambda: results.append(recognizer.classify_faces(faces)))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len(results) == 6
    assert all(np.allclose(r, results[0]) for r in results)


def test_face_thumbnail_is_a_small_jpeg(
    recognizer: EmotionRecognizer, astronaut: np.ndarray
) -> None:
    data = recognizer.face_thumbnail(encode(astronaut), ASTRONAUT_FACE)
    thumb = Image.open(io.BytesIO(data))
    assert thumb.format == "JPEG"
    assert thumb.size == (96, 96)
    assert len(data) < 10_000
    assert recognizer.face_thumbnail(astronaut, ASTRONAUT_FACE, size=48)[:2] == b"\xff\xd8"


def test_the_pixel_limit_applies_to_arrays_too(tiny_bundle: Path) -> None:
    from ml.imageio import ImageDecodeError

    recognizer = EmotionRecognizer(tiny_bundle, max_pixels=5_000)
    with pytest.raises(ImageDecodeError, match="too large"):
        recognizer.recognize(np.zeros((100, 100, 3), np.uint8))
    with pytest.raises(ImageDecodeError, match="too large"):
        recognizer.recognize(encode(np.zeros((100, 100, 3), np.uint8), "PNG"))


# ------------------------------------------------------------------------------
# The bundle's three files must agree
# ------------------------------------------------------------------------------


def _copy_bundle(bundle: Path, folder: Path) -> Path:
    import shutil

    from ml.modelfile import meta_path_for, runtime_path_for

    folder.mkdir(parents=True, exist_ok=True)
    for path in (bundle, meta_path_for(bundle), runtime_path_for(bundle)):
        shutil.copyfile(path, folder / path.name)
    return folder / bundle.name


def test_a_damaged_litert_artefact_is_refused_with_a_sentence(
    tiny_bundle: Path, tmp_path: Path
) -> None:
    from ml.modelfile import ModelFileError, runtime_path_for

    model = _copy_bundle(tiny_bundle, tmp_path)
    artefact = runtime_path_for(model)
    data = bytearray(artefact.read_bytes())
    data[len(data) // 2] ^= 0xFF
    artefact.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="does not match its metadata"):
        EmotionRecognizer(model).load()
    artefact.unlink()
    with pytest.raises(ModelFileError, match="LiteRT model file not found"):
        EmotionRecognizer(model).load()


def test_a_bundle_without_a_litert_artefact_says_how_to_make_one(
    tiny_bundle: Path, tmp_path: Path, astronaut: np.ndarray
) -> None:
    import json

    from ml.modelfile import ModelFileError, meta_path_for

    model = _copy_bundle(tiny_bundle, tmp_path)
    meta = json.loads(meta_path_for(model).read_text())
    del meta["runtime"]
    meta_path_for(model).write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match=r"python -m ml\.litert_export"):
        EmotionRecognizer(model).recognize(astronaut)


def test_the_tflite_path_works_as_the_model_path(tiny_bundle: Path, astronaut: np.ndarray) -> None:
    from ml.modelfile import runtime_path_for

    via_keras = EmotionRecognizer(tiny_bundle).recognize(astronaut)
    via_tflite = EmotionRecognizer(runtime_path_for(tiny_bundle)).recognize(astronaut)
    assert via_tflite == via_keras


# ------------------------------------------------------------------------------
# Group mode
# ------------------------------------------------------------------------------


def _face(box: tuple[int, int, int, int], probs: list[float]) -> FaceResult:
    row = dict(zip(EMOTIONS, probs, strict=True))
    best = max(row, key=row.__getitem__)
    return FaceResult(box, best, row[best], row, False)


def test_the_group_summary_is_the_area_weighted_mean() -> None:
    happy = [0.0, 0.0, 0.0, 0.9, 0.0, 0.0, 0.1]
    sad = [0.0, 0.0, 0.0, 0.0, 0.8, 0.0, 0.2]
    big, small = _face((0, 0, 30, 30), happy), _face((50, 0, 10, 10), sad)  # areas 900 and 100
    result = Recognition(faces=[big, small], width=100, height=40, model_version="v")
    group = result.group
    assert group is not None
    assert group.face_count == 2
    assert group.emotion == "happy"
    assert group.probabilities["happy"] == pytest.approx(0.81)
    assert group.probabilities["sad"] == pytest.approx(0.08)
    assert group.probabilities["neutral"] == pytest.approx(0.11)
    assert sum(group.probabilities.values()) == pytest.approx(1.0)
    assert group.confidence == group.probabilities["happy"]
    as_dict = result.as_dict()["group"]
    assert as_dict["face_count"] == 2
    assert as_dict["emotion"] == "happy"
    assert set(as_dict) == {"emotion", "confidence", "probabilities", "face_count"}


def test_one_face_or_none_has_no_group() -> None:
    one = Recognition(
        faces=[_face((0, 0, 9, 9), [0.1] * 6 + [0.4])], width=9, height=9, model_version="v"
    )
    assert one.group is None
    assert "group" not in one.as_dict()
    assert Recognition(faces=[], width=9, height=9, model_version="v").group is None
