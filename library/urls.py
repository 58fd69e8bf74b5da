"""HTML routes of the library: the library page, its sync, and the profile (Spotify link)."""

from django.urls import path

from library import profile_views, quicksort_views, views

app_name = "library"

urlpatterns: list = [
    path("library/", views.library, name="library"),
    path("library/status/", views.library_status, name="library-status"),
    path("library/sync/", views.library_sync_start, name="library-sync"),
    path("library/sort/", quicksort_views.quick_sort, name="quick-sort"),
    path("library/tags/status/", views.library_tag_status, name="library-tag-status"),
    path("accounts/profile/", profile_views.profile, name="profile"),
    path(
        "accounts/spotify/reconnect/",
        profile_views.spotify_reconnect,
        name="spotify-reconnect",
    ),
]
