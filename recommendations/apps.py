"""App configuration for recommendations; provides feedback's ports (rules and items)."""

from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recommendations"
    verbose_name = "Recommendations"

    def ready(self) -> None:
        from feedback import ports
        from recommendations.rules import rule_target_table
        from recommendations.selectors import rated_item_get

        ports.provide(rule_targets=rule_target_table, rated_item=rated_item_get)
