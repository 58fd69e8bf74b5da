"""Admin for curators: mood playlists and their import from Spotify."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from core.exceptions import ApplicationError
from library.models import Mood, MoodPlaylist, MoodPlaylistTrack
from recommendations.curation import (
    REFUSED_MESSAGE,
    curated_evidence_refresh,
    curator_playlists,
    mood_playlist_import_request,
    mood_playlists_csv,
    mood_playlists_set_mood,
    playlist_track_ids,
)
from recommendations.tasks import mood_playlist_import_task
from spotify.client import PlaylistRef, parse_playlist_ref

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from accounts.http import AuthenticatedHttpRequest

    class _TrackTotal(TypedDict):
        track_total: int


ImportStatus = MoodPlaylist.ImportStatus


# Mood playlists ---------------------------------------------------------------------------------


def _import_queue(playlist_id: int, user_id: int, *, discard_on_refusal: bool = False) -> None:
    """Hand a playlist the service marked queued to a worker, once that is committed."""
    transaction.on_commit(
        lambda: mood_playlist_import_task.delay(
            playlist_id, user_id, discard_on_refusal=discard_on_refusal
        )
    )


class MoodPlaylistTrackInline(admin.TabularInline):
    model = MoodPlaylistTrack
    autocomplete_fields = ["track"]
    fields = ["position", "track"]
    ordering = ["position", "id"]
    extra = 0
    verbose_name = "track"
    verbose_name_plural = "tracks (the playlist's mood becomes their curated mood)"


def _playlist_label(ref: PlaylistRef) -> str:
    """How the import form lists one of the curator's playlists: name, tracks when known."""
    notes = []
    if ref.total:
        notes.append(f"{ref.total} track{'s' if ref.total != 1 else ''}")
    if ref.collaborative:
        notes.append("collaborative")
    name = ref.name or ref.spotify_id
    return f"{name} ({', '.join(notes)})" if notes else name


