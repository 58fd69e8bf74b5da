"""Admin for ratings: what listeners said about recommended songs (read-only)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.http import HttpRequest

from feedback.models import MoodAfter, Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["track", "stars", "emotion", "strategy", "user", "updated_at"]
    list_filter = ["stars", "emotion", "strategy", "updated_at"]
    date_hierarchy = "updated_at"
    search_fields = ["track__name", "track__artist_names", "user__username"]
    list_select_related = ["track", "user"]
    fields = [
        "user",
        "track",
        "stars",
        "emotion",
        "strategy",
        "item",
        "created_at",
        "updated_at",
    ]
    readonly_fields = cast("list[str]", fields)  # plain names; the stub types `fields` as groups

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MoodAfter)
class MoodAfterAdmin(admin.ModelAdmin):
    """Answers to "How do you feel now?" after a list (read-only)."""

    list_display = ["recommendation", "emotion_before", "emotion", "strategy", "source", "user"]
    list_filter = ["strategy", "source", "emotion", "created_at"]
    list_select_related = ["user", "recommendation"]
    fields = [
        "user",
        "recommendation",
        "emotion_before",
        "emotion",
        "strategy",
        "source",
        "reading",
        "created_at",
        "updated_at",
    ]
    readonly_fields = cast("list[str]", fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
