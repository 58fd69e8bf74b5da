"""HTML routes of the recommendations app."""

from django.urls import path

from recommendations import song_views, spotify_views

app_name = "recommendations"

urlpatterns: list = []

urlpatterns += [
    path("songs/reading/<int:reading_id>/", song_views.songs_for_reading, name="for_reading"),
    path("songs/<int:pk>/", song_views.recommendation_detail, name="detail"),
]

# Library sync and "save as playlist" (Spotify side).
urlpatterns += [
    path("library/", spotify_views.library, name="library"),
    path("library/status/", spotify_views.library_status, name="library-status"),
    path("library/sync/", spotify_views.library_sync_start, name="library-sync"),
    path("songs/<int:pk>/save/", spotify_views.recommendation_save, name="save"),
]
