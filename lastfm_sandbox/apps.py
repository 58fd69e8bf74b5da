"""App configuration for the Last.fm stand-in."""

from django.apps import AppConfig


class LastfmSandboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lastfm_sandbox"
    verbose_name = "Last.fm stand-in"
