"""The Spotify sign-in backend, pointed at our accounts and API base URLs (Spotify or stand-in).

Accounts are linked by Spotify's `account_id` (immutable); `id` can change and is kept as display
data. Associations made before (keyed by `id`) are re-keyed the first time that listener signs in
again (social-core's legacy-identifier migration, allowed here for `id` → `account_id` only; with
the account_id a library sync recorded as evidence when there is one). docs/SPOTIFY.md explains
why no migration can do it offline: only Spotify knows an old row's account_id.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import requests
from django.conf import settings
from social_core.backends.spotify import SpotifyOAuth2 as BaseSpotifyOAuth2
from social_core.exceptions import AuthException, SocialAuthBaseException

LEGACY_ID_KEY = "id"


class SpotifyAccountRefused(AuthException):
    """After consent Spotify answered `GET /me` with 403: this app may not serve this account.

    In Development Mode that is a listener missing from the app's allow-list (Developer Dashboard
    → User Management, 5 users at most); retrying cannot help, the operator must add them."""

    default_code = "authentication_disallowed"

    def __init__(self, backend: Any, message: str) -> None:
        super().__init__(backend, message, stage="user_info", status_code=403)
        self.spotify_message = message

    @property
    def owner_lapsed(self) -> bool:
        """Spotify's other app-wide 403: the app owner's Premium lapsed."""
        return "premium" in self.spotify_message.lower()


def forbidden_message(response: requests.Response | None) -> str:
    """Spotify's sentence from a 403: `{"error": {"message"}}` JSON, or plain text."""
    if response is None:
        return ""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or "")[:300]
    return str(error or "")[:300]


class SpotifyOAuth2(BaseSpotifyOAuth2):
    """social-core's Spotify backend with every URL from settings and the stand-in's demo app."""

    ID_KEY = "account_id"
    # Sign-in finds associations stored before account_id by Spotify's `id`, and re-keys them.
    LEGACY_ID_KEYS = (LEGACY_ID_KEY,)

    def get_key_and_secret(self) -> tuple[str, str]:
        key, secret = super().get_key_and_secret()
        if not key and settings.SPOTIFY_SANDBOX_ENABLED:
            return settings.SPOTIFY_SANDBOX_CLIENT_ID, settings.SPOTIFY_SANDBOX_CLIENT_SECRET
        return key, secret

    def authorization_url(self) -> str:
        return self.setting("AUTHORIZATION_URL") or accounts_url("authorize")

    def access_token_url(self) -> str:
        return self.setting("ACCESS_TOKEN_URL") or accounts_url("api/token")

    def id_key(self) -> str:
        # A profile without account_id (older API answers) is keyed by `id`, and labelled so.
        return getattr(self, "_id_key_used", None) or self.ID_KEY

    def get_user_id(self, details: dict[str, Any], response: dict[str, Any]) -> Any:
        """`account_id` (immutable), falling back to `id` when Spotify does not send it."""
        if response.get(self.ID_KEY):
            self._id_key_used = self.ID_KEY
            return response[self.ID_KEY]
        self._id_key_used = LEGACY_ID_KEY
        return response.get(LEGACY_ID_KEY)

    def allow_unverified_legacy_uid_migration(self, old_id_key: str, id_key: str) -> bool:
        """An association keyed by Spotify's `id` becomes one keyed by `account_id`.

        Old rows hold no account_id to compare with; the evidence is that Spotify just returned
        this very `id` for the account that signed in, and the row is keyed by `id` exactly (its
        stored id_key). Any other transition keeps social-core's refusal."""
        if old_id_key == LEGACY_ID_KEY and id_key == self.ID_KEY:
            return True
        return super().allow_unverified_legacy_uid_migration(old_id_key, id_key)

    def user_data(self, access_token: str, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        """The profile from `GET {SPOTIFY_API_BASE_URL}me` (upstream hard-codes api.spotify.com).

        A 403 here comes after the listener agreed: the app may not serve them (allow-list, or
        the owner's Premium lapsed). That is `SpotifyAccountRefused`, not "Spotify is down"."""
        try:
            return self.get_json(
                urljoin(api_base_url(), "me"), headers={"Authorization": f"Bearer {access_token}"}
            )
        except SocialAuthBaseException as error:
            cause = error.__cause__
            response = cause.response if isinstance(cause, requests.HTTPError) else None
            if response is not None and response.status_code == 403:
                raise SpotifyAccountRefused(self, forbidden_message(response)) from None
            raise


def accounts_url(path: str) -> str:
    return f"{settings.SPOTIFY_ACCOUNTS_BASE_URL.rstrip('/')}/{path}"


def api_base_url() -> str:
    return settings.SPOTIFY_API_BASE_URL.rstrip("/") + "/"
