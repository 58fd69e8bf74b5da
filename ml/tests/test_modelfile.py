"""The model bundle: missing, corrupt or mismatched files give ModelFileError, never a crash."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ml.inference import EmotionRecognizer, get_recognizer
from ml.modelfile import FORMAT_VERSION, ModelFileError, file_sha256, meta_path_for, read_metadata


@pytest.fixture
def bundle_copy(tiny_bundle: Path, tmp_path: Path) -> Path:
    model = tmp_path / tiny_bundle.name
    shutil.copyfile(tiny_bundle, model)
    shutil.copyfile(meta_path_for(tiny_bundle), meta_path_for(model))
    shutil.copyfile(tiny_bundle.with_suffix(".tflite"), model.with_suffix(".tflite"))
    return model


def edit_meta(model: Path, **changes: object) -> None:
    meta = json.loads(meta_path_for(model).read_text())
    meta.update(changes)
    meta_path_for(model).write_text(json.dumps(meta))


def test_the_bundle_metadata_reads_back(tiny_bundle: Path) -> None:
    meta = read_metadata(tiny_bundle)
    assert meta["format_version"] == FORMAT_VERSION
    assert meta["temperature"] == 1.5
    assert meta["model_version"].startswith("cnn-")


def test_a_missing_model_file_is_a_model_file_error(tmp_path: Path) -> None:
    recognizer = EmotionRecognizer(tmp_path / "nope.keras")
    with pytest.raises(ModelFileError, match="not found"):
        recognizer.load()
    status = recognizer.status()
    assert status["ok"] is False
    assert "not found" in status["error"]


def test_missing_metadata_is_a_model_file_error(bundle_copy: Path) -> None:
    meta_path_for(bundle_copy).unlink()
    with pytest.raises(ModelFileError, match="metadata not found"):
        EmotionRecognizer(bundle_copy).load()


def test_unreadable_metadata_is_a_model_file_error(bundle_copy: Path) -> None:
    meta_path_for(bundle_copy).write_text("{not json")
    with pytest.raises(ModelFileError, match="unreadable"):
        EmotionRecognizer(bundle_copy).load()


def test_a_wrong_format_version_is_refused(bundle_copy: Path) -> None:
    edit_meta(bundle_copy, format_version=FORMAT_VERSION + 1)
    with pytest.raises(ModelFileError, match="format"):
        EmotionRecognizer(bundle_copy).load()


def test_other_classes_are_refused(bundle_copy: Path) -> None:
    edit_meta(bundle_copy, classes=["happy", "sad"])
    with pytest.raises(ModelFileError, match="classes"):
        EmotionRecognizer(bundle_copy).load()


def test_an_unknown_test_time_augmentation_is_refused(bundle_copy: Path) -> None:
    edit_meta(bundle_copy, tta="rotate90")
    with pytest.raises(ModelFileError, match="test-time augmentation 'rotate90'"):
        EmotionRecognizer(bundle_copy).load()


def test_a_model_that_does_not_match_its_metadata_is_refused(bundle_copy: Path) -> None:
    with bundle_copy.open("ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelFileError, match="does not match its metadata"):
        EmotionRecognizer(bundle_copy).load()


def test_a_corrupt_model_file_is_a_model_file_error(bundle_copy: Path) -> None:
    """A garbage LiteRT artefact that its metadata vouches for (a bad export)."""
    artefact = bundle_copy.with_suffix(".tflite")
    artefact.write_bytes(b"TFL3 this is not a LiteRT flatbuffer")
    runtime = json.loads(meta_path_for(bundle_copy).read_text())["runtime"]
    edit_meta(bundle_copy, runtime={**runtime, "sha256": file_sha256(artefact)})
    recognizer = EmotionRecognizer(bundle_copy)
    with pytest.raises(ModelFileError, match="corrupt or unreadable"):
        recognizer.load()
    # Asking again gives the same clear error, not a crash or a half-loaded recognizer.
    with pytest.raises(ModelFileError):
        recognizer.load()
    status = recognizer.status(load=True)
    assert status["ok"] is False
    assert "corrupt" in status["error"]


def test_status_does_not_load_the_model_unless_asked(tiny_bundle: Path) -> None:
    recognizer = EmotionRecognizer(tiny_bundle)
    status = recognizer.status()
    assert status == {
        "ok": True,
        "model_version": read_metadata(tiny_bundle)["model_version"],
        "error": None,
        "path": str(tiny_bundle),
        "loaded": False,
    }
    assert recognizer.status(load=True)["loaded"] is True


def test_get_recognizer_is_one_lazy_instance_per_path(tiny_bundle: Path, tmp_path: Path) -> None:
    first = get_recognizer(tiny_bundle)
    assert get_recognizer(str(tiny_bundle)) is first
    assert get_recognizer(tmp_path / "other.keras") is not first
    assert not get_recognizer(tmp_path / "other.keras").loaded
