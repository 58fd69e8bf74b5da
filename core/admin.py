"""Admin for core models."""

from __future__ import annotations

from django.contrib import admin

from core.models import Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("created_at", "token", "worker")
    search_fields = ("token", "worker")
    readonly_fields = ("token", "worker", "created_at")
