"""API routes (/api/v1/) of the emotions app."""

from django.urls import path

from emotions import apis, dashboard_apis

app_name = "emotions_api"

urlpatterns = [
    path("readings/", apis.ReadingListCreateApi.as_view(), name="reading-list"),
    path("readings/<int:reading_id>/", apis.ReadingDetailApi.as_view(), name="reading-detail"),
    path("history/summary/", dashboard_apis.HistorySummaryApi.as_view(), name="history-summary"),
    path("me/export/", dashboard_apis.MeExportApi.as_view(), name="me-export"),
]
