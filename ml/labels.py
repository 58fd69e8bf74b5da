"""The seven FER-2013 emotion classes: the one place they are listed."""

from __future__ import annotations

EMOTIONS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
NUM_CLASSES = len(EMOTIONS)

# FER+ vote columns: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt,
# unknown, not-a-face. Index i of that order maps to FER label FERPLUS_TO_FER[i] (None: no class).
FERPLUS_TO_FER: tuple[int | None, ...] = (6, 3, 5, 4, 0, 1, 2, None, None, None)
