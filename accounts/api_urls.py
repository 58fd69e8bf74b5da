"""API routes (/api/v1/) of accounts."""

from django.urls import path

from accounts import apis

app_name = "accounts_api"

urlpatterns = [
    path("me/", apis.MeApi.as_view(), name="me"),
]
