"""HTML routes of the emotions app."""

from django.urls import path

from emotions import history_views

app_name = "emotions"

urlpatterns: list = []

urlpatterns += [
    path("history/", history_views.history, name="history"),
    path("history/<int:pk>/delete/", history_views.history_delete, name="history_delete"),
    path("history/delete/", history_views.history_delete_everything, name="history_delete_all"),
    path("history/export/", history_views.history_export, name="history_export"),
]
