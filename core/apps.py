"""App configuration for core."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Registers the `check --deploy` warnings (demo mode, stand-ins, trusted proxies).
        from core import checks  # noqa: F401
