"""HTML routes of the recommendations app."""

from django.urls import path

from recommendations.views import mood_after, playback, songs

app_name = "recommendations"

urlpatterns: list = [
    path("songs/reading/<int:reading_id>/", songs.songs_for_reading, name="for_reading"),
    path("songs/<int:pk>/", songs.recommendation_detail, name="detail"),
    path("songs/<int:pk>/save/", playback.recommendation_save, name="save"),
    path("songs/<int:pk>/mood-after/", mood_after.mood_after_answer, name="mood_after"),
    path(
        "songs/<int:pk>/mood-after/snapshot/",
        mood_after.mood_after_snapshot,
        name="mood_after_snapshot",
    ),
]
