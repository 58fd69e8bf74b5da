"""API routes (/api/v1/) of insights."""

from django.urls import path

from insights import dashboard_apis

app_name = "insights_api"

urlpatterns = [
    path("history/summary/", dashboard_apis.HistorySummaryApi.as_view(), name="history-summary"),
    path("me/export/", dashboard_apis.MeExportApi.as_view(), name="me-export"),
]
