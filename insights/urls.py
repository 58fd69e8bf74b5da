"""HTML routes of insights: the dashboard and the reading history (delete, export)."""

from django.urls import path

from insights import dashboard_views, history_views

app_name = "insights"

urlpatterns = [
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("mood/history/", history_views.history, name="history"),
    path("mood/history/<int:pk>/delete/", history_views.history_delete, name="history_delete"),
    path(
        "mood/history/delete/",
        history_views.history_delete_everything,
        name="history_delete_all",
    ),
    path("mood/history/export/", history_views.history_export, name="history_export"),
]
