"""API routes (/api/v1/) of the emotions app."""

from django.urls import path

from emotions import dashboard_apis

urlpatterns: list = []

urlpatterns += [
    path("history/summary/", dashboard_apis.HistorySummaryApi.as_view(), name="history-summary"),
    path("me/export/", dashboard_apis.MeExportApi.as_view(), name="me-export"),
]
