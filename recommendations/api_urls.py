"""API routes (/api/v1/) of the recommendations app."""

from django.urls import path

from recommendations import apis

urlpatterns: list = [
    path(
        "recommendations/",
        apis.RecommendationListCreateApi.as_view(),
        name="recommendation-list",
    ),
]
