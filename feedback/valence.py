"""How pleasant each face emotion is: the one scale "Did the music help?" compares on.

A mood after a list is *better* than the reading's when its valence is higher, *the same* when
equal, *worse* when lower. The scale is deliberately coarse: the four unpleasant emotions share
one value (going from sad to angry is not called better or worse), surprise sits halfway
between neutral and happy (it is often pleasant, not always).
"""

from __future__ import annotations

from typing import Literal

VALENCE: dict[str, float] = {
    "happy": 1.0,
    "surprise": 0.5,
    "neutral": 0.0,
    "sad": -1.0,
    "angry": -1.0,
    "fear": -1.0,
    "disgust": -1.0,
}

Change = Literal["better", "same", "worse"]
CHANGES: tuple[Change, ...] = ("better", "same", "worse")


def mood_change(before: str, after: str) -> Change:
    """Better, the same or worse: the valence of `after` against that of `before`."""
    difference = VALENCE[after] - VALENCE[before]
    if difference > 0:
        return "better"
    if difference < 0:
        return "worse"
    return "same"
