"""HTML routes of the emotions app."""

from django.urls import path  # noqa: F401

app_name = "emotions"

urlpatterns: list = []
