"""The Spotify sign-in backend, pointed at our accounts and API base URLs (Spotify or stand-in)."""

from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from social_core.backends.spotify import SpotifyOAuth2 as BaseSpotifyOAuth2


class SpotifyOAuth2(BaseSpotifyOAuth2):
    """social-core's Spotify backend with every URL from settings and the stand-in's demo app."""

    def get_key_and_secret(self) -> tuple[str, str]:
        key, secret = super().get_key_and_secret()
        if not key and settings.SPOTIFY_SANDBOX_ENABLED:
            return settings.SPOTIFY_SANDBOX_CLIENT_ID, settings.SPOTIFY_SANDBOX_CLIENT_SECRET
        return key, secret

    def authorization_url(self) -> str:
        return self.setting("AUTHORIZATION_URL") or accounts_url("authorize")

    def access_token_url(self) -> str:
        return self.setting("ACCESS_TOKEN_URL") or accounts_url("api/token")

    def user_data(self, access_token: str, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        """The profile from `GET {SPOTIFY_API_BASE_URL}me` (upstream hard-codes api.spotify.com)."""
        return self.get_json(
            urljoin(api_base_url(), "me"), headers={"Authorization": f"Bearer {access_token}"}
        )


def accounts_url(path: str) -> str:
    return f"{settings.SPOTIFY_ACCOUNTS_BASE_URL.rstrip('/')}/{path}"


def api_base_url() -> str:
    return settings.SPOTIFY_API_BASE_URL.rstrip("/") + "/"
