"""Admin for the library: tracks and their mood evidence, artists, syncs, entries, users' syncs."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from accounts.admin import UserAdmin
from accounts.models import User
from core.admin import ReadOnlyAdminMixin
from library.models import Artist, LibraryEntry, LibrarySync, MoodPlaylistTrack, Track, TrackMood
from library.tagclusters import CLUSTERS, cluster_name

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _PlaylistTotal(TypedDict):
        playlist_total: int


# Tracks and their evidence ----------------------------------------------------------------------


class TrackMoodInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TrackMood
    fields = ["mood", "source", "score", "weight", "updated_at"]
    readonly_fields = cast("list[str]", fields)  # plain names; the stub types `fields` as groups
    extra = 0
    can_delete = False
    verbose_name = "mood evidence"
    verbose_name_plural = "mood evidence (the track's mood is the weighted mix)"


class TrackPlaylistInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = MoodPlaylistTrack
    fields = ["playlist", "position"]
    readonly_fields = cast("list[str]", fields)  # plain names; the stub types `fields` as groups
    extra = 0
    can_delete = False
    verbose_name = "mood playlist"
    verbose_name_plural = "in mood playlists"


class TagClusterFilter(admin.SimpleListFilter):
    """Tracks by genre family (the stored index, shown by name)."""

    title = "tag cluster"
    parameter_name = "tag_cluster"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("none", "unknown"), *((str(i), name) for i, name in enumerate(CLUSTERS))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Track]) -> QuerySet[Track]:
        value = self.value()
        if value == "none":
            return queryset.filter(tag_cluster__isnull=True)
        return queryset.filter(tag_cluster=int(value)) if value and value.isdigit() else queryset


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "artist_names",
        "album_name",
        "genre_family",
        "evidence",
        "playlist_count",
    ]
    list_filter = [TagClusterFilter, "moods__source", "moods__mood"]
    search_fields = ["name", "artist_names", "album_name", "spotify_id", "isrc"]
    ordering = ["name", "id"]
    readonly_fields = [
        "spotify_id",
        "uri",
        "isrc",
        "genre_family",
        "created_at",
        "updated_at",
        "open_link",
    ]
    fields = [
        "name",
        "artist_names",
        "album_name",
        "duration_ms",
        "image_url",
        "spotify_id",
        "uri",
        "isrc",
        "open_link",
        "genre_family",
        "created_at",
        "updated_at",
    ]
    inlines = [TrackMoodInline, TrackPlaylistInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Track]:
        return (
            super()
            .get_queryset(request)
            .annotate(playlist_total=Count("mood_playlists", distinct=True))
            .prefetch_related("moods")
        )

    @admin.display(description="mood evidence")
    def evidence(self, track: Track) -> str:
        rows = sorted(track.moods.all(), key=lambda row: (-row.weight * row.score, row.mood))
        return ", ".join(f"{row.mood} ({row.source} {row.score:.2f})" for row in rows) or "unknown"

    @admin.display(description="tag cluster", ordering="tag_cluster")
    def genre_family(self, track: Track) -> str:
        return cluster_name(track.tag_cluster) or "unknown"

    @admin.display(description="playlists", ordering="playlist_total")
    def playlist_count(self, track: WithAnnotations[Track, _PlaylistTotal]) -> int:
        return track.playlist_total

    @admin.display(description="on Spotify")
    def open_link(self, track: Track) -> str:
        return format_html(
            '<a href="{}" rel="noopener" target="_blank">{}</a>', track.open_url, track.open_url
        )


@admin.register(Artist)
class ArtistAdmin(admin.ModelAdmin):
    list_display = ["name", "spotify_id"]
    search_fields = ["name", "spotify_id"]


@admin.register(TrackMood)
class TrackMoodAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["track", "mood", "source", "score", "weight", "updated_at"]
    list_filter = ["source", "mood"]
    search_fields = ["track__name", "track__artist_names"]
    list_select_related = ["track"]


# What listeners have: read-only --------------------------------------------------------------


REFUSED_LISTED = 20  # listeners named in the notice; the filter shows them all


def refused_sync_notice(request: HttpRequest) -> None:
    """Tell staff which listeners Spotify refuses outright (every call answered 403: not on the
    app's allow-list, or the app owner's Premium lapsed), once per admin page that shows it."""
    if not getattr(request.user, "is_staff", False):
        return
    refused = LibrarySync.objects.filter(
        status=LibrarySync.Status.FAILED, failure=LibrarySync.Failure.REFUSED
    ).select_related("user")
    names = [
        sync.user.get_username() for sync in refused.order_by("user__username")[:REFUSED_LISTED]
    ]
    if not names:
        return
    total = refused.count()
    more = f" and {total - len(names)} more" if total > len(names) else ""
    link = reverse("admin:library_librarysync_changelist") + "?failure__exact=refused"
    messages.warning(
        request,
        format_html(
            "Spotify refuses every request for {} listener{}: {}{}. Add them in Spotify's "
            "Developer Dashboard → User Management (5 users at most in Development Mode), or "
            'renew the app owner\'s Premium. <a href="{}">See their syncs</a>.',
            total,
            pluralize(total),
            ", ".join(names),
            more,
            link,
        ),
    )


@admin.register(LibrarySync)
class LibrarySyncAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "user",
        "status",
        "failure",
        "track_count",
        "last_success_at",
        "finished_at",
        "message",
    ]
    list_filter = ["status", "failure"]
    search_fields = ["user__username"]
    list_select_related = ["user"]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        refused_sync_notice(request)
        return super().changelist_view(request, extra_context)


@admin.register(LibraryEntry)
class LibraryEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "track", "liked", "top_short", "recent", "playlist", "first_seen_at"]
    list_filter = ["liked", "top_short", "top_medium", "top_long", "recent", "playlist"]
    search_fields = ["user__username", "track__name"]
    list_select_related = ["user", "track"]


# Each user's sync on their user page ----------------------------------------------------------


class LibrarySyncInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = LibrarySync
    fields = [
        "status",
        "failure",
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

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        refused_sync_notice(request)
        return super().changelist_view(request, extra_context)


admin.site.unregister(User)
admin.site.register(User, LibraryUserAdmin)


def _index_with_refused_notice(
    index: Callable[..., TemplateResponse],
) -> Callable[..., TemplateResponse]:
    """The admin's landing page carries the notice too: it is where staff arrive."""

    @functools.wraps(index)
    def view(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        refused_sync_notice(request)
        return index(request, extra_context)

    return view


admin.site.index = _index_with_refused_notice(admin.site.index)  # type: ignore[method-assign]
