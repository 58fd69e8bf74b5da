"""API routes (/api/v1/) of insights."""

from django.urls import path

from insights import apis

app_name = "insights_api"

urlpatterns = [
    path("history/summary/", apis.HistorySummaryApi.as_view(), name="history-summary"),
    path("me/export/", apis.MeExportApi.as_view(), name="me-export"),
]
