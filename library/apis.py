"""Library API: the tracks of your synced library, and its sync (status, start)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from core.serializers import ErrorOutput
from library.models import LibraryEntry, LibrarySync
from library.selectors import library_entry_list, library_mood_coverage, library_sync_get
from library.sync import library_sync_request
from spotify.tokens import spotify_association

if TYPE_CHECKING:
    from accounts.http import AuthenticatedRequest


class LibraryTrackOutput(serializers.Serializer):
    spotify_id = serializers.CharField()
    name = serializers.CharField()
    artist_names = serializers.CharField()
    album_name = serializers.CharField()
    image_url = serializers.CharField()
    duration_ms = serializers.IntegerField()
    uri = serializers.CharField()
    isrc = serializers.CharField()
    open_url = serializers.CharField()


class LibraryEntryOutput(serializers.Serializer):
    track = LibraryTrackOutput()
    sources = serializers.ListField(
        child=serializers.ChoiceField(choices=LibraryEntry.SOURCE_FIELDS),
        help_text="liked, top_short, top_medium, top_long, recent, playlist",
    )
    liked_at = serializers.DateTimeField(allow_null=True)
    last_played_at = serializers.DateTimeField(allow_null=True)


class LibraryPageOutput(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = LibraryEntryOutput(many=True)


class LibrarySyncOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=LibrarySync.Status.choices)
    status_display = serializers.CharField(source="get_status_display")
    processed = serializers.IntegerField(help_text="Liked songs read so far…")
    total = serializers.IntegerField(help_text="…of this many.")
    track_count = serializers.IntegerField(help_text="Tracks in the library after the last sync.")
    message = serializers.CharField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    last_success_at = serializers.DateTimeField(allow_null=True)
    resume_at = serializers.DateTimeField(
        allow_null=True, help_text="When a paused (rate-limited) sync resumes."
    )


class LibraryListApi(APIView):
    """GET: the tracks of your synced Spotify library, most recently liked first."""

    @extend_schema(
        operation_id="library_list",
        summary="List the tracks in your synced library",
        responses={200: LibraryPageOutput},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(library_entry_list(user=request.user), request, self)
        return paginator.get_paginated_response(LibraryEntryOutput(page, many=True).data)


class LibrarySyncApi(APIView):
    """GET: the status of your library sync. POST: start a sync (202; no-op while one runs)."""

    @extend_schema(
        operation_id="library_sync_status",
        summary="Your library sync status",
        responses={200: LibrarySyncOutput},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        sync = library_sync_get(user=request.user) or LibrarySync(user=request.user)
        return Response(LibrarySyncOutput(sync).data)

    @extend_schema(
        operation_id="library_sync_start",
        summary="Sync your Spotify library now",
        request=None,
        responses={
            202: LibrarySyncOutput,
            400: OpenApiResponse(ErrorOutput, description="Spotify not connected."),
        },
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        if spotify_association(request.user) is None:
            raise ApplicationError(
                "Connect your Spotify account first.", extra={"code": "spotify_not_connected"}
            )
        sync = library_sync_request(user=request.user, reason="api")
        return Response(LibrarySyncOutput(sync).data, status=status.HTTP_202_ACCEPTED)


class CoverageOutput(serializers.Serializer):
    tracks = serializers.IntegerField(help_text="Songs in your library.")
    with_mood = serializers.IntegerField(help_text="Songs with any mood evidence.")
    share = serializers.FloatField(help_text="with_mood / tracks.")
    by_source = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Songs with evidence from each source: sorted (your quick sort), playlists "
        "(your playlists' names), curated, tags and artist_tags (Last.fm), ratings, audio.",
    )


class LibraryCoverageApi(APIView):
    """GET: how much of your library has a mood, and where the moods come from."""

    @extend_schema(
        operation_id="library_coverage",
        summary="Mood coverage of your library",
        responses={200: CoverageOutput},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(CoverageOutput(library_mood_coverage(user=request.user)).data)
