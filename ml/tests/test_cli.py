"""The predict / evaluate / export / model_card CLIs, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ml import evaluate, export, model_card, predict
from ml.data import REPO_ROOT
from ml.modelfile import read_metadata
from ml.tests.conftest import encode

# Each test starts TensorFlow (here or in a subprocess) and may run a whole test split: on a
# 2-core machine that is also training, that can take minutes, not a hang.
pytestmark = pytest.mark.timeout(900)


def run_module(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, "-m", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=800,
        check=False,
    )


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory, astronaut: np.ndarray, chelsea: np.ndarray):
    folder = tmp_path_factory.mktemp("photos")
    (folder / "astronaut.jpg").write_bytes(encode(astronaut, quality=90))
    (folder / "chelsea.jpg").write_bytes(encode(chelsea, quality=90))
    (folder / "notes.txt").write_text("not an image\n")
    return folder


def test_predict_reads_a_smile_as_happy(shipped_model: Path, photos: Path) -> None:
    done = run_module("ml.predict", photos / "astronaut.jpg", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    faces = result["images"][0]["faces"]
    assert len(faces) == 1
    assert faces[0]["emotion"] == "happy"
    assert set(faces[0]["probabilities"]) == {
        "angry",
        "disgust",
        "fear",
        "happy",
        "sad",
        "surprise",
        "neutral",
    }


def test_predict_finds_no_face_on_a_cat(tiny_bundle: Path, photos: Path) -> None:
    done = run_module("ml.predict", photos / "chelsea.jpg", "--json", "--model", tiny_bundle)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["images"] == [
        {
            "path": str(photos / "chelsea.jpg"),
            "width": 451,
            "height": 300,
            "model_version": read_metadata(tiny_bundle)["model_version"],
            "faces": [],
        }
    ]


def test_predict_refuses_a_non_image_with_one_line(photos: Path) -> None:
    done = run_module("ml.predict", photos / "notes.txt")
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "not an image" in lines[0]


def test_predict_json_is_one_object_even_when_an_input_is_bad(
    tiny_bundle: Path, photos: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = predict.main(
        [
            str(photos / "notes.txt"),
            str(photos / "missing.png"),
            "--json",
            "--model",
            str(tiny_bundle),
        ]
    )
    assert code == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False
    assert [e["error"] for e in out["images"]] == [
        "the file is not an image we can read (use JPEG, PNG, WebP, GIF, BMP or TIFF)",
        "no such file",
    ]


def test_predict_says_when_the_model_is_missing(
    photos: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = predict.main([str(photos / "astronaut.jpg"), "--model", str(tmp_path / "x.keras")])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: emotion model file not found: {tmp_path / 'x.keras'}"]


def test_predict_prints_a_readable_summary(
    tiny_bundle: Path, photos: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert predict.main([str(photos / "astronaut.jpg"), "--model", str(tiny_bundle)]) == 0
    out = capsys.readouterr().out
    assert "astronaut.jpg (512x512): 1 face" in out
    assert "face 1 at x=" in out


def test_evaluate_reports_everything_the_issue_asks_for(
    tiny_bundle: Path, fer_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "cm.png"
    args = ["--model", str(tiny_bundle), "--data", str(fer_path), "--split", "public"]
    assert evaluate.main([*args, "--json", "--confusion-png", str(png)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 3589
    for key in ("accuracy", "macro_f1", "ece", "per_class", "confusion_matrix", "dedup"):
        assert key in result
    assert result["dedup"]["leaked_rows_excluded"] == 280
    assert set(result["per_class"]["happy"]) >= {"precision", "recall"}
    assert png.stat().st_size > 10_000

    assert evaluate.main([*args, "--labels", "ferplus", "--no-tta", "--json"]) == 0
    ferplus = json.loads(capsys.readouterr().out)
    assert ferplus["tta"] is False
    assert 3000 < ferplus["n"] < 3589
    assert ferplus["n"] + ferplus["rows_without_label"] == 3589

    assert evaluate.main(args) == 0
    assert "de-duplicated" in capsys.readouterr().out


def test_evaluate_without_data_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert evaluate.main(["--data", str(tmp_path / "none.npz")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("error: FER-2013 file not found")


def test_export_then_model_card(
    tiny_checkpoint: Path, fer_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "history.csv").write_text(
        "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.3,1.8,0.35,1.7\n1,0.4,1.6,0.42,1.5\n"
    )
    (run_dir / "train.log").write_text(
        "Epoch 1/2\n224/224 - 138s - 615ms/step - accuracy: 0.3\nEpoch 2/2\n"
        "224/224 - 140s - 620ms/step - accuracy: 0.4\n"
    )
    (run_dir / "args.json").write_text(
        json.dumps({"epochs": 2, "lr": 0.002, "ferplus_weight": 0.3})
    )
    out, img = tmp_path / "weights", tmp_path / "img"
    code = export.main(
        [
            "--checkpoint",
            str(tiny_checkpoint),
            "--data",
            str(fer_path),
            "--out",
            str(out),
            "--run-dir",
            str(run_dir),
            "--docs-img",
            str(img),
            "--json",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    meta = read_metadata(out / "emotion_cnn.keras")
    assert summary["model_version"] == meta["model_version"]
    metrics = meta["metrics"]
    for key in ("public", "private", "public_ferplus", "private_ferplus"):
        assert 0 < metrics[key]["accuracy"] < 1
    assert metrics["private"]["dedup"]["leaked_rows_excluded"] == 314
    assert meta["training"]["train_seconds"] == 278.0
    assert meta["training"]["best_epoch"] == 2
    assert meta["training"]["args"]["epochs"] == 2
    assert 0.05 < meta["temperature"] < 10
    assert (img / "confusion_private.png").is_file()
    assert (img / "training_curves.png").is_file()

    card = tmp_path / "MODEL_CARD.md"
    assert model_card.main(["--model", str(out / "emotion_cnn.keras"), "--out", str(card)]) == 0
    text = card.read_text()
    for heading in (
        "## Results",
        "### Per class",
        "## Calibration",
        "## Training",
        "## Known failure modes",
        "## Intended use",
    ):
        assert heading in text
    assert f"{100 * metrics['private']['accuracy']:.1f} %" in text


def test_the_training_record_finds_the_checkpoint_epoch_in_a_longer_run(tmp_path: Path) -> None:
    (tmp_path / "history.csv").write_text(
        "epoch,accuracy,loss,val_accuracy,val_loss\n"
        "0,0.30,1.8,0.40,1.7\n1,0.40,1.6,0.45,1.5\n2,0.50,1.4,0.50,1.3\n"
    )
    (tmp_path / "train.log").write_text(
        "".join(f"224/224 - {s}s - 1s/step - accuracy: 0.3\n" for s in (100, 110, 120))
    )

    class Model:
        layers: list = []

        def count_params(self) -> int:
            return 1000

    # The checkpoint was copied after epoch 2; the run has logged a better epoch 3 since.
    record = export.training_record(tmp_path, Model(), public_accuracy_no_tta=0.4501)
    assert record["best_epoch"] == 2
    assert record["epochs_run"] == 3
    assert record["train_seconds_to_best"] == 210.0
    assert record["train_seconds"] == 330.0
    assert export.training_record(tmp_path, Model())["best_epoch"] == 3


def test_predict_reads_a_group_photo(shipped_model: Path, tmp_path: Path) -> None:
    """Two real faces composed into one frame: both faces and the group summary, as JSON."""
    from skimage import data

    from ml.tests.test_runtime import group_frame

    photo = tmp_path / "group.jpg"
    photo.write_bytes(encode(group_frame(data.astronaut()), quality=92))
    done = run_module("ml.predict", photo, "--json")
    assert done.returncode == 0, done.stderr
    image = json.loads(done.stdout)["images"][0]
    assert len(image["faces"]) == 2
    assert image["group"]["face_count"] == 2
    assert image["group"]["emotion"] in image["group"]["probabilities"]
    assert sum(image["group"]["probabilities"].values()) == pytest.approx(1.0, abs=1e-3)
    text = run_module("ml.predict", photo)
    assert "2 faces" in text.stdout
    assert "group:" in text.stdout
