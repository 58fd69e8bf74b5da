"""Turn a training checkpoint into the shipped model bundle, calibrated and fully evaluated.

    python -m ml.export --checkpoint ml/runs/main/best.keras [--data PATH] [--out ml/weights]

The test-time augmentation (`ml.tta` mode) is chosen by PublicTest accuracy and the temperature is
fitted on PublicTest logits of that mode. PrivateTest is only reported: nothing here chooses
anything by looking at it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from ml.calibration import expected_calibration_error, fit_temperature, nll, softmax
from ml.cli import CliError, print_json, quiet_tensorflow, run
from ml.data import REPO_ROOT, Split, default_data_path, load_fer2013
from ml.evaluate import evaluate_probs
from ml.metrics import view_logits
from ml.modelfile import DEFAULT_UNCERTAIN_BELOW, ModelFileError, file_sha256, save_model_bundle
from ml.plots import read_history
from ml.preprocess import to_model_input
from ml.tta import MODES as TTA_MODES
from ml.tta import view_count

DOCS_IMG = REPO_ROOT / "docs" / "img"
EPOCH_LINE = re.compile(r"^\s*\d+/\d+ - (\d+(?:\.\d+)?)s - ")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m ml.export", description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", type=Path, required=True, help="a .keras file from ml.train")
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help="fer2013.npz (default: $FER2013_PATH or ../shared/data/fer2013/fer2013.npz)",
    )
    p.add_argument("--out", type=Path, default=REPO_ROOT / "ml" / "weights", help="bundle folder")
    p.add_argument(
        "--run-dir",
        type=Path,
        default=None,
        help="the training run folder with history.csv, train.log, args.json "
        "(default: the checkpoint's folder)",
    )
    p.add_argument(
        "--train-args",
        type=Path,
        default=None,
        help="JSON of the ml.train arguments, for runs that predate <run>/args.json",
    )
    p.add_argument(
        "--tta",
        choices=("auto", *TTA_MODES),
        default="auto",
        help="test-time augmentation to ship (auto: best on PublicTest; ties: fewer views)",
    )
    p.add_argument(
        "--tta-reason",
        default="",
        help="why --tta overrides the PublicTest choice (recorded in the metadata and model card)",
    )
    p.add_argument("--docs-img", type=Path, default=DOCS_IMG, help="where the figures go")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p.parse_args(argv)


def _logits(model: Any, x: np.ndarray, mode: str = TTA_MODES[-1]) -> np.ndarray:
    """(V, N, 7) logits of the views of `mode` (by default the widest, whose prefixes are the
    other modes' views); the first view is always the face as it is."""
    return view_logits(model, x, mode)


def _mode_logits(views: np.ndarray, mode: str) -> np.ndarray:
    return views[: view_count(mode)].mean(axis=0)


def choose_tta(public_views: np.ndarray, labels: np.ndarray) -> tuple[str, dict[str, float]]:
    """The TTA mode with the best PublicTest accuracy (ties: fewer views), and every score."""
    scores = {
        mode: round(float((_mode_logits(public_views, mode).argmax(1) == labels).mean()), 4)
        for mode in TTA_MODES
    }
    best = max(TTA_MODES, key=lambda mode: (scores[mode], -view_count(mode)))
    return best, scores


def training_record(
    run_dir: Path,
    model: Any,
    public_accuracy_no_tta: float | None = None,
    args_file: Path | None = None,
) -> dict[str, Any]:
    """What the run folder says about how the checkpoint was trained.

    The run may have gone on after the checkpoint was copied: the checkpoint's epoch is the one
    whose logged PublicTest accuracy matches the checkpoint's own (else the best logged epoch).
    """
    history = read_history(run_dir / "history.csv")
    record: dict[str, Any] = {"parameters": int(model.count_params())}
    widths = [layer.filters for layer in model.layers if re.fullmatch(r"s\d+_conv0", layer.name)]
    if widths:
        record["widths"] = widths
    best_epoch = 0
    if history:
        row = max(history, key=lambda r: r.get("val_accuracy", 0.0))
        if public_accuracy_no_tta is not None:
            closest = min(history, key=lambda r: abs(r["val_accuracy"] - public_accuracy_no_tta))
            if abs(closest["val_accuracy"] - public_accuracy_no_tta) < 0.002:
                row = closest
        best_epoch = int(row["epoch"]) + 1
        record.update(
            epochs_run=len(history),
            best_epoch=best_epoch,
            best_public_accuracy_no_tta=round(row["val_accuracy"], 4),
            train_accuracy_augmented_at_best=round(row["accuracy"], 4),
        )
    log = run_dir / "train.log"
    if log.is_file():
        lines = log.read_text(errors="replace").splitlines()
        seconds = [float(m.group(1)) for m in map(EPOCH_LINE.match, lines) if m]
        if seconds:
            record["train_seconds"] = round(sum(seconds), 1)
            record["seconds_per_epoch"] = round(float(np.median(seconds)), 1)
            if best_epoch and len(seconds) >= best_epoch:
                record["train_seconds_to_best"] = round(sum(seconds[:best_epoch]), 1)
    args_file = args_file or run_dir / "args.json"
    if args_file.is_file():
        record["args"] = json.loads(args_file.read_text())
    parent = run_dir / "parent.json"
    if parent.is_file():  # a fine-tuning run (ml.train --init-from): the starting model's record
        record["initialised_from"] = json.loads(parent.read_text())
    summary = run_dir / "summary.json"
    if summary.is_file():
        done = json.loads(summary.read_text())
        record["summary"] = {k: v for k, v in done.items() if k != "public"}
    return record


def _split_metrics(
    views: np.ndarray, split: Split, temperature: float, mode: str
) -> dict[str, Any]:
    tta_logits = _mode_logits(views, mode)
    plain = views[0]
    probs = softmax(tta_logits / temperature)
    fer = evaluate_probs(probs, split, "fer", uncertain_below=DEFAULT_UNCERTAIN_BELOW)
    uncalibrated = expected_calibration_error(softmax(tta_logits), split.labels)
    fer["ece_uncalibrated"] = round(uncalibrated, 4)
    fer["nll"] = round(nll(tta_logits, split.labels, temperature), 4)
    fer["accuracy_no_tta"] = round(float((plain.argmax(1) == split.labels).mean()), 4)
    ferplus = evaluate_probs(probs, split, "ferplus")
    return {"fer": fer, "ferplus": ferplus}


def export(args: argparse.Namespace) -> dict[str, Any]:
    data_path = args.data or default_data_path()
    if not data_path.is_file():
        raise CliError(f"FER-2013 file not found: {data_path} (set --data or FER2013_PATH)")
    if not args.checkpoint.is_file():
        raise CliError(f"checkpoint not found: {args.checkpoint}")
    if args.train_args and not args.train_args.is_file():
        raise CliError(f"training arguments file not found: {args.train_args}")
    run_dir = args.run_dir or args.checkpoint.parent
    quiet_tensorflow()
    import keras

    started = time.perf_counter()
    try:
        model = keras.models.load_model(args.checkpoint, compile=False)  # drops optimizer state
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ModelFileError(f"cannot load checkpoint {args.checkpoint}: {exc}") from exc
    splits = load_fer2013(data_path)
    public, private = splits["public"], splits["private"]
    pub_views = _logits(model, to_model_input(public.images))
    tta, tta_scores = choose_tta(pub_views, public.labels)
    if args.tta != "auto":
        tta = args.tta
    temperature = fit_temperature(_mode_logits(pub_views, tta), public.labels)
    pub = _split_metrics(pub_views, public, temperature, tta)
    priv_views = _logits(model, to_model_input(private.images), tta)  # only the shipped mode
    priv = _split_metrics(priv_views, private, temperature, tta)
    metrics = {
        "public": pub["fer"],
        "public_ferplus": pub["ferplus"],
        "private": priv["fer"],
        "private_ferplus": priv["ferplus"],
    }
    extra: dict[str, Any] = {
        "exported_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "checkpoint": str(args.checkpoint),
        "data": {"file": data_path.name, "sha256": file_sha256(data_path)},
        "calibration": {"method": f"temperature scaling on PublicTest logits (TTA {tta})"},
        "tta_selection": {
            "chosen": tta,
            "by": "PublicTest accuracy" if args.tta == "auto" else "--tta",
            "public_accuracy": tta_scores,
            **({"reason": args.tta_reason} if args.tta_reason else {}),
        },
        "training": training_record(
            run_dir, model, pub["fer"]["accuracy_no_tta"], args_file=args.train_args
        ),
        "metrics": metrics,
    }
    averaged = args.checkpoint.with_suffix(".average.json")  # written by ml.average
    if averaged.is_file():
        extra["training"]["weight_average"] = json.loads(averaged.read_text())
    model_path = save_model_bundle(model, args.out, temperature=temperature, tta=tta, extra=extra)

    from ml.plots import confusion_matrix_png, training_curves

    args.docs_img.mkdir(parents=True, exist_ok=True)
    confusion = args.docs_img / "confusion_private.png"
    title = f"PrivateTest (FER labels), accuracy {metrics['private']['accuracy']:.3f}"
    confusion_matrix_png(metrics["private"]["confusion_matrix"], confusion, title)
    curves = args.docs_img / "training_curves.png"
    if (run_dir / "training_curves.png").is_file():
        shutil.copyfile(run_dir / "training_curves.png", curves)
    elif (run_dir / "history.csv").is_file():
        training_curves(run_dir / "history.csv", curves)
    meta = json.loads(model_path.with_suffix(".json").read_text())
    return {
        "model": str(model_path),
        "model_version": meta["model_version"],
        "size_bytes": model_path.stat().st_size,
        "temperature": round(temperature, 4),
        "tta": tta,
        "public": {k: metrics["public"][k] for k in ("accuracy", "macro_f1", "ece")},
        "private": {k: metrics["private"][k] for k in ("accuracy", "macro_f1", "ece")},
        "private_dedup_accuracy": metrics["private"]["dedup"]["accuracy"],
        "private_ferplus_accuracy": metrics["private_ferplus"]["accuracy"],
        "private_accuracy_no_tta": metrics["private"]["accuracy_no_tta"],
        "figures": [str(p) for p in (confusion, curves) if p.is_file()],
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def body() -> int:
        result = export(args)
        if args.json:
            print_json(result)
            return 0
        print(
            f"wrote {result['model']} ({result['size_bytes'] / 1e6:.1f} MB), "
            f"version {result['model_version']}, temperature {result['temperature']:.3f}, "
            f"TTA {result['tta']}"
        )
        for name in ("public", "private"):
            r = result[name]
            print(
                f"  {name:<8} accuracy {r['accuracy']:.4f}  macro-F1 {r['macro_f1']:.4f}  "
                f"ECE {r['ece']:.4f}"
            )
        print(
            f"  private de-duplicated accuracy {result['private_dedup_accuracy']:.4f}, "
            f"FER+ majority {result['private_ferplus_accuracy']:.4f}, "
            f"without TTA {result['private_accuracy_no_tta']:.4f}"
        )
        print(f"  figures: {', '.join(result['figures'])}")
        return 0

    return run(body, as_json=args.json)


if __name__ == "__main__":
    sys.exit(main())
