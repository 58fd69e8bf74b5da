"""Friendly pages for failed Spotify sign-ins, and the way back in when Spotify wants a new one."""

from __future__ import annotations

from collections.abc import Awaitable
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
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

from spotify.backend import SpotifyAccountRefused
from spotify.errors import SpotifyNotConnected, SpotifyReauthRequired
from spotify.pipeline import StandInAccountRefused
from spotify.tokens import spotify_association

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


# Where a listener is asked (once) for a new Spotify permission: the pages they land on after
# signing in. Other pages never pay for the check (no query, no session write).
SCOPE_PROMPT_PATHS = frozenset({"/", "/library/"})
SCOPE_CHECKED = "spotify_scopes_checked"
SCOPE_ASKED = "scope_prompted_for"


def missing_scopes(social: Any) -> list[str]:
    """Scopes Moodtrack asks for that the listener's stored grant lacks (none when unknown)."""
    granted = str(social.extra_data.get("scope") or "").split()
    if not granted:
        return []
    return [scope for scope in settings.SOCIAL_AUTH_SPOTIFY_SCOPE if scope not in granted]


class SpotifyAuthExceptionMiddleware(SocialAuthExceptionMiddleware):
    """Renders a friendly page (never a traceback, in DEBUG too) for social-auth failures, and
    sends a user whose Spotify sign-in expired to sign in again, with a message.

    It also asks a listener, once, to agree again when Moodtrack asks Spotify for more than their
    stored grant holds (`playlist-read-collaborative`, added in 2026): the home or library page
    redirects to the explanation; the question is recorded on the association, so it is never
    asked twice, and checked once per session (one query)."""

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        prompt = self.scope_prompt(request)
        return prompt if prompt is not None else super().__call__(request)

    def scope_prompt(self, request: HttpRequest) -> HttpResponse | None:
        if request.method != "GET" or request.headers.get("HX-Request"):
            return None
        if request.path not in SCOPE_PROMPT_PATHS or not hasattr(request, "session"):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.session.get(SCOPE_CHECKED):
            return None
        request.session[SCOPE_CHECKED] = True
        social = spotify_association(user)
        if social is None:
            return None
        missing = missing_scopes(social)
        if not missing or social.extra_data.get(SCOPE_ASKED) == " ".join(missing):
            return None
        social.extra_data = {**social.extra_data, SCOPE_ASKED: " ".join(missing)}
        social.save(update_fields=["extra_data", "modified"])
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('spotify-permissions')}?{query}")

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, SpotifyReauthRequired):
            messages.warning(request, exception.user_message)
            query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
            url = reverse("library:spotify-reconnect")
            return redirect(f"{url}?{query}" if query else url)
        if isinstance(exception, SpotifyNotConnected):
            messages.info(request, exception.user_message)
            return redirect("library:profile")
        if isinstance(exception, SpotifyAccountRefused):
            return self.render_refused(request, exception)
        return super().process_exception(request, exception)

    def render_refused(
        self, request: HttpRequest, exception: SpotifyAccountRefused
    ) -> HttpResponse:
        """403 from `/me` after consent: not on the app's allow-list (or the owner lapsed)."""
        self._log_error(exception, HTTPStatus.FORBIDDEN)
        title = (
            "This Moodtrack server's Spotify app is switched off"
            if exception.owner_lapsed
            else "This Spotify account isn't on this app's allow-list"
        )
        response = render(
            request,
            "accounts/spotify_not_allowed.html",
            {
                "title": title,
                "owner_lapsed": exception.owner_lapsed,
                "spotify_message": exception.spotify_message,
                "operator_docs_url": settings.SPOTIFY_OPERATOR_DOCS_URL,
            },
            status=HTTPStatus.FORBIDDEN,
        )
        add_never_cache_headers(response)
        return response

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
