"""Spotify tokens are encrypted in the database, plain in memory, and survive sign-in/refresh."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from social_django.models import UserSocialAuth

from accounts.tests.factories import UserFactory
from spotify import crypto as token_crypto
from spotify.errors import SpotifyNotConnected
from spotify.tokens import spotify_access_token

SECRETS = {"access_token": "BQ-access-secret-123", "refresh_token": "AQ-refresh-secret-456"}


def _stored(pk: int) -> dict:
    """extra_data as the database holds it (raw SQL: no model, no signals)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT extra_data FROM social_auth_usersocialauth WHERE id = %s", [pk])
        (raw,) = cursor.fetchone()
    if isinstance(raw, str):
        import json

        raw = json.loads(raw)
    return raw


def _connect(user, **extra) -> UserSocialAuth:
    return UserSocialAuth.objects.create(
        user=user,
        provider="spotify",
        uid=f"uid-{user.pk}",
        extra_data={**SECRETS, "token_type": "Bearer", "expires": 3600, **extra},
    )


@pytest.mark.django_db
def test_tokens_are_ciphertext_in_the_database_and_plain_in_memory() -> None:
    social = _connect(UserFactory())

    stored = _stored(social.pk)
    for key, secret in SECRETS.items():
        assert stored[key].startswith(token_crypto.PREFIX)
        assert secret not in stored[key]
        assert social.extra_data[key] == secret  # the saved object itself stays usable
    assert stored["token_type"] == "Bearer"  # only secrets are encrypted
    loaded = UserSocialAuth.objects.get(pk=social.pk)
    assert loaded.access_token == SECRETS["access_token"]
    assert loaded.extra_data["refresh_token"] == SECRETS["refresh_token"]


@pytest.mark.django_db
def test_saving_again_does_not_encrypt_twice() -> None:
    social = _connect(UserFactory())
    first = _stored(social.pk)["access_token"]
    social.extra_data["expires"] = 1800
    social.save()

    assert UserSocialAuth.objects.get(pk=social.pk).access_token == SECRETS["access_token"]
    assert _stored(social.pk)["access_token"] != first  # fresh nonce, same plain text
    assert _stored(social.pk)["expires"] == 1800


@pytest.mark.django_db
def test_tokens_stored_before_encryption_still_read_and_get_encrypted() -> None:
    social = _connect(UserFactory())
    UserSocialAuth.objects.filter(pk=social.pk).update(extra_data=dict(SECRETS))  # legacy row

    loaded = UserSocialAuth.objects.get(pk=social.pk)
    assert loaded.access_token == SECRETS["access_token"]
    call_command("encrypt_spotify_tokens", stdout=__import__("io").StringIO())
    assert _stored(social.pk)["access_token"].startswith(token_crypto.PREFIX)
    assert UserSocialAuth.objects.get(pk=social.pk).access_token == SECRETS["access_token"]


@pytest.mark.django_db
def test_keys_rotate_and_an_unknown_key_reads_as_not_connected(settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SOCIAL_AUTH_TOKEN_KEYS = [old]
    user = UserFactory()
    social = _connect(user)
    under_old = _stored(social.pk)["access_token"]

    settings.SOCIAL_AUTH_TOKEN_KEYS = [new, old]  # prepend the new key, keep the old to read
    assert UserSocialAuth.objects.get(pk=social.pk).access_token == SECRETS["access_token"]
    call_command("encrypt_spotify_tokens", stdout=__import__("io").StringIO())
    assert _stored(social.pk)["access_token"] != under_old

    settings.SOCIAL_AUTH_TOKEN_KEYS = [new]  # the old key is gone: rotated rows still read
    assert UserSocialAuth.objects.get(pk=social.pk).access_token == SECRETS["access_token"]

    settings.SOCIAL_AUTH_TOKEN_KEYS = [Fernet.generate_key().decode()]  # a key that never wrote
    assert UserSocialAuth.objects.get(pk=social.pk).access_token == ""
    with pytest.raises(SpotifyNotConnected):
        spotify_access_token(user)


def test_the_default_key_comes_from_the_secret_key(settings) -> None:
    settings.SOCIAL_AUTH_TOKEN_KEYS = []
    cipher = token_crypto.encrypt_value("secret")
    assert token_crypto.decrypt_value(cipher) == "secret"
    settings.SECRET_KEY = "another-secret"
    assert token_crypto.decrypt_value(cipher) == ""
