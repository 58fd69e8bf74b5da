"""Emotion → music-mood rules per strategy: the defaults and the lookup that ranking uses."""

from __future__ import annotations

import numpy as np

from library.models import Mood
from library.moodspace import MOOD_INDEX, MOODS
from recommendations.models import EmotionMoodRule, Strategy

# ARCHITECTURE.md "Emotions and music moods". The data migration 0002 seeds exactly these rows;
# curators edit them in the admin afterwards. "sad → calm then happy": calm first, happy second.
DEFAULT_RULES: dict[str, dict[str, tuple[tuple[str, float], ...]]] = {
    Strategy.MATCH: {
        "happy": ((Mood.HAPPY, 1.0),),
        "sad": ((Mood.SAD, 1.0),),
        "angry": ((Mood.ENERGETIC, 1.0),),
        "fear": ((Mood.CALM, 1.0),),
        "surprise": ((Mood.HAPPY, 1.0),),
        "disgust": ((Mood.ENERGETIC, 1.0),),
        "neutral": ((Mood.CALM, 1.0),),
    },
    Strategy.LIFT: {
        "sad": ((Mood.CALM, 1.0), (Mood.HAPPY, 0.6)),
        "angry": ((Mood.CALM, 1.0),),
        "fear": ((Mood.CALM, 1.0),),
        "disgust": ((Mood.CALM, 1.0),),
        "neutral": ((Mood.HAPPY, 1.0),),
        "happy": ((Mood.HAPPY, 1.0),),
        "surprise": ((Mood.HAPPY, 1.0),),
    },
}


def default_targets(*, emotion: str, strategy: str) -> dict[str, float]:
    return dict(DEFAULT_RULES.get(strategy, {}).get(emotion, ()))


def rule_targets(*, emotion: str, strategy: str) -> dict[str, float]:
    """The target moods and weights for an emotion and strategy, as curators left them.

    Falls back to the defaults when a curator deleted every row for the pair, so a reading never
    ends without a target.
    """
    rows = EmotionMoodRule.objects.filter(emotion=emotion, strategy=strategy).values_list(
        "mood", "weight"
    )
    targets = {mood: float(weight) for mood, weight in rows if weight > 0}
    return targets or default_targets(emotion=emotion, strategy=strategy)


def target_vector(targets: dict[str, float]) -> np.ndarray:
    """Target weights as a vector in MOODS order."""
    vector = np.zeros(len(MOODS))
    for mood, weight in targets.items():
        vector[MOOD_INDEX[mood]] = weight
    return vector


def rule_target_table() -> dict[tuple[str, str], np.ndarray]:
    """Target vectors for every (emotion, strategy), in one query; defaults fill any gap."""
    table: dict[tuple[str, str], dict[str, float]] = {}
    for emotion, strategy, mood, weight in EmotionMoodRule.objects.values_list(
        "emotion", "strategy", "mood", "weight"
    ):
        if weight > 0:
            table.setdefault((emotion, strategy), {})[mood] = float(weight)
    for strategy, emotions in DEFAULT_RULES.items():
        for emotion, targets in emotions.items():
            table.setdefault((emotion, strategy), dict(targets))
    return {key: target_vector(targets) for key, targets in table.items()}
