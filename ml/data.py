"""FER-2013 (+FER+ votes) loading: splits, soft targets and the train/test leak mask."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.labels import FERPLUS_TO_FER, NUM_CLASSES

SPLITS = {"train": 0, "public": 1, "private": 2}


@dataclass(frozen=True)
class Split:
    """One FER-2013 split: 48x48 uint8 faces, original labels and FER+ vote distributions."""

    images: np.ndarray  # (N, 48, 48) uint8
    labels: np.ndarray  # (N,) int64, original FER labels
    ferplus: np.ndarray  # (N, 7) float32 FER+ distribution over our classes (zeros if no votes)
    leaked: np.ndarray  # (N,) bool: a byte-identical image exists in an earlier split

    def __len__(self) -> int:
        return len(self.labels)

    def ferplus_majority(self) -> np.ndarray:
        """FER+ majority label per row, -1 where no emotion class got votes."""
        has_votes = self.ferplus.sum(1) > 0
        return np.where(has_votes, self.ferplus.argmax(1), -1)


def ferplus_distribution(votes: np.ndarray) -> np.ndarray:
    """Map (N, 10) FER+ vote counts to (N, 7) distributions over FER classes."""
    dist = np.zeros((len(votes), NUM_CLASSES), dtype=np.float32)
    for col, fer in enumerate(FERPLUS_TO_FER):
        if fer is not None:
            dist[:, fer] += votes[:, col]
    total = dist.sum(1, keepdims=True)
    return np.divide(dist, total, out=np.zeros_like(dist), where=total > 0)


def load_fer2013(path: str | Path) -> dict[str, Split]:
    """Load the npz into {'train', 'public', 'private'} splits."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"FER-2013 file not found: {path}")
    with np.load(path) as d:
        images, labels, usage = d["images"], d["labels"].astype(np.int64), d["usage"]
        ferplus = ferplus_distribution(d["ferplus_votes"].astype(np.float32))
    digests = np.array([hashlib.blake2b(img.tobytes(), digest_size=16).digest() for img in images])
    seen: set[bytes] = set()
    splits: dict[str, Split] = {}
    for name, code in SPLITS.items():
        idx = np.flatnonzero(usage == code)
        leaked = np.array([digests[i] in seen for i in idx], dtype=bool)
        splits[name] = Split(images[idx], labels[idx], ferplus[idx], leaked)
        seen.update(digests[idx].tolist())
    return splits


def soft_targets(split: Split, ferplus_weight: float) -> np.ndarray:
    """Blend one-hot FER labels with the FER+ vote distribution (where votes exist)."""
    onehot = np.eye(NUM_CLASSES, dtype=np.float32)[split.labels]
    if ferplus_weight <= 0:
        return onehot
    has_votes = split.ferplus.sum(1, keepdims=True) > 0
    blended = (1 - ferplus_weight) * onehot + ferplus_weight * split.ferplus
    return np.where(has_votes, blended, onehot).astype(np.float32)
