"""HTML routes of the feedback app."""

from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns: list = [
    path("ratings/", views.rating_submit, name="rate"),
]
