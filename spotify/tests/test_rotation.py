"""A refresh that rotates the refresh token (issue 18), over real HTTP against the stand-in: the
new token is stored, encrypted, and the next refresh and calls work with it."""

from __future__ import annotations

import pytest
from django.db import connection
from social_django.models import UserSocialAuth

from accounts.tests.factories import UserFactory
from spotify import client as spotify
from spotify.crypto import is_encrypted
from spotify.tokens import spotify_access_token
from spotify_sandbox.models import Token
from spotify_sandbox.testing import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)


def _stored_refresh_token(social: UserSocialAuth) -> str:
    """The value in the database itself (not the decrypted one in memory)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT extra_data FROM social_auth_usersocialauth WHERE id = %s", [social.pk]
        )
        raw = cursor.fetchone()[0]
    import json

    data = json.loads(raw) if isinstance(raw, str) else raw
    return data["refresh_token"]


def test_a_rotated_refresh_token_is_stored_encrypted_and_keeps_working(sandbox: Sandbox) -> None:
    sandbox.app(rotate_refresh_tokens=True)
    user = UserFactory()
    social = sandbox.link(user, "alex", access_expired=True)
    first_refresh = social.extra_data["refresh_token"]
    stored_before = _stored_refresh_token(social)

    token = spotify_access_token(user)  # expired: refreshed, and the refresh token rotates

    social.refresh_from_db()
    second_refresh = social.extra_data["refresh_token"]
    assert second_refresh != first_refresh
    stored_after = _stored_refresh_token(social)
    assert is_encrypted(stored_after)
    assert stored_after != stored_before
    assert second_refresh not in stored_after
    # The stand-in killed the old one; ours is the live one.
    old = Token.objects.filter(kind="refresh", spotify_user="alex").order_by("issued_at")
    assert [t.revoked for t in old] == [True, False]
    assert sandbox.session_for(token).get(sandbox.api + "me", timeout=10).status_code == 200

    # Later: the next refresh uses the rotated token (the old one would be invalid_grant) ...
    third = spotify_access_token(user, force_refresh=True)
    social.refresh_from_db()
    assert social.extra_data["refresh_token"] not in (first_refresh, second_refresh)
    # ... and a whole client call that needs a refresh (401 → refresh → retry) works too.
    sandbox.fault("v1/me", 401, remaining=1)
    client = spotify.client_for(user)
    try:
        assert spotify.current_profile(client)["id"] == "alex"
    finally:
        client.close()
    assert third
