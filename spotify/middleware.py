"""Friendly pages for failed Spotify sign-ins, and the way back in when Spotify wants a new one."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from social_core.exceptions import (
    AuthAssociationError,
    AuthCanceled,
    AuthConfigurationError,
    AuthCredentialError,
    AuthInputError,
    AuthPolicyError,
    AuthProviderError,
    AuthSessionError,
    SocialAuthBaseException,
)
from social_django.middleware import SocialAuthExceptionMiddleware

from spotify.errors import SpotifyNotConnected, SpotifyReauthRequired
from spotify.pipeline import StandInAccountRefused

MESSAGES: list[tuple[type[SocialAuthBaseException], str, str]] = [
    (
        StandInAccountRefused,
        "Staff accounts cannot use the demo Spotify",
        "This server signs in with a stand-in for Spotify whose listeners anyone can pick, so "
        "staff and curator accounts are never connected to one or signed in through one. Sign in "
        "with your username and password instead.",
    ),
    (
        AuthCanceled,
        "Spotify sign-in cancelled",
        "You chose not to connect Spotify, so nothing changed. You can try again at any time.",
    ),
    (
        AuthSessionError,
        "This sign-in attempt expired",
        "The sign-in link expired or was opened in another browser or tab. Please start again "
        "from the “Sign in with Spotify” button.",
    ),
    (
        AuthInputError,
        "This sign-in attempt expired",
        "Spotify sent you back without what we need to finish signing in. Please start again "
        "from the “Sign in with Spotify” button.",
    ),
    (
        AuthCredentialError,
        "Spotify did not accept this sign-in",
        "Spotify refused the sign-in (it may have expired or been used already). "
        "Please sign in again; your history and library are kept.",
    ),
    (
        AuthAssociationError,
        "This Spotify account belongs to someone else here",
        "This Spotify account is already connected to another Moodtrack account. Sign out and "
        "sign in with Spotify to use that account instead.",
    ),
    (
        AuthPolicyError,
        "Spotify cannot be disconnected",
        "Spotify is how you sign in to Moodtrack, so it cannot be disconnected.",
    ),
    (
        AuthConfigurationError,
        "Spotify sign-in is not set up correctly",
        "This server's Spotify app settings (client id, secret or redirect URI) were refused. "
        "Please tell the site's administrator.",
    ),
    (
        AuthProviderError,
        "Spotify is not answering",
        "Spotify did not respond as expected. Please try again in a few minutes.",
    ),
]
DEFAULT_MESSAGE = ("Signing in with Spotify failed", "Something went wrong. Please try again.")


def friendly_message(exception: Exception) -> tuple[str, str]:
    for family, title, text in MESSAGES:
        if isinstance(exception, family):
            return title, text
    return DEFAULT_MESSAGE


class SpotifyAuthExceptionMiddleware(SocialAuthExceptionMiddleware):
    """Renders a friendly page (never a traceback, in DEBUG too) for social-auth failures, and
    sends a user whose Spotify sign-in expired to sign in again, with a message."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, SpotifyReauthRequired):
            messages.warning(request, exception.user_message)
            query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
            url = reverse("library:spotify-reconnect")
            return redirect(f"{url}?{query}" if query else url)
        if isinstance(exception, SpotifyNotConnected):
            messages.info(request, exception.user_message)
            return redirect("library:profile")
        return super().process_exception(request, exception)

    def raise_exception(self, request: HttpRequest, exception: Exception) -> bool:
        return False

    def get_redirect_uri(self, request: HttpRequest, exception: Exception) -> str | None:
        # A refused disconnect goes back to the profile with a message; the rest get a page.
        if isinstance(exception, StandInAccountRefused):
            return None
        if isinstance(exception, AuthPolicyError) and request.user.is_authenticated:
            return reverse("library:profile")
        return None

    def get_message(self, request: HttpRequest, exception: Exception) -> str:
        return friendly_message(exception)[1]

    def render_error(
        self, request: HttpRequest, exception: SocialAuthBaseException
    ) -> HttpResponse:
        status = self.get_error_status(request, exception)
        self._log_error(exception, status)
        title, text = friendly_message(exception)
        response = render(
            request,
            "accounts/spotify_error.html",
            {"title": title, "text": text, "retry": not isinstance(exception, AuthPolicyError)},
            status=status if status >= HTTPStatus.BAD_REQUEST else HTTPStatus.BAD_REQUEST,
        )
        add_never_cache_headers(response)
        return response
