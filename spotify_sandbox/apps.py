"""App configuration for the Spotify stand-in."""

from django.apps import AppConfig


class SpotifySandboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "spotify_sandbox"
    verbose_name = "Spotify stand-in"
