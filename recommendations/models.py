"""Emotion -> mood rules and stored recommendations (the library lives in `library`)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accounts.models import Strategy
from emotions.models import EMOTION_CHOICES
from library.models import Mood, Track

__all__ = ["EmotionMoodRule", "Recommendation", "RecommendationItem", "Strategy"]


class EmotionMoodRule(models.Model):
    """Which music moods to play for a face emotion, per strategy (editable by curators)."""

    emotion = models.CharField(max_length=10, choices=EMOTION_CHOICES)
    strategy = models.CharField(max_length=5, choices=Strategy.choices)
    mood = models.CharField(max_length=10, choices=Mood.choices)
    weight = models.FloatField(
        default=1.0, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )

    class Meta:
        ordering = ["strategy", "emotion", "-weight"]
        constraints = [
            models.UniqueConstraint(
                fields=["emotion", "strategy", "mood"], name="emotion_mood_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.strategy}: {self.emotion} → {self.mood} ({self.weight})"


class Recommendation(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recommendations"
    )
    reading = models.ForeignKey(
        "emotions.MoodReading",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    emotion = models.CharField(max_length=10, choices=EMOTION_CHOICES)
    strategy = models.CharField(max_length=5, choices=Strategy.choices)
    cold_start = models.BooleanField(default=False)
    seed = models.BigIntegerField(null=True, blank=True)
    spotify_playlist_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Recommendation {self.pk} ({self.emotion}, {self.strategy})"


class RecommendationItem(models.Model):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="items"
    )
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="recommended")
    position = models.PositiveSmallIntegerField()
    score = models.FloatField()
    reason = models.CharField(max_length=300)
    components = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["recommendation", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "position"], name="recommendation_item_position"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.position} {self.track_id}"
