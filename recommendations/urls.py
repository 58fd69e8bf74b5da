"""HTML routes of the recommendations app."""

from django.urls import path

from recommendations import playback_views, song_views

app_name = "recommendations"

urlpatterns: list = [
    path("songs/reading/<int:reading_id>/", song_views.songs_for_reading, name="for_reading"),
    path("songs/<int:pk>/", song_views.recommendation_detail, name="detail"),
    path("songs/<int:pk>/save/", playback_views.recommendation_save, name="save"),
]
