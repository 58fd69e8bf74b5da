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


class ApiToken(models.Model):
    """A listener's personal API token. Only its SHA-256 is stored: the key is shown once.

    `prefix` (public, shown on the profile page) finds the row; the full key's hash proves it.
    Revoking keeps the row (revoked_at) so the profile and the admin can say what happened.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=64, help_text="The listener's label, e.g. “laptop script”.")
    prefix = models.CharField(max_length=16, unique=True, help_text="Public; starts the key.")
    key_hash = models.CharField(max_length=64, help_text="SHA-256 of the whole key (hex).")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