class MoodPlaylistImportForm(forms.Form):
    """Pick one of the curator's playlists (when their Spotify is connected) or paste a link."""

    pick = forms.ChoiceField(
        label="Your playlist",
        required=False,
        help_text="The playlists your Spotify account owns or collaborates on.",
        error_messages={
            "invalid_choice": "That playlist is no longer among your Spotify playlists: pick "
            "another one, or paste its link below."
        },
    )
    playlist = forms.CharField(
        label="Playlist link",
        max_length=300,
        required=False,
        help_text="A link (https://open.spotify.com/playlist/…), a spotify:playlist: URI or the "
        "playlist id. It must be a playlist your Spotify account owns or collaborates on.",
        widget=forms.TextInput(attrs={"size": 60}),
    )
    mood = forms.ChoiceField(
        label="Mood",
        choices=[("", "— pick a mood —"), *Mood.choices],
        error_messages={"required": "Pick a mood for the playlist."},
    )
    name = forms.CharField(
        label="Name",
        max_length=200,
        required=False,
        help_text="Leave empty to use the playlist's name on Spotify.",
    )

    def __init__(self, *args: Any, playlists: list[PlaylistRef] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if playlists:
            pick = cast("forms.ChoiceField", self.fields["pick"])
            pick.choices = [
                ("", "— pick one of your playlists —"),
                *((ref.spotify_id, _playlist_label(ref)) for ref in playlists),
            ]
            pick.widget.attrs["autofocus"] = True
            self.fields["playlist"].label = "Or paste a playlist link"
        else:
            del self.fields["pick"]
            self.fields["playlist"].widget.attrs["autofocus"] = True

    @property
    def listing(self) -> bool:
        return "pick" in self.fields

    def clean(self) -> dict[str, Any]:
        cleaned = cast("dict[str, Any]", super().clean())
        if "pick" in self.errors or "playlist" in self.errors:
            return cleaned
        picked = cleaned.get("pick") or ""
        pasted = (cleaned.get("playlist") or "").strip()
        if not picked and not pasted:
            if self.listing:
                self.add_error(
                    "pick", "Pick one of your playlists, or paste a playlist's link below."
                )
            else:
                self.add_error("playlist", "Paste the link of a Spotify playlist to import.")
            return cleaned
        pasted_id = ""
        if pasted:
            try:
                pasted_id = parse_playlist_ref(pasted)
            except ValueError as exc:
                self.add_error("playlist", str(exc))
                return cleaned
        if picked and pasted_id and picked != pasted_id:
            self.add_error(
                "playlist",
                "You picked a playlist from the list and pasted the link of another one: "
                "clear one of the two.",
            )
            return cleaned
        cleaned["playlist_ref"] = picked or pasted_id
        return cleaned

    @property
    def playlist_field(self) -> str:
        """The field a problem with the chosen playlist belongs to."""
        if self.listing and self.cleaned_data.get("pick"):
            return "pick"
        return "playlist"


@admin.register(MoodPlaylist)
class MoodPlaylistAdmin(admin.ModelAdmin):
    list_display = ["name", "mood", "track_count", "import_state", "updated_at"]
    list_filter = ["mood", "import_status"]
    search_fields = ["name", "description", "spotify_playlist_id"]
    fields = [
        "name",
        "mood",
        "description",
        "spotify_playlist_id",
        "import_status",
        "import_message",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ["import_status", "import_message", "created_at", "updated_at"]
    inlines = [MoodPlaylistTrackInline]
    actions = ["export_csv", "reimport"]
    change_list_template = "admin/library/moodplaylist/change_list.html"
    change_form_template = "admin/library/moodplaylist/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[MoodPlaylist]:
        return super().get_queryset(request).annotate(track_total=Count("entries"))

    @admin.display(description="tracks", ordering="track_total")
    def track_count(self, playlist: WithAnnotations[MoodPlaylist, _TrackTotal]) -> int:
        return playlist.track_total

    @admin.display(description="import", ordering="import_status")
    def import_state(self, playlist: MoodPlaylist) -> str:
        if not playlist.import_status:
            return "—"
        return format_html(
            '<span title="{}">{}</span>',
            playlist.import_message,
            playlist.get_import_status_display(),
        )

    # Curated evidence follows every change of a playlist's tracks or mood.

    def save_model(self, request: HttpRequest, obj: MoodPlaylist, form: Any, change: bool) -> None:
        if change:
            # Only what the form edits: an import finishing meanwhile keeps its status and message.
            obj.save(update_fields=[*(name for name in form.fields), "updated_at"])
        else:
            super().save_model(request, obj, form, change)
        # Our own note for save_related; HttpRequest's stub cannot know it.
        request._mood_playlist_tracks_before = playlist_track_ids(  # type: ignore[attr-defined]
            playlist_ids=[obj.pk]
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        before: set[int] = getattr(request, "_mood_playlist_tracks_before", set())
        curated_evidence_refresh(
            track_ids=before | playlist_track_ids(playlist_ids=[form.instance.pk])
        )

    def delete_model(self, request: HttpRequest, obj: MoodPlaylist) -> None:
        track_ids = playlist_track_ids(playlist_ids=[obj.pk])
        super().delete_model(request, obj)
        curated_evidence_refresh(track_ids=track_ids)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[MoodPlaylist]) -> None:
        track_ids = playlist_track_ids(playlist_ids=queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        curated_evidence_refresh(track_ids=track_ids)

    # Actions: set mood (one per mood), export as CSV, re-import from Spotify.

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if self.has_change_permission(request):
            for mood in Mood:
                name = f"set_mood_{mood.value}"
                actions[name] = (self._set_mood_action(mood), name, f"Set mood to {mood.label}")
        return actions

    @staticmethod
    def _set_mood_action(mood: Mood) -> Any:
        def set_mood(
            modeladmin: MoodPlaylistAdmin, request: HttpRequest, queryset: QuerySet[MoodPlaylist]
        ) -> None:
            count = mood_playlists_set_mood(
                playlist_ids=list(queryset.values_list("pk", flat=True)), mood=mood.value
            )
            modeladmin.message_user(
                request,
                f"{count} playlist{'s' if count != 1 else ''} now {mood.label.lower()}; "
                "their tracks' curated mood was updated.",
                messages.SUCCESS,
            )

        return set_mood

    @admin.action(description="Export the selected playlists' tracks as CSV")
    def export_csv(self, request: HttpRequest, queryset: QuerySet[MoodPlaylist]) -> HttpResponse:
        response = HttpResponse(
            mood_playlists_csv(playlist_ids=queryset.values_list("pk", flat=True)),
            content_type="text/csv; charset=utf-8",
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="mood-playlists-{stamp}.csv"'
        return response

    @admin.action(
        description="Re-import the selected playlists from Spotify", permissions=["change"]
    )
    def reimport(self, request: AuthenticatedHttpRequest, queryset: QuerySet[MoodPlaylist]) -> None:
        queued, skipped = 0, 0
        for playlist in queryset:
            if not playlist.spotify_playlist_id:
                skipped += 1
                continue
            try:
                queued_import = mood_playlist_import_request(
                    user=request.user,
                    playlist_ref=playlist.spotify_playlist_id,
                    mood=playlist.mood,
                )
            except ApplicationError as exc:
                self.message_user(request, f"“{playlist.name}”: {exc.message}", messages.ERROR)
                if exc.extra.get("code") in ("spotify_not_connected", "spotify_reauth"):
                    return  # the same for every playlist
                continue
            _import_queue(queued_import.playlist.pk, request.user.pk)
            queued += 1
        if queued:
            self.message_user(request, f"{queued} import(s) queued.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} playlist(s) have no Spotify playlist id.", messages.WARNING
            )

    # The import page and the progress endpoint the change page polls.

    def get_urls(self) -> list[Any]:
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{info}_import",
            ),
            path(
                "<path:object_id>/import-status/",
                self.admin_site.admin_view(self.import_status_view),
                name=f"{info}_import_status",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        listing = curator_playlists(user=request.user)
        form = MoodPlaylistImportForm(request.POST or None, playlists=listing.playlists)
        if request.method == "POST" and form.is_valid():
            try:
                queued = mood_playlist_import_request(
                    user=request.user,
                    playlist_ref=form.cleaned_data["playlist_ref"],
                    mood=form.cleaned_data["mood"],
                    name=form.cleaned_data["name"],
                )
            except ApplicationError as exc:
                field = exc.extra.get("field")
                form.add_error(
                    form.playlist_field if field == "playlist" else field if field else None,
                    exc.message,
                )
            else:
                playlist = queued.playlist
                _import_queue(playlist.pk, request.user.pk, discard_on_refusal=queued.created)
                if not MoodPlaylist.objects.filter(pk=playlist.pk).exists():
                    # The worker ran at once (eager) and Spotify refused after all.
                    form.add_error(form.playlist_field, REFUSED_MESSAGE)
                else:
                    self.message_user(
                        request,
                        f"Import of “{playlist.name}” queued. This page shows its progress.",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:library_moodplaylist_change", args=[playlist.pk])
                    )
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a mood playlist from Spotify",
            "opts": self.opts,
            "form": form,
            "spotify_connected": listing.connected,
            "playlists_problem": listing.problem,
            "no_playlists": listing.connected and not listing.problem and not listing.playlists,
            "has_view_permission": True,
        }
        return TemplateResponse(
            request,
            "admin/library/moodplaylist/import.html",
            context,
            status=400 if form.errors else 200,
        )

    def import_status_view(self, request: HttpRequest, object_id: str) -> JsonResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        found = self.get_queryset(request).filter(pk=unquote(object_id)).first()
        if found is None:
            # Removed while the page was open: Spotify refused a new import, or someone deleted it.
            return JsonResponse(
                {
                    "status": "removed",
                    "status_display": "Removed",
                    "message": f"{REFUSED_MESSAGE} The import removed its playlist again "
                    "(or someone deleted it).",
                    "tracks": 0,
                    "finished": True,
                    "removed": True,
                },
                status=404,
            )
        playlist = cast("WithAnnotations[MoodPlaylist, _TrackTotal]", found)  # get_queryset's
        return JsonResponse(
            {
                "status": playlist.import_status,
                "status_display": playlist.get_import_status_display(),
                "message": playlist.import_message,
                "tracks": playlist.track_total,
                "finished": playlist.import_status in (ImportStatus.DONE, ImportStatus.FAILED),
            }
        )
