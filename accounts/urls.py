"""URLs for local sign-in and sign-out."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import spotify_views, views

# The profile and Spotify pages live in the `accounts` namespace (accounts:profile, …).
spotify_patterns = (
    [
        path("profile/", spotify_views.profile, name="profile"),
        path("spotify/reconnect/", spotify_views.spotify_reconnect, name="spotify-reconnect"),
    ],
    "accounts",
)

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("demo/", views.demo_login, name="demo-login"),
    path("", include(spotify_patterns)),
]
