"""The stand-in's accounts service over real HTTP: /authorize and /api/token act like Spotify's."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from spotify_sandbox.models import AuthorizationCode, Token
from spotify_sandbox.testing import DEFAULT_SCOPES, Sandbox

pytestmark = pytest.mark.django_db(transaction=True)


def _params(sandbox: Sandbox, **overrides: str) -> dict[str, str]:
    return {
        "client_id": settings.SPOTIFY_SANDBOX_CLIENT_ID,
        "redirect_uri": sandbox.redirect_uri,
        "response_type": "code",
        "scope": DEFAULT_SCOPES,
        "state": "state-123",
        **overrides,
    }


def _query(response: requests.Response) -> dict[str, str]:
    location = response.headers["Location"]
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def _token(sandbox: Sandbox, data: dict[str, str], auth=None) -> requests.Response:
    auth = auth or (settings.SPOTIFY_SANDBOX_CLIENT_ID, settings.SPOTIFY_SANDBOX_CLIENT_SECRET)
    return requests.post(f"{sandbox.root}/api/token", data=data, auth=auth, timeout=10)


def _code(sandbox: Sandbox, user: str = "demo") -> str:
    return _query(sandbox.consent(_params(sandbox), user=user))["code"]


def test_agree_redirects_back_with_a_code_and_the_state(sandbox: Sandbox) -> None:
    response = sandbox.consent(_params(sandbox))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(sandbox.redirect_uri + "?")
    query = _query(response)
    assert query["state"] == "state-123"
    assert len(query["code"]) > 40
    grant = AuthorizationCode.objects.get()
    assert grant.spotify_user == "demo"
    assert grant.scope == DEFAULT_SCOPES
    assert query["code"] not in grant.code_hash  # stored hashed


def test_cancel_redirects_back_with_access_denied(sandbox: Sandbox) -> None:
    query = _query(sandbox.consent(_params(sandbox), action="cancel"))

    assert query == {"error": "access_denied", "state": "state-123"}
    assert not AuthorizationCode.objects.exists()


def test_the_consent_page_lists_the_listeners_and_permissions(sandbox: Sandbox) -> None:
    page = requests.get(f"{sandbox.root}/authorize", params=_params(sandbox), timeout=10)

    assert page.status_code == 200
    assert "Demo Listener" in page.text
    assert "See the songs you saved in Your Library" in page.text
    assert "this is not Spotify" in page.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"client_id": "someone-else"}, "INVALID_CLIENT: Invalid client"),
        ({"redirect_uri": "http://127.0.0.1:9/elsewhere/"}, "INVALID_CLIENT: Invalid redirect URI"),
        ({"redirect_uri": "http://localhost:8000/complete/spotify/"}, "Insecure redirect URI"),
    ],
)
def test_unknown_clients_and_redirect_uris_get_an_error_page(sandbox, overrides, message) -> None:
    page = requests.get(
        f"{sandbox.root}/authorize", params=_params(sandbox, **overrides), timeout=10,
        allow_redirects=False,
    )  # fmt: skip

    assert page.status_code == 400
    assert message in page.text
    assert "Location" not in page.headers


def test_a_bad_response_type_or_scope_is_redirected_as_an_error(sandbox: Sandbox) -> None:
    def ask(**overrides: str) -> dict[str, str]:
        response = requests.get(
            f"{sandbox.root}/authorize", params=_params(sandbox, **overrides), timeout=10,
            allow_redirects=False,
        )  # fmt: skip
        return _query(response)

    assert ask(response_type="token")["error"] == "unsupported_response_type"
    assert ask(scope="user-library-read make-coffee") == {
        "error": "invalid_scope",
        "state": "state-123",
    }


def test_a_code_is_traded_once_for_tokens(sandbox: Sandbox) -> None:
    code = _code(sandbox)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": sandbox.redirect_uri}

    first = _token(sandbox, data)
    assert first.status_code == 200
    body = first.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == DEFAULT_SCOPES
    assert body["refresh_token"]
    assert "no-store" in first.headers["Cache-Control"]

    replay = _token(sandbox, data)
    assert replay.status_code == 400
    assert replay.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid authorization code",
    }
    # Replaying a code revokes what it was traded for (RFC 6749 §4.1.2).
    me = sandbox.session_for(body["access_token"]).get(sandbox.api + "me", timeout=10)
    assert me.status_code == 401


def test_the_code_is_bound_to_its_redirect_uri_and_client(sandbox: Sandbox) -> None:
    code = _code(sandbox)
    wrong_uri = _token(
        sandbox,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": sandbox.base + "/x/"},
    )
    assert wrong_uri.json()["error"] == "invalid_grant"
    assert wrong_uri.json()["error_description"] == "Invalid redirect URI"
    right = {"grant_type": "authorization_code", "code": code, "redirect_uri": sandbox.redirect_uri}
    assert _token(sandbox, right).status_code == 200


def test_client_authentication_is_required(sandbox: Sandbox) -> None:
    data = {"grant_type": "refresh_token", "refresh_token": "x"}

    no_auth = requests.post(f"{sandbox.root}/api/token", data=data, timeout=10)
    wrong = _token(sandbox, data, auth=(settings.SPOTIFY_SANDBOX_CLIENT_ID, "nope"))
    in_body = requests.post(
        f"{sandbox.root}/api/token",
        data={
            **data,
            "client_id": settings.SPOTIFY_SANDBOX_CLIENT_ID,
            "client_secret": settings.SPOTIFY_SANDBOX_CLIENT_SECRET,
        },
        timeout=10,
    )

    assert no_auth.status_code == wrong.status_code == 400
    assert no_auth.json()["error"] == "invalid_client"
    assert wrong.json() == {"error": "invalid_client", "error_description": "Invalid client secret"}
    assert in_body.json()["error"] == "invalid_grant"  # authenticated; the token is just wrong


def test_refresh_gives_a_new_access_token_and_keeps_the_refresh_token(sandbox) -> None:
    issued = sandbox.issue("alex")

    refreshed = _token(
        sandbox, {"grant_type": "refresh_token", "refresh_token": issued.refresh_token}
    )

    assert refreshed.status_code == 200
    body = refreshed.json()
    assert body["access_token"] != issued.access_token
    assert "refresh_token" not in body
    me = sandbox.session_for(body["access_token"]).get(sandbox.api + "me", timeout=10)
    assert me.json()["id"] == "alex"


def test_refresh_tokens_expire_six_months_after_authorisation(sandbox: Sandbox) -> None:
    long_ago = timezone.now() - dt.timedelta(days=184)
    issued = sandbox.issue("alex", authorized_at=long_ago)

    refused = _token(
        sandbox, {"grant_type": "refresh_token", "refresh_token": issued.refresh_token}
    )

    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    assert Token.objects.filter(kind="refresh", spotify_user="alex").count() == 1


def test_grant_types(sandbox: Sandbox) -> None:
    missing = _token(sandbox, {})
    other = _token(sandbox, {"grant_type": "client_credentials"})

    assert missing.json()["error"] == other.json()["error"] == "unsupported_grant_type"


def test_injected_invalid_grant_and_rate_limit_on_the_token_endpoint(sandbox: Sandbox) -> None:
    issued = sandbox.issue("sam")
    data = {"grant_type": "refresh_token", "refresh_token": issued.refresh_token}
    sandbox.fault("api/token", 400, body_reason="invalid_grant", remaining=1)
    sandbox.fault("api/token", 429, retry_after=30, remaining=1)

    first, second, third = (_token(sandbox, data) for _ in range(3))

    assert first.status_code == 400
    assert first.json() == {"error": "invalid_grant", "error_description": "Refresh token revoked"}
    assert second.status_code == 429
    assert second.headers["Retry-After"] == "30"
    assert third.status_code == 200
