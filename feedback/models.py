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
