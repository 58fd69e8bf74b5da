"""HTML routes of the emotions app."""

from django.urls import path

from emotions import history_views, views

app_name = "emotions"

urlpatterns = [
    path("", views.capture, name="capture"),
    path("readings/<int:pk>/", views.reading_detail, name="reading"),
    path("readings/<int:pk>/status/", views.reading_status, name="status"),
    path("readings/<int:pk>/thumbnail/", views.reading_thumbnail, name="thumbnail"),
    path("readings/<int:pk>/correct/", views.reading_correct_view, name="correct"),
    path("readings/<int:pk>/delete/", views.reading_delete_view, name="delete"),
    path("history/", history_views.history, name="history"),
    path("history/<int:pk>/delete/", history_views.history_delete, name="history_delete"),
    path("history/delete/", history_views.history_delete_everything, name="history_delete_all"),
    path("history/export/", history_views.history_export, name="history_export"),
]
