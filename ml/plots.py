"""Training curves and confusion-matrix figures (matplotlib, headless)."""

from __future__ import annotations

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from ml.labels import EMOTIONS


def read_history(path: Path) -> list[dict[str, float]]:
    """Rows of a Keras CSVLogger file; a resumed run's repeated epochs keep the latest row."""
    if not Path(path).is_file():
        return []
    by_epoch: dict[int, dict[str, float]] = {}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            if row.get("epoch", "").isdigit():
                by_epoch[int(row["epoch"])] = {k: float(v) for k, v in row.items() if v}
    return [by_epoch[e] for e in sorted(by_epoch)]


def training_curves(history_csv: Path, out_png: Path) -> None:
    rows = read_history(history_csv)
    if not rows:
        return
    epochs = [int(r["epoch"]) + 1 for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(epochs, [r["loss"] for r in rows], label="train")
    ax1.plot(epochs, [r["val_loss"] for r in rows], label="PublicTest")
    ax1.set(title="loss", xlabel="epoch")
    ax2.plot(epochs, [r["accuracy"] for r in rows], label="train (augmented)")
    ax2.plot(epochs, [r["val_accuracy"] for r in rows], label="PublicTest")
    ax2.set(title="accuracy", xlabel="epoch")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(out_png, dpi=110)
    plt.close(fig)


def confusion_matrix_png(cm: list[list[int]], out_png: Path, title: str) -> None:
    cm_arr = np.asarray(cm, dtype=float)
    norm = cm_arr / np.maximum(cm_arr.sum(1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    im = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(EMOTIONS)), EMOTIONS, rotation=45, ha="right")
    ax.set_yticks(range(len(EMOTIONS)), EMOTIONS)
    ax.set(xlabel="predicted", ylabel="true", title=title)
    for i in range(len(EMOTIONS)):
        for j in range(len(EMOTIONS)):
            ax.text(
                j,
                i,
                f"{norm[i, j]:.2f}\n({int(cm_arr[i, j])})",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if norm[i, j] > 0.5 else "black",
            )
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    fig.savefig(out_png, dpi=110)
    plt.close(fig)
