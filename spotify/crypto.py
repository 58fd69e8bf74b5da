"""Spotify tokens encrypted at rest inside social-auth's `UserSocialAuth.extra_data`.

social-core reads and writes tokens through `extra_data` (sign-in pipeline, `refresh_token`,
`access_token`), so the encryption sits at the model's edge instead of in every caller:

- `pre_save`: the token values are Fernet-encrypted into the dict that is written;
- `post_save` and `post_init` (every load from the database): they are decrypted again, so
  every object in memory holds plain tokens and the database only ever holds ciphertext.

Keys: `SOCIAL_AUTH_TOKEN_KEYS` (Fernet keys, newest first: the first encrypts, all decrypt, so
keys rotate by prepending one and running `manage.py encrypt_spotify_tokens`). Without it one key
is derived from `SECRET_KEY`. A value that no key opens (the secret changed) reads as no token:
the user is asked to connect Spotify again, nothing crashes. Values stored before encryption was
added are read as they are and encrypted on the next save (or by the migration/command).
"""

from __future__ import annotations

import base64
import hashlib
import logging
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

logger = logging.getLogger(__name__)

# The secrets social-core keeps in extra_data (OAuth 2 and OAuth 1 names).
TOKEN_KEYS = ("access_token", "refresh_token", "id_token", "oauth_token_secret")
PREFIX = "enc1:"


def derived_key(secret: str) -> bytes:
    """A Fernet key from Django's SECRET_KEY (used when no SOCIAL_AUTH_TOKEN_KEYS are set)."""
    digest = hashlib.sha256(f"moodtrack.social-auth-tokens:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...], secret: str) -> MultiFernet:
    material = [key.encode() for key in keys if key] or [derived_key(secret)]
    return MultiFernet([Fernet(key) for key in material])


def fernet() -> MultiFernet:
    keys = tuple(getattr(settings, "SOCIAL_AUTH_TOKEN_KEYS", ()) or ())
    return _fernet(keys, settings.SECRET_KEY)


def is_encrypted(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def encrypt_value(value: Any) -> Any:
    """Ciphertext for a non-empty plain string; anything else is returned as it is."""
    if not isinstance(value, str) or not value or is_encrypted(value):
        return value
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt_value(value: Any) -> Any:
    """Plain text for our ciphertext; plain (older) values pass through; unreadable ones -> ""."""
    if not is_encrypted(value):
        return value
    try:
        return fernet().decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        logger.warning("a stored Spotify token cannot be decrypted (key changed?); ignoring it")
        return ""


def rotate_value(value: Any) -> Any:
    """Re-encrypt under the newest key (plain values get encrypted)."""
    if not is_encrypted(value):
        return encrypt_value(value)
    try:
        return PREFIX + fernet().rotate(value[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        return value


def _map_tokens(extra_data: Any, function) -> Any:
    if not isinstance(extra_data, dict):
        return extra_data
    changed = {key: function(extra_data[key]) for key in TOKEN_KEYS if key in extra_data}
    return {**extra_data, **changed} if changed else extra_data


def encrypt_extra_data(extra_data: Any) -> Any:
    return _map_tokens(extra_data, encrypt_value)


def decrypt_extra_data(extra_data: Any) -> Any:
    return _map_tokens(extra_data, decrypt_value)


def rotate_extra_data(extra_data: Any) -> Any:
    return _map_tokens(extra_data, rotate_value)


# Signal receivers (connected in accounts.apps for social_django's UserSocialAuth).


def decrypt_on_load(sender: type, instance: Any, **kwargs: Any) -> None:
    if instance.__dict__.get("extra_data") is not None:
        instance.extra_data = decrypt_extra_data(instance.extra_data)


def encrypt_before_save(sender: type, instance: Any, **kwargs: Any) -> None:
    instance.extra_data = encrypt_extra_data(instance.extra_data)


def decrypt_after_save(sender: type, instance: Any, **kwargs: Any) -> None:
    instance.extra_data = decrypt_extra_data(instance.extra_data)
