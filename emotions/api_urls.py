"""API routes (/api/v1/) of the emotions app."""

from django.urls import path

from emotions import apis

app_name = "emotions_api"

urlpatterns = [
    path("readings/", apis.ReadingListCreateApi.as_view(), name="reading-list"),
    path("readings/<int:reading_id>/", apis.ReadingDetailApi.as_view(), name="reading-detail"),
]
