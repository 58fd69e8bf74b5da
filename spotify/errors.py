"""The one Spotify error hierarchy: authorisation (tokens, sign-in) and Web API failures.

`SpotifyError` is the base of every failure; `user_message` is what a page may show. The Web API
errors are built from spotipy's exception by `_from_spotipy` (429 → `SpotifyRateLimited` carrying
`Retry-After`, 5xx → `SpotifyUnavailable`, 403/404 → typed errors).
"""

from __future__ import annotations

from typing import Any

import spotipy

__all__ = [
    "DEFAULT_RETRY_AFTER",
    "NOT_REGISTERED",
    "SpotifyApiError",
    "SpotifyAuthError",
    "SpotifyBadRequest",
    "SpotifyError",
    "SpotifyForbidden",
    "SpotifyNotConnected",
    "SpotifyNotFound",
    "SpotifyRateLimited",
    "SpotifyReauthRequired",
    "SpotifyTokenEndpointError",
    "SpotifyUnavailable",
]

DEFAULT_RETRY_AFTER = 5
# Spotify's 403 for a listener missing from a Development Mode app's allow-list (JSON or text).
NOT_REGISTERED = "User not registered in the Developer Dashboard"


# Authorisation --------------------------------------------------------------------------------


class SpotifyError(Exception):
    """Base of every Spotify failure."""

    user_message = "Spotify could not be reached. Please try again in a minute."


class SpotifyAuthError(SpotifyError):
    """The user's Spotify authorisation cannot be used."""

    user_message = "Moodtrack cannot reach your Spotify account."


class SpotifyNotConnected(SpotifyAuthError):
    user_message = "Connect your Spotify account to use your library."


class SpotifyReauthRequired(SpotifyAuthError):
    """The refresh token was refused (Spotify ends them six months after sign-in)."""

    user_message = (
        "Your Spotify sign-in has expired — Spotify ends every sign-in after six months. "
        "Sign in with Spotify again to continue; your history, ratings and library are kept."
    )


class SpotifyTokenEndpointError(SpotifyAuthError):
    """The accounts service failed (down, rate limited, unreachable); worth retrying later."""

    def __init__(self, message: str, *, status: int | None, retry_after: int | None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


# The Web API ----------------------------------------------------------------------------------


class SpotifyApiError(SpotifyError):
    """The Web API answered with an error (or not at all)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class SpotifyRateLimited(SpotifyApiError):
    """429: come back after `retry_after` seconds (`reason` is QUOTA_EXCEEDED when spent)."""

    user_message = "Spotify asked Moodtrack to slow down; syncing resumes automatically."

    def __init__(self, message: str, *, retry_after: int, reason: str = "") -> None:
        super().__init__(message, status=429)
        self.retry_after = retry_after
        self.reason = reason


class SpotifyUnavailable(SpotifyApiError):
    """5xx, a timeout or no connection: worth retrying later."""


class SpotifyForbidden(SpotifyApiError):
    """403: a missing scope, someone else's playlist, or an endpoint closed to our app; or the
    app may not serve this account at all (`account_refused`: not on a Development Mode app's
    allow-list, or the app owner's Premium lapsed), whatever is asked."""

    @property
    def account_refused(self) -> bool:
        text = str(self).lower()
        return NOT_REGISTERED.lower() in text or "premium" in text

    @property
    def owner_lapsed(self) -> bool:
        return "premium" in str(self).lower()


class SpotifyNotFound(SpotifyApiError):
    """404: no such resource (or an endpoint that no longer exists)."""


class SpotifyBadRequest(SpotifyApiError):
    """Another 4xx: our request was wrong."""


def _retry_after(headers: Any) -> int:
    try:
        value: Any = (headers or {}).get("Retry-After")  # missing or junk: caught below
        return max(0, int(float(value)))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def _from_spotipy(error: spotipy.SpotifyException) -> SpotifyApiError:
    status = error.http_status
    # spotipy prefixes the message with the URL; keep only Spotify's own message.
    message = str(error.msg).rsplit("\n", 1)[-1].strip() or f"HTTP {status}"
    if status == 429:
        return SpotifyRateLimited(
            message, retry_after=_retry_after(error.headers), reason=error.reason or ""
        )
    if status is not None and status >= 500:
        return SpotifyUnavailable(message, status=status)
    if status == 403:
        return SpotifyForbidden(message, status=status)
    if status == 404:
        return SpotifyNotFound(message, status=status)
    return SpotifyBadRequest(message, status=status)
