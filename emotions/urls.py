"""HTML routes of the emotions app."""

from django.urls import path

from emotions import views

app_name = "emotions"

urlpatterns = [
    path("", views.capture, name="capture"),
    path("readings/<int:pk>/", views.reading_detail, name="reading"),
    path("readings/<int:pk>/status/", views.reading_status, name="status"),
    path("readings/<int:pk>/thumbnail/", views.reading_thumbnail, name="thumbnail"),
    path("readings/<int:pk>/correct/", views.reading_correct_view, name="correct"),
    path("readings/<int:pk>/mood-source/", views.reading_mood_source_view, name="mood_source"),
    path("readings/<int:pk>/delete/", views.reading_delete_view, name="delete"),
]
