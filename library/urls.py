"""HTML routes of the library: the library page, its sync, the quick sort, and the profile."""

from django.urls import path

from library.views import library, profile, quicksort

app_name = "library"

urlpatterns: list = [
    path("library/", library.library, name="library"),
    path("library/status/", library.library_status, name="library-status"),
    path("library/sync/", library.library_sync_start, name="library-sync"),
    path("library/sort/", quicksort.quick_sort, name="quick-sort"),
    path("library/tags/status/", library.library_tag_status, name="library-tag-status"),
    path("accounts/profile/", profile.profile, name="profile"),
    path("accounts/profile/tokens/", profile.api_token_create, name="api-token-create"),
    path(
        "accounts/profile/tokens/<int:pk>/revoke/",
        profile.api_token_revoke,
        name="api-token-revoke",
    ),
    path(
        "accounts/spotify/reconnect/",
        profile.spotify_reconnect,
        name="spotify-reconnect",
    ),
]
