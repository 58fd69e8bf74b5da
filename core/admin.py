"""Admin for core models, and the read-only base of the admins of rows the app writes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.models import Heartbeat


class ReadOnlyAdminMixin:
    """Rows written by the app, not by hand: viewable; deletable only where the admin allows."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("created_at", "token", "worker")
    search_fields = ("token", "worker")
    readonly_fields = ("token", "worker", "created_at")
