"""API routes (/api/v1/) of the emotions app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
