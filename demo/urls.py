"""The "Try the demo" sign-in, mounted under /accounts/ (config/urls.py)."""

from django.urls import path

from demo import views

urlpatterns = [
    path("demo/", views.demo_login, name="demo-login"),
]
