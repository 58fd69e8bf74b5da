"""App configuration for the demo seeders (the seed_demo command)."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
    verbose_name = "Demo"

    def ready(self) -> None:
        from demo.readings import rate_after_sync
        from library.signals import library_synced

        library_synced.connect(rate_after_sync, dispatch_uid="demo.rate_after_sync")
