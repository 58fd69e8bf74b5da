"""Admin for the library: each user's sync status on their user page."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin import UserAdmin
from accounts.models import User
from library.models import LibrarySync


class LibrarySyncInline(admin.StackedInline):
    model = LibrarySync
    fields = [
        "status",
        "track_count",
        "processed",
        "total",
        "message",
        "started_at",
        "finished_at",
        "last_success_at",
        "resume_at",
    ]
    readonly_fields = cast("list[str]", fields)  # plain names; the stub types `fields` as groups
    can_delete = False
    extra = 0
    verbose_name_plural = "Spotify library sync"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LibraryUserAdmin(UserAdmin):
    """The users' admin with each user's library sync (accounts knows nothing of the library)."""

    inlines = [*UserAdmin.inlines, LibrarySyncInline]
    list_display = (*UserAdmin.list_display[:-1], "sync_status", "last_synced", "date_joined")
    list_filter = (*UserAdmin.list_filter, "library_sync__status")
    list_select_related = ("library_sync",)

    @staticmethod
    def _sync(user: User) -> LibrarySync | None:
        try:
            return user.library_sync
        except LibrarySync.DoesNotExist:
            return None

    @admin.display(description="library sync", ordering="library_sync__status")
    def sync_status(self, user: User) -> str:
        sync = self._sync(user)
        return sync.get_status_display() if sync else LibrarySync.Status.NEVER.label

    @admin.display(description="last synced", ordering="library_sync__last_success_at")
    def last_synced(self, user: User) -> Any:
        sync = self._sync(user)
        return sync.last_success_at if sync and sync.last_success_at else "—"


admin.site.unregister(User)
admin.site.register(User, LibraryUserAdmin)
