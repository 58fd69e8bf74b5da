"""Admin of stored recommendation lists (read-only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict, cast

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from recommendations.models import Recommendation, RecommendationItem

if TYPE_CHECKING:

    class _TrackTotal(TypedDict):
        track_total: int


# Stored recommendation lists: read-only -------------------------------------------------------


class RecommendationItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RecommendationItem
    fields = ["position", "track", "score", "reason"]
    readonly_fields = cast("list[str]", fields)  # plain names; the stub types `fields` as groups
    extra = 0
    can_delete = False


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "user", "emotion", "strategy", "cold_start", "created_at"]
    list_filter = ["emotion", "strategy", "cold_start"]
    date_hierarchy = "created_at"
    search_fields = ["user__username"]
    list_select_related = ["user"]
    inlines = [RecommendationItemInline]
    exclude = ["seed"]
