"""Train the emotion CNN on FER-2013's Training split, selecting on PublicTest (resumable).

python -m ml.train --data ../shared/data/fer2013/fer2013.npz --out ml/runs/main
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np

from ml import calibration, metrics, plots
from ml.augment import make_dataset
from ml.data import load_fer2013, soft_targets
from ml.model import build_model
from ml.modelfile import save_model_bundle
from ml.preprocess import to_model_input


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m ml.train", description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, help="path to fer2013.npz")
    p.add_argument("--out", required=True, help="run folder (checkpoints, logs, final model)")
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3, help="peak learning rate (AdamW)")
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--widths", default="32,64,128,256", help="conv widths per stage")
    p.add_argument(
        "--ferplus-weight",
        type=float,
        default=0.3,
        help="share of the FER+ vote distribution in the soft targets (0 = FER only)",
    )
    p.add_argument("--patience", type=int, default=10, help="early stopping on PublicTest accuracy")
    p.add_argument("--limit", type=int, default=0, help="use only N training images (smoke runs)")
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument(
        "--init-from",
        default="",
        help="start from this .keras model's weights (fine-tuning a previous run) instead of "
        "random ones; its widths are used",
    )
    p.add_argument(
        "--warmup-epochs", type=int, default=2, help="linear warm-up before the cosine decay"
    )
    p.add_argument(
        "--save-epoch-weights",
        action="store_true",
        help="also keep every epoch's weights as <out>/epochs/epoch_N.weights.h5 (N = epochs "
        "done), for weight averaging with ml.average",
    )
    p.add_argument(
        "--aug-strength",
        type=float,
        default=1.0,
        help="scale of the geometric/photometric augmentation ranges and erase probability "
        "(1 = the full recipe; lower for a fine-tuning pass)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON summary object")
    return p.parse_args(argv)


def lr_schedule(
    peak: float, total_steps: int, warmup_steps: int
) -> keras.optimizers.schedules.LearningRateSchedule:
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=peak / 10,
        decay_steps=max(1, total_steps - warmup_steps),
        warmup_target=peak,
        warmup_steps=warmup_steps,
        alpha=0.01,
    )


def record_parent(init_from: Path, out: Path) -> None:
    """Keep what the starting model's bundle says about its own training in <out>/parent.json.

    Export puts it in the new bundle, so the model card can tell the whole recipe even after
    the parent bundle has been replaced by the fine-tuned one. A resumed run keeps the first copy.
    """
    target = out / "parent.json"
    if target.is_file():
        return
    meta_file = init_from.with_suffix(".json")
    meta = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
    parent = {
        "file": str(init_from),
        "model_version": meta.get("model_version"),
        "sha256": meta.get("sha256"),
        "training": meta.get("training", {}),  # with its own parent, if it had one
    }
    target.write_text(json.dumps(parent, indent=2) + "\n")


def train(args: argparse.Namespace) -> dict:
    keras.utils.set_random_seed(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    # The recipe, for ml.export and the model card (a resumed run rewrites the same values).
    (out / "args.json").write_text(json.dumps(vars(args), indent=2) + "\n")
    splits = load_fer2013(args.data)
    train_split, public = splits["train"], splits["public"]
    x_train = to_model_input(train_split.images)
    y_train = soft_targets(train_split, args.ferplus_weight)
    if args.limit:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]
    x_val = to_model_input(public.images)
    y_val = np.eye(7, dtype=np.float32)[public.labels]

    widths = tuple(int(w) for w in args.widths.split(","))
    steps_per_epoch = len(x_train) // args.batch_size
    if args.init_from:
        record_parent(Path(args.init_from), out)
        model = keras.models.load_model(args.init_from, compile=False)
        widths = (
            tuple(layer.filters for layer in model.layers if layer.name.endswith("_conv0"))
            or widths
        )
    else:
        model = build_model(widths=widths)
    warmup = steps_per_epoch * args.warmup_epochs
    model.compile(
        optimizer=keras.optimizers.AdamW(
            lr_schedule(args.lr, steps_per_epoch * args.epochs, warmup),
            weight_decay=args.weight_decay,
        ),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
    )
    best_path = out / "best.keras"
    callbacks = [
        keras.callbacks.BackupAndRestore(str(out / "backup")),
        keras.callbacks.ModelCheckpoint(
            str(best_path), monitor="val_accuracy", mode="max", save_best_only=True
        ),
        keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=args.patience),
        keras.callbacks.CSVLogger(str(out / "history.csv"), append=True),
    ]
    if args.save_epoch_weights:
        (out / "epochs").mkdir(exist_ok=True)
        callbacks.append(
            keras.callbacks.ModelCheckpoint(
                str(out / "epochs" / "epoch_{epoch}.weights.h5"), save_weights_only=True
            )
        )
    started = time.time()
    model.fit(
        make_dataset(
            x_train,
            y_train,
            args.batch_size,
            training=True,
            seed=args.seed,
            strength=args.aug_strength,
        ),
        validation_data=make_dataset(x_val, y_val, 512, training=False),
        epochs=args.epochs,
        callbacks=callbacks,
        verbose=2,
    )
    train_seconds = time.time() - started

    best = keras.models.load_model(best_path)
    val_logits = metrics.predict_logits(best, x_val, tta=True)
    temperature = calibration.fit_temperature(val_logits, public.labels)
    val_probs = calibration.softmax(val_logits / temperature)
    summary = {
        "widths": list(widths),
        "epochs_run": len(plots.read_history(out / "history.csv")),
        "train_images": len(x_train),
        "ferplus_weight": args.ferplus_weight,
        "train_seconds_this_session": round(train_seconds, 1),
        "temperature": round(float(temperature), 4),
        "public": metrics.classification_report(val_probs, public.labels),
    }
    plots.training_curves(out / "history.csv", out / "training_curves.png")
    save_model_bundle(best, out / "final", temperature=temperature, extra={"training": summary})
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        summary = train(args)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(summary))
    else:
        pub = summary["public"]
        print(
            f"trained {summary['epochs_run']} epochs; PublicTest accuracy {pub['accuracy']:.4f}, "
            f"macro-F1 {pub['macro_f1']:.4f}, temperature {summary['temperature']:.3f}"
        )
        print(f"model written to {Path(args.out) / 'final'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
