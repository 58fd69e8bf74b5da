"""The stand-in's accounts service: /authorize (consent page) and /api/token."""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from spotify_sandbox import catalogue, services
from spotify_sandbox.http import api_json, oauth_error, sandbox_view
from spotify_sandbox.services import KNOWN_SCOPES, OAuthError

SCOPE_DESCRIPTIONS = {
    "user-library-read": "See the songs you saved in Your Library",
    "user-library-modify": "Save and remove songs in Your Library",
    "user-top-read": "See your top artists and songs",
    "user-read-recently-played": "See what you played recently",
    "playlist-read-private": "See your private playlists",
    "playlist-read-collaborative": "See your collaborative playlists",
    "playlist-modify-private": "Create and edit your private playlists",
    "playlist-modify-public": "Create and edit your public playlists",
}


def registered_clients() -> dict[str, tuple[str, list[str]]]:
    """client_id → (secret, redirect URIs): the one app the stand-in knows about."""
    return {
        settings.SPOTIFY_SANDBOX_CLIENT_ID: (
            settings.SPOTIFY_SANDBOX_CLIENT_SECRET,
            list(settings.SPOTIFY_SANDBOX_REDIRECT_URIS),
        )
    }


@dataclass(frozen=True)
class AuthorizeRequest:
    client_id: str
    redirect_uri: str
    response_type: str
    scope: str
    state: str

    @classmethod
    def from_params(cls, params) -> AuthorizeRequest:
        return cls(
            client_id=params.get("client_id", ""),
            redirect_uri=params.get("redirect_uri", ""),
            response_type=params.get("response_type", ""),
            scope=" ".join(params.get("scope", "").split()),
            state=params.get("state", ""),
        )

    def redirect(self, **params: str) -> HttpResponseRedirect:
        if self.state:
            params["state"] = self.state
        separator = "&" if "?" in self.redirect_uri else "?"
        return HttpResponseRedirect(f"{self.redirect_uri}{separator}{urlencode(params)}")


def _client_problem(request: HttpRequest, auth: AuthorizeRequest) -> HttpResponse | None:
    """Spotify shows an error page (no redirect) for an unknown client or redirect URI."""
    clients = registered_clients()
    if auth.client_id not in clients:
        return _error_page(request, "INVALID_CLIENT: Invalid client", "")
    if not auth.redirect_uri:
        return _error_page(request, "INVALID_CLIENT: Missing redirect URI", "")
    if urlsplit(auth.redirect_uri).hostname == "localhost":
        hint = (
            "Spotify rejects localhost redirect URIs. Open Moodtrack at http://127.0.0.1:8000/ "
            "(and register http://127.0.0.1:8000/complete/spotify/)."
        )
        return _error_page(request, "INVALID_CLIENT: Insecure redirect URI", hint)
    if auth.redirect_uri not in clients[auth.client_id][1]:
        hint = f"Registered redirect URIs: {', '.join(clients[auth.client_id][1])}"
        return _error_page(request, "INVALID_CLIENT: Invalid redirect URI", hint)
    return None


def _error_page(request: HttpRequest, message: str, hint: str) -> HttpResponse:
    return render(
        request, "spotify_sandbox/error.html", {"message": message, "hint": hint}, status=400
    )


@never_cache
@sandbox_view(accounts=True)
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """Consent page: choose a listener and give its code, then Agree (a code) or Cancel.

    The listener's code (services.listener_code) is what makes this safe: the shared listeners'
    codes are shown on Moodtrack's own sign-in page, the others' nowhere."""
    params = request.POST if request.method == "POST" else request.GET
    auth = AuthorizeRequest.from_params(params)
    problem = _client_problem(request, auth)
    if problem is not None:
        return problem
    if auth.response_type != "code":
        return auth.redirect(error="unsupported_response_type")
    scopes = auth.scope.split()
    if any(scope not in KNOWN_SCOPES for scope in scopes):
        return auth.redirect(error="invalid_scope")

    if request.method == "POST":
        if params.get("action") != "agree":
            return auth.redirect(error="access_denied")
        person = catalogue.user(params.get("user", ""))
        if person is None:
            return _consent_page(request, auth, scopes, error="Choose a listener to continue as.")
        # Choosing a listener is not enough: whoever is linked to it would be signed in.
        if not services.listener_code_matches(person.id, params.get("code", "")):
            error = (
                f"That is not {person.display_name}'s code. The shared listeners' codes are on "
                "Moodtrack's sign-in page."
            )
            return _consent_page(request, auth, scopes, error=error, status=403)
        code = services.code_issue(
            client_id=auth.client_id,
            redirect_uri=auth.redirect_uri,
            spotify_user=person.id,
            scope=auth.scope,
        )
        return auth.redirect(code=code)
    return _consent_page(request, auth, scopes)


def _consent_page(
    request, auth: AuthorizeRequest, scopes: list[str], error: str = "", status: int = 400
):
    context = {
        "auth": auth,
        "permissions": [SCOPE_DESCRIPTIONS.get(scope, scope) for scope in scopes],
        "users": catalogue.listeners(),
        "error": error,
    }
    return render(
        request, "spotify_sandbox/authorize.html", context, status=status if error else 200
    )


def _client_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """From HTTP Basic auth, else from the form body (Spotify accepts both)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, sep, secret = decoded.partition(":")
        return (client_id, secret) if sep else None
    if request.POST.get("client_id"):
        return request.POST["client_id"], request.POST.get("client_secret", "")
    return None


@csrf_exempt
@never_cache
@sandbox_view(accounts=True)
def token(request: HttpRequest) -> HttpResponse:
    """`authorization_code` and `refresh_token` grants, with client authentication."""
    if request.method != "POST":
        return oauth_error("invalid_request", "Method not allowed", 405)
    credentials = _client_credentials(request)
    if credentials is None:
        return oauth_error("invalid_client", "Invalid client")
    client_id, secret = credentials
    known = registered_clients().get(client_id)
    if known is None:
        return oauth_error("invalid_client", "Invalid client")
    if not secrets.compare_digest(secret, known[0]):
        return oauth_error("invalid_client", "Invalid client secret")
    grant_type = request.POST.get("grant_type", "")
    try:
        if grant_type == "authorization_code":
            issued = services.code_exchange(
                code=request.POST.get("code", ""),
                redirect_uri=request.POST.get("redirect_uri", ""),
                client_id=client_id,
            )
        elif grant_type == "refresh_token":
            issued = services.refresh_exchange(
                refresh_token=request.POST.get("refresh_token", ""), client_id=client_id
            )
        elif not grant_type:
            return oauth_error("unsupported_grant_type", "grant_type parameter is missing")
        else:
            return oauth_error("unsupported_grant_type", f"Unsupported grant type: {grant_type}")
    except OAuthError as error:
        return oauth_error(error.code, error.description, error.status)
    response = api_json(issued.as_response())
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response
