"""The custom User model, with the listener's recommendation and privacy preferences."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class Strategy(models.TextChoices):
    """How recommendations respond to a mood: match it, or lift it (mood regulation)."""

    MATCH = "match", "Match my mood"
    LIFT = "lift", "Lift my mood"


class User(AbstractUser):
    """A Moodtrack user; signs in with Spotify, or locally for staff and the demo."""

    Strategy = Strategy

    class ImageRetention(models.TextChoices):
        THUMBNAIL = "thumbnail", "Keep a face thumbnail"
        NOTHING = "nothing", "Keep nothing"

    default_strategy = models.CharField(
        max_length=16,
        choices=Strategy.choices,
        default=Strategy.MATCH,
        help_text="How recommendations respond to a mood unless chosen per recommendation.",
    )
    image_retention = models.CharField(
        max_length=16,
        choices=ImageRetention.choices,
        default=ImageRetention.THUMBNAIL,
        help_text="What is kept of an uploaded frame after inference.",
    )
    is_demo = models.BooleanField(
        default=False, help_text="The shared demo account, signed in without a password."
    )

    def __str__(self) -> str:
        return self.username
