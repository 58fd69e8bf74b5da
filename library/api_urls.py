"""API routes (/api/v1/) of the library."""

from django.urls import path

from library import apis

urlpatterns: list = [
    path("library/", apis.LibraryListApi.as_view(), name="library-list"),
    path("library/sync/", apis.LibrarySyncApi.as_view(), name="library-sync"),
    path("library/coverage/", apis.LibraryCoverageApi.as_view(), name="library-coverage"),
]
