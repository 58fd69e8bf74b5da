"""Ratings of recommended songs: the evidence that re-ranks what a user hears next."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accounts.models import Strategy
from emotions.models import EMOTION_CHOICES


class Rating(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings"
    )
    track = models.ForeignKey("library.Track", on_delete=models.CASCADE, related_name="ratings")
    item = models.ForeignKey(
        "recommendations.RecommendationItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ratings",
    )
    emotion = models.CharField(max_length=10, choices=EMOTION_CHOICES)
    strategy = models.CharField(max_length=5, choices=Strategy.choices)
    stars = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "item"], name="rating_one_per_user_item"),
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="rating_stars_range"
            ),
        ]
        indexes = [models.Index(fields=["track", "emotion"], name="rating_track_emotion")]

    def __str__(self) -> str:
        return f"{self.user} rated {self.track_id} ★{self.stars}"


class MoodAfter(models.Model):
    """How the listener felt after a list of songs: one answer per list, which they may change.

    `emotion_before` and `strategy` are the list's, copied when answered (as a rating copies
    them), so the dashboard compares without reaching into recommendations.
    """

    class Source(models.TextChoices):
        TAP = "tap", "One tap"
        SNAPSHOT = "snapshot", "A new snapshot"

    recommendation = models.OneToOneField(
        "recommendations.Recommendation", on_delete=models.CASCADE, related_name="mood_after"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moods_after"
    )
    emotion = models.CharField(max_length=10, choices=EMOTION_CHOICES)
    emotion_before = models.CharField(max_length=10, choices=EMOTION_CHOICES)
    strategy = models.CharField(max_length=5, choices=Strategy.choices)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.TAP)
    # The snapshot that answered (source "snapshot"); deleting that reading deletes the answer.
    reading = models.ForeignKey(
        "emotions.MoodReading",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mood_after_answers",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"], name="mood_after_user_created")]

    def __str__(self) -> str:
        return f"{self.user} after list {self.recommendation_id}: {self.emotion}"
