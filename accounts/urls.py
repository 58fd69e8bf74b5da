"""URLs for local sign-in and sign-out ("Try the demo", `demo-login`, is in demo/urls.py)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("spotify/permissions/", views.spotify_permissions, name="spotify-permissions"),
]
