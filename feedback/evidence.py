"""Ratings evidence: what listeners' stars say about a track's mood, behind one entry point.

`ratings_changed` is the one call every writer of ratings or rules makes (a new rating, deleted
history, an edited emotion -> mood rule): it re-derives the pooled ratings evidence of the tracks
concerned and stores it with the track's other mood evidence in `library`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
from django.db import transaction

from feedback import ports
from feedback.selectors import rated_track_ids, rating_contexts_for_tracks
from library.evidence import evidence_replace
from library.models import TrackMood
from library.moodspace import MOODS

N_MOODS = len(MOODS)


def ratings_mood_evidence(
    *,
    stars: np.ndarray,
    targets: np.ndarray,
    prior_strength: float = 2.0,
    sure_after: float = 2.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mood evidence from listeners' ratings of one track: (score, weight, amount) per mood.

    A rating of s stars given while the rules targeted moods `targets` (one row of MOODS weights
    per rating) says the track fits those moods by (s - 1) / 4. Per mood, the score is that fit
    averaged and shrunk toward 1/4 (no better than chance among four moods, so a lone low rating
    counts against the mood), and the weight grows with the amount of evidence.
    """
    fit = (np.asarray(stars, dtype=float) - 1.0) / 4.0
    amount = targets.sum(axis=0)
    positive = (targets * fit[:, None]).sum(axis=0)
    score = (prior_strength / N_MOODS + positive) / (prior_strength + amount)
    weight = amount / (amount + sure_after)
    return score, weight, amount


def _derive(track_ids: set[int]) -> int:
    by_track: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for track_id, emotion, strategy, stars in rating_contexts_for_tracks(track_ids=track_ids):
        by_track[track_id].append((emotion, strategy, stars))
    table = ports.rule_targets()
    rows: list[tuple[int, str, float, float]] = []
    for track_id, ratings in by_track.items():
        known = [(table[(e, s)], stars) for e, s, stars in ratings if (e, s) in table]
        if not known:
            continue
        targets = np.array([target for target, _ in known])
        star_values = np.array([stars for _, stars in known], dtype=float)
        score, weight, amount = ratings_mood_evidence(stars=star_values, targets=targets)
        rows += [
            (track_id, MOODS[m], float(score[m]), float(weight[m]))
            for m in range(N_MOODS)
            if amount[m] > 0
        ]
    return evidence_replace(source=TrackMood.Source.RATINGS, track_ids=track_ids, rows=rows)


def ratings_changed(*, track_ids: Iterable[int] | None = None, chunk: int = 500) -> int:
    """Re-derive the ratings evidence of `track_ids` (of every rated track when None).

    Aggregates every listener's ratings of each track; no rater is stored with the evidence. One
    transaction per chunk of tracks keeps locks short when the rules changed for everyone.
    """
    ids = sorted(rated_track_ids() if track_ids is None else set(track_ids))
    written = 0
    for start in range(0, len(ids), chunk):
        with transaction.atomic():
            written += _derive(set(ids[start : start + chunk]))
    return written
