"""HTML routes of the recommendations app."""

from django.urls import path

from recommendations.views import playback, songs

app_name = "recommendations"

urlpatterns: list = [
    path("songs/reading/<int:reading_id>/", songs.songs_for_reading, name="for_reading"),
    path("songs/<int:pk>/", songs.recommendation_detail, name="detail"),
    path("songs/<int:pk>/save/", playback.recommendation_save, name="save"),
]
