"""HTML routes of insights: the dashboard and the reading history (delete, export)."""

from django.urls import path

from insights.views import dashboard, history

app_name = "insights"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("mood/history/", history.history, name="history"),
    path("mood/history/<int:pk>/delete/", history.history_delete, name="history_delete"),
    path(
        "mood/history/delete/",
        history.history_delete_everything,
        name="history_delete_all",
    ),
    path("mood/history/export/", history.history_export, name="history_export"),
]
