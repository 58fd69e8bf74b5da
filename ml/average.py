"""Average the weights of checkpoints from one lineage (stochastic weight averaging, SWA).

    python -m ml.average A.keras [B.keras | W.weights.h5 ...] --out ml/runs/swa/best.keras

The first file must be a full `.keras` model (the architecture); the others may be models or
`.weights.h5` files of the same architecture (e.g. per-epoch backups of an `ml.train` run).
Averaged weights sit between the checkpoints, where the loss is usually flatter; the averaged
network's BatchNorm statistics no longer match its weights, so they are re-estimated from
Training images (no augmentation), layer by layer. Choose between candidates on PublicTest
(`python -m ml.export` reports it); PrivateTest plays no part here.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, cast

import numpy as np

from ml.cli import CliError, print_json, quiet_tensorflow, run
from ml.data import default_data_path, load_fer2013
from ml.preprocess import to_model_input


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m ml.average", description=__doc__.splitlines()[0])
    p.add_argument(
        "checkpoints", nargs="+", type=Path, help="a .keras model, then .keras or .weights.h5 files"
    )
    p.add_argument("--out", type=Path, required=True, help="where to write the averaged .keras")
    p.add_argument("--data", type=Path, default=None, help="fer2013.npz (default: the shared one)")
    p.add_argument(
        "--bn-images",
        type=int,
        default=12000,
        help="Training images used to re-estimate BatchNorm statistics (0: keep the average)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p.parse_args(argv)


def load_weight_sets(paths: list[Path]) -> tuple[Any, list[list[np.ndarray]]]:
    """The first checkpoint's model, and every checkpoint's weights as arrays."""
    import keras

    model = keras.models.load_model(paths[0], compile=False)
    sets = [[np.asarray(w) for w in model.get_weights()]]
    probe = keras.models.clone_model(model)
    for path in paths[1:]:
        if path.name.endswith(".weights.h5"):
            probe.load_weights(path)
            sets.append([np.asarray(w) for w in probe.get_weights()])
        else:
            other = keras.models.load_model(path, compile=False)
            sets.append([np.asarray(w) for w in other.get_weights()])
    shapes = [w.shape for w in sets[0]]
    for path, weights in zip(paths, sets, strict=True):
        if [w.shape for w in weights] != shapes:
            raise CliError(f"{path} does not have the architecture of {paths[0]}")
    return model, sets


def recompute_batchnorm(model: Any, x: np.ndarray, batch_size: int = 512) -> int:
    """Set every BatchNorm layer's moving mean/variance to its input's statistics over `x`.

    Layers are done in order, each seeing its input through the already-updated layers before
    it (inference mode), which is what the network will see at inference. Returns the count.
    """
    import keras

    done = 0
    for layer in model.layers:
        if not isinstance(layer, keras.layers.BatchNormalization):
            continue
        feed = keras.Model(model.inputs, layer.input)
        total: np.ndarray | None = None
        total_sq: np.ndarray | None = None
        count = 0
        for start in range(0, len(x), batch_size):
            act = np.asarray(feed(x[start : start + batch_size], training=False), np.float64)
            act = act.reshape(-1, act.shape[-1])
            total = act.sum(0) if total is None else total + act.sum(0)
            total_sq = (act**2).sum(0) if total_sq is None else total_sq + (act**2).sum(0)
            count += len(act)
        # x is not empty, so the loop above ran and both sums are arrays.
        mean = cast(np.ndarray, total) / count
        var = np.maximum(cast(np.ndarray, total_sq) / count - mean**2, 0.0)
        layer.moving_mean.assign(mean.astype(np.float32))
        layer.moving_variance.assign(var.astype(np.float32))
        done += 1
    return done


def average(args: argparse.Namespace) -> dict[str, Any]:
    for path in args.checkpoints:
        if not path.is_file():
            raise CliError(f"checkpoint not found: {path}")
    if not args.checkpoints[0].name.endswith(".keras"):
        raise CliError("the first checkpoint must be a .keras model (it gives the architecture)")
    quiet_tensorflow()
    started = time.perf_counter()
    model, sets = load_weight_sets(args.checkpoints)
    model.set_weights([np.mean(stack, axis=0) for stack in zip(*sets, strict=True)])
    bn_layers = 0
    if args.bn_images:
        data_path = args.data or default_data_path()
        if not data_path.is_file():
            raise CliError(f"FER-2013 file not found: {data_path} (set --data or FER2013_PATH)")
        train = load_fer2013(data_path)["train"]
        pick = np.random.default_rng(0).permutation(len(train))[: args.bn_images]
        bn_layers = recompute_batchnorm(model, to_model_input(train.images[np.sort(pick)]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    record = {
        "averaged": [str(p) for p in args.checkpoints],
        "batchnorm_reestimated_on_training_images": args.bn_images if bn_layers else 0,
    }
    args.out.with_suffix(".average.json").write_text(json.dumps(record, indent=2) + "\n")
    return {
        "out": str(args.out),
        "checkpoints": len(args.checkpoints),
        "batchnorm_layers": bn_layers,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def body() -> int:
        result = average(args)
        if args.json:
            print_json(result)
        else:
            print(
                f"averaged {result['checkpoints']} checkpoints into {result['out']}; "
                f"{result['batchnorm_layers']} BatchNorm layers re-estimated "
                f"({result['seconds']} s)"
            )
        return 0

    return run(body, as_json=args.json)


if __name__ == "__main__":
    sys.exit(main())
