"""DRF authentication by personal API token: `Authorization: Token <key>` (or `Bearer <key>`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from core.security import token_failure_count, token_failure_window, token_failures_blocked

if TYPE_CHECKING:
    from accounts.models import ApiToken, User

KEYWORDS = ("token", "bearer")


class TokenFailuresThrottled(exceptions.Throttled):
    """429 for an address that sent too many wrong or revoked tokens (core.exceptions words it)."""

    message_template = (
        "Too many requests with a wrong or revoked API token came from your address. "
        "You can try again in {wait}."
    )


class ApiTokenAuthentication(BaseAuthentication):
    """Finds the token by its prefix, checks its hash, refuses revoked tokens and inactive users.

    A request without an `Authorization: Token|Bearer` header is left to the other classes
    (session); one with a wrong or revoked key is refused, never treated as anonymous. Wrong or
    revoked keys are counted per client address (`core.security`): past
    `API_TOKEN_FAILURES_PER_ADDRESS` within the window, that address gets 429 before any key
    is looked up, so keys cannot be guessed at the speed of the API.
    """

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        # Imported here: DRF loads this class while `rest_framework.views` is being imported,
        # which `core.exceptions` (imported by the services) itself imports.
        from accounts.selectors import api_token_find
        from accounts.services import api_token_touch

        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower().decode(errors="replace") not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the header as `Authorization: Token <key>`.")
            )
        if token_failures_blocked(request._request):
            raise TokenFailuresThrottled(wait=token_failure_window())
        try:
            key = parts[1].decode()
        except UnicodeError:
            token_failure_count(request._request)
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = api_token_find(key=key)
        if token is None:
            token_failure_count(request._request)
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is disabled."))
        api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Token realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """drf-spectacular: the scheme in the OpenAPI document (Swagger UI's Authorize button)."""

    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal API token from your profile page, as `Token <key>`.",
        }
