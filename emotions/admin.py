"""Admin for mood readings: what the model saw, filterable; never the frames or face thumbnails."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.http import HttpRequest

from emotions.models import MoodReading


@admin.register(MoodReading)
class MoodReadingAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "user",
        "created_at",
        "source",
        "status",
        "emotion",
        "user_emotion",
        "confidence_percent",
        "face_count",
        "model_version",
    ]
    list_filter = ["emotion", "user_emotion", "status", "model_version", "source", "created_at"]
    date_hierarchy = "created_at"
    search_fields = ["user__username"]
    list_select_related = ["user"]
    # The frame and the face thumbnail are private: only their presence is shown, never the image.
    fields = [
        "user",
        "created_at",
        "updated_at",
        "source",
        "status",
        "emotion",
        "confidence",
        "probabilities",
        "face_count",
        "group",
        "uncertain",
        "user_emotion",
        "mood_source",
        "model_version",
        "error_message",
        "image_size",
        "has_frame",
        "has_thumbnail",
        "attempts",
        "started_at",
        "finished_at",
    ]
    readonly_fields = cast("list[str]", fields)  # plain names; the stub types `fields` as groups

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="confidence", ordering="confidence")
    def confidence_percent(self, reading: MoodReading) -> str:
        return "—" if reading.confidence is None else f"{reading.confidence:.0%}"

    @admin.display(description="image size")
    def image_size(self, reading: MoodReading) -> str:
        if not reading.image_width:
            return "—"
        return f"{reading.image_width} x {reading.image_height} px"

    @admin.display(description="frame kept", boolean=True)
    def has_frame(self, reading: MoodReading) -> bool:
        return bool(reading.image)

    @admin.display(description="thumbnail kept", boolean=True)
    def has_thumbnail(self, reading: MoodReading) -> bool:
        return bool(reading.thumbnail)
