"""Evaluate an emotion model on a FER-2013 test split, with FER or FER+ labels.

python -m ml.evaluate [--data PATH] [--split private|public] [--labels fer|ferplus]
                      [--model PATH] [--no-tta] [--json] [--confusion-png PATH]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from ml.cli import CliError, print_json, run
from ml.data import Split, default_data_path, load_fer2013
from ml.labels import EMOTIONS
from ml.metrics import classification_report
from ml.modelfile import DEFAULT_MODEL_PATH

SPLIT_NAMES = {"private": "PrivateTest", "public": "PublicTest"}
LABEL_SETS = ("fer", "ferplus")


def targets(split: Split, labels: str) -> np.ndarray:
    """Per-row class index under `labels`; -1 for rows without one (FER+ ties / non-emotions)."""
    if labels == "fer":
        return split.labels
    if labels == "ferplus":
        return split.ferplus_labels()
    raise ValueError(f"unknown label set {labels!r}; expected one of {LABEL_SETS}")


def evaluate_probs(
    probs: np.ndarray, split: Split, labels: str = "fer", *, uncertain_below: float | None = None
) -> dict[str, Any]:
    """The classification report for `probs` on `split`, plus de-duplicated accuracy.

    De-duplicated: without the rows whose exact image is also in an earlier split (the leak the
    dataset README describes). With FER+ labels, only rows whose FER+ majority is a FER class.
    """
    y = targets(split, labels)
    rows = y >= 0
    report = classification_report(probs[rows], y[rows])
    clean = rows & ~split.leaked
    correct = probs.argmax(1) == y
    report["labels"] = labels
    report["rows_without_label"] = int((~rows).sum())
    report["dedup"] = {
        "n": int(clean.sum()),
        "accuracy": round(float(correct[clean].mean()), 4) if clean.any() else None,
        "leaked_rows_excluded": int((rows & split.leaked).sum()),
    }
    if uncertain_below is not None:
        confident = rows & (probs.max(1) >= uncertain_below)
        report["uncertain"] = {
            "threshold": uncertain_below,
            "share_flagged": round(float(1 - confident.sum() / max(rows.sum(), 1)), 4),
            "accuracy_when_confident": (
                round(float(correct[confident].mean()), 4) if confident.any() else None
            ),
        }
    return report


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m ml.evaluate", description=__doc__.splitlines()[0])
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help="fer2013.npz (default: $FER2013_PATH or ../shared/data/fer2013/fer2013.npz)",
    )
    p.add_argument("--split", choices=sorted(SPLIT_NAMES), default="private")
    p.add_argument("--labels", choices=LABEL_SETS, default="fer")
    p.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH, help="the .keras model")
    p.add_argument("--no-tta", action="store_true", help="skip flip test-time augmentation")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--confusion-png", type=Path, help="write the confusion matrix figure here")
    return p.parse_args(argv)


def _print_report(result: dict[str, Any]) -> None:
    print(
        f"{result['model_version']} on {SPLIT_NAMES[result['split']]} ({result['labels']} labels, "
        f"{result['n']} rows, TTA {'on' if result['tta'] else 'off'}):"
    )
    dedup = result["dedup"]
    print(f"  accuracy        {result['accuracy']:.4f}")
    print(f"  macro-F1        {result['macro_f1']:.4f}")
    print(f"  ECE             {result['ece']:.4f}")
    print(
        f"  de-duplicated   {dedup['accuracy']:.4f} ({dedup['n']} rows; "
        f"{dedup['leaked_rows_excluded']} with a copy in an earlier split left out)"
    )
    if result["rows_without_label"]:
        print(f"  rows without a FER+ majority class left out: {result['rows_without_label']}")
    print(f"  {'class':<10}{'precision':>10}{'recall':>8}{'F1':>8}{'support':>9}")
    for name in EMOTIONS:
        c = result["per_class"][name]
        print(
            f"  {name:<10}{c['precision']:>10.3f}{c['recall']:>8.3f}{c['f1']:>8.3f}"
            f"{c['support']:>9}"
        )
    recorded = result.get("recorded_accuracy")
    if recorded is not None:
        print(f"  accuracy recorded in the model's metadata: {recorded:.4f}")
    if result.get("confusion_png"):
        print(f"  confusion matrix: {result['confusion_png']}")


def evaluate(args: argparse.Namespace) -> int:
    data_path = args.data or default_data_path()
    if not data_path.is_file():
        raise CliError(f"FER-2013 file not found: {data_path} (set --data or FER2013_PATH)")
    from ml.inference import EmotionRecognizer  # the LiteRT artefact, as the worker runs it

    recognizer = EmotionRecognizer(args.model, tta=False if args.no_tta else None)
    meta = recognizer.metadata
    split = load_fer2013(data_path)[args.split]
    started = time.perf_counter()
    probs = recognizer.classify_faces(split.images)
    seconds = time.perf_counter() - started
    report = evaluate_probs(
        probs, split, args.labels, uncertain_below=float(meta["uncertain_below"])
    )
    key = args.split if args.labels == "fer" else f"{args.split}_ferplus"
    recorded = meta.get("metrics", {}).get(key, {}).get("accuracy")
    result = {
        "model": str(args.model),
        "model_version": recognizer.model_version,
        "data": str(data_path),
        "split": args.split,
        "tta": recognizer.tta,
        "runtime": "litert",
        "temperature": meta["temperature"],
        **report,
        "recorded_accuracy": recorded,
        "seconds": round(seconds, 2),
    }
    if args.confusion_png:
        from ml.plots import confusion_matrix_png

        args.confusion_png.parent.mkdir(parents=True, exist_ok=True)
        split_name = SPLIT_NAMES[args.split]
        title = f"{split_name} ({args.labels} labels), accuracy {report['accuracy']:.3f}"
        confusion_matrix_png(report["confusion_matrix"], args.confusion_png, title)
        result["confusion_png"] = str(args.confusion_png)
    if args.json:
        print_json(result)
    else:
        _print_report(result)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run(lambda: evaluate(args), as_json=args.json)


if __name__ == "__main__":
    sys.exit(main())
