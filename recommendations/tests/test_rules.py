"""Tests for the emotion → mood rules: the data migration's rows per strategy and the lookups."""

import importlib

import numpy as np
import pytest

from ml.labels import EMOTIONS
from recommendations.models import EmotionMoodRule
from recommendations.rules import (
    DEFAULT_RULES,
    MOOD_INDEX,
    rule_target_table,
    rule_targets,
    target_vector,
)

MIGRATION = importlib.import_module("recommendations.migrations.0003_default_emotion_mood_rules")


def seeded(strategy: str) -> dict[str, list[tuple[str, float]]]:
    rows: dict[str, list[tuple[str, float]]] = {}
    for rule in EmotionMoodRule.objects.filter(strategy=strategy).order_by("emotion", "-weight"):
        rows.setdefault(rule.emotion, []).append((rule.mood, rule.weight))
    return rows


@pytest.mark.django_db
def test_the_migration_seeds_match_as_in_the_architecture() -> None:
    assert seeded("match") == {
        "angry": [("energetic", 1.0)],
        "disgust": [("energetic", 1.0)],
        "fear": [("calm", 1.0)],
        "happy": [("happy", 1.0)],
        "neutral": [("calm", 1.0)],
        "sad": [("sad", 1.0)],
        "surprise": [("happy", 1.0)],
    }


@pytest.mark.django_db
def test_the_migration_seeds_lift_toward_calm_and_happy() -> None:
    rules = seeded("lift")

    assert rules == {
        "angry": [("calm", 1.0)],
        "disgust": [("calm", 1.0)],
        "fear": [("calm", 1.0)],
        "happy": [("happy", 1.0)],
        "neutral": [("happy", 1.0)],
        "sad": [("calm", 1.0), ("happy", 0.6)],
        "surprise": [("happy", 1.0)],
    }
    assert all(mood in ("calm", "happy") for targets in rules.values() for mood, _ in targets)


@pytest.mark.django_db
def test_every_emotion_has_rules_for_both_strategies() -> None:
    for strategy in ("match", "lift"):
        assert set(seeded(strategy)) == set(EMOTIONS)


def test_the_frozen_migration_copy_equals_the_defaults() -> None:
    frozen = {
        strategy: {emotion: tuple(targets) for emotion, targets in emotions.items()}
        for strategy, emotions in MIGRATION.DEFAULT_RULES.items()
    }
    current = {
        str(strategy): {
            emotion: tuple((str(mood), weight) for mood, weight in targets)
            for emotion, targets in emotions.items()
        }
        for strategy, emotions in DEFAULT_RULES.items()
    }
    assert frozen == current


@pytest.mark.django_db
def test_curators_edits_change_the_targets() -> None:
    EmotionMoodRule.objects.filter(emotion="angry", strategy="lift").update(weight=0.5)
    EmotionMoodRule.objects.create(emotion="angry", strategy="lift", mood="happy", weight=0.25)

    assert rule_targets(emotion="angry", strategy="lift") == {"calm": 0.5, "happy": 0.25}
    vector = rule_target_table()[("angry", "lift")]
    assert vector[MOOD_INDEX["happy"]] == 0.25


@pytest.mark.django_db
def test_the_defaults_fill_in_when_curators_removed_every_row() -> None:
    EmotionMoodRule.objects.filter(emotion="fear").delete()

    assert rule_targets(emotion="fear", strategy="match") == {"calm": 1.0}
    assert rule_target_table()[("fear", "lift")].tolist() == [0.0, 0.0, 0.0, 1.0]


def test_target_vector_orders_moods() -> None:
    assert np.array_equal(target_vector({"calm": 1.0, "happy": 0.6}), [0.6, 0.0, 0.0, 1.0])
