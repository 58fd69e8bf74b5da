"""API routes (/api/v1/) of the feedback app."""

from django.urls import path

from feedback import apis

urlpatterns: list = [
    path("ratings/", apis.RatingCreateApi.as_view(), name="rating-create"),
    path("ratings/<int:rating_id>/", apis.RatingUpdateApi.as_view(), name="rating-detail"),
    path("mood-after/", apis.MoodAfterCreateApi.as_view(), name="mood-after-create"),
    path(
        "mood-after/<int:recommendation_id>/",
        apis.MoodAfterDetailApi.as_view(),
        name="mood-after-detail",
    ),
]
