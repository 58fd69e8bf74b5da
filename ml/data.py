"""FER-2013 (+FER+ votes) loading: splits, soft targets and the train/test leak mask."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ml.labels import FERPLUS_TO_FER, NUM_CLASSES

SPLITS = {"train": 0, "public": 1, "private": 2}
REPO_ROOT = Path(__file__).resolve().parent.parent


def default_data_path() -> Path:
    """`$FER2013_PATH`, else the shared checkout's `../shared/data/fer2013/fer2013.npz`."""
    env = os.environ.get("FER2013_PATH")
    if env:
        return Path(env)
    return REPO_ROOT.parent / "shared" / "data" / "fer2013" / "fer2013.npz"


@dataclass(frozen=True)
class Split:
    """One FER-2013 split: 48x48 uint8 faces, original labels and FER+ vote distributions."""

    images: np.ndarray  # (N, 48, 48) uint8
    labels: np.ndarray  # (N,) int64, original FER labels
    ferplus: np.ndarray  # (N, 7) float32 FER+ distribution over our classes (zeros if no votes)
    leaked: np.ndarray  # (N,) bool: a byte-identical image exists in an earlier split
    votes: np.ndarray = field(default_factory=lambda: np.zeros((0, 10), np.float32))  # raw FER+

    def __len__(self) -> int:
        return len(self.labels)

    def ferplus_majority(self) -> np.ndarray:
        """FER+ majority label per row, -1 where no emotion class got votes."""
        has_votes = self.ferplus.sum(1) > 0
        return np.where(has_votes, self.ferplus.argmax(1), -1)

    def ferplus_labels(self) -> np.ndarray:
        """FER+ majority label per row as a FER class; -1 where there is none (see below)."""
        return ferplus_majority_labels(self.votes)


def ferplus_majority_labels(votes: np.ndarray) -> np.ndarray:
    """The FER class of the most-voted of the 10 FER+ columns, or -1 where that column is
    contempt / unknown / not-a-face, where two columns tie for the most votes, or with no votes."""
    votes = np.asarray(votes, dtype=np.float32)
    labels = np.full(len(votes), -1, dtype=np.int64)
    if not len(votes):
        return labels
    top = votes.max(1)
    unique_top = (votes == top[:, None]).sum(1) == 1
    mapping = np.array([-1 if fer is None else fer for fer in FERPLUS_TO_FER], dtype=np.int64)
    mapped = mapping[votes.argmax(1)]
    ok = unique_top & (top > 0) & (mapped >= 0)
    labels[ok] = mapped[ok]
    return labels


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
        votes = d["ferplus_votes"].astype(np.float32)
        ferplus = ferplus_distribution(votes)
    digests = np.array([hashlib.blake2b(img.tobytes(), digest_size=16).digest() for img in images])
    seen: set[bytes] = set()
    splits: dict[str, Split] = {}
    for name, code in SPLITS.items():
        idx = np.flatnonzero(usage == code)
        leaked = np.array([digests[i] in seen for i in idx], dtype=bool)
        splits[name] = Split(images[idx], labels[idx], ferplus[idx], leaked, votes[idx])
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
